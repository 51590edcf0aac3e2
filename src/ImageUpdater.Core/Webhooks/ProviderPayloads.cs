using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using static ImageUpdater.Core.Webhooks.RegistryWebhook;

namespace ImageUpdater.Core.Webhooks
{
    /// <summary>Each provider's documented push payload → events. Fields are read as the providers publish them; checking is <see cref="RegistryWebhook"/>'s.</summary>
    internal static class ProviderPayloads
    {
        private static readonly Regex AwsAccount = new Regex("^[0-9]{12}$", RegexOptions.CultureInvariant);
        private static readonly Regex AwsRegion = new Regex("^[a-z]{2}(?:-[a-z]+)+-[0-9]$", RegexOptions.CultureInvariant);

        public static IReadOnlyList<RegistryEvent> Read(RegistryProvider provider, WebhookRequest request, JsonElement root, bool binaryCloudEvent) => provider switch
        {
            RegistryProvider.DockerHub => new[] { DockerHub(root) },
            RegistryProvider.GitHub => new[] { GitHub(request, root) },
            RegistryProvider.Harbor => Harbor(root),
            RegistryProvider.Quay => Quay(root),
            RegistryProvider.AzureContainerRegistry => new[] { Acr(root) },
            RegistryProvider.AmazonEcr => new[] { Ecr(root, RegistryProvider.AmazonEcr) },
            RegistryProvider.CloudEvents => CloudEvent(request, root, binaryCloudEvent),
            _ => throw new ArgumentOutOfRangeException(nameof(provider)),
        };

        // https://docs.docker.com/docker-hub/repos/manage/webhooks/ — push_data.tag, push_data.pushed_at, repository.repo_name.
        private static RegistryEvent DockerHub(JsonElement root)
        {
            var repository = Text(root, "repository", "repo_name")
                ?? throw Invalid(RegistryProvider.DockerHub, "it has no repository.repo_name");
            var tag = Text(root, "push_data", "tag") ?? throw Invalid(RegistryProvider.DockerHub, "it has no push_data.tag");
            var path = repository.IndexOf('/') < 0 ? "library/" + repository : repository;
            return new RegistryEvent(RegistryProvider.DockerHub, "docker.io", path, tag, null, Time(Node(root, "push_data", "pushed_at")));
        }

        // https://docs.github.com/webhooks/webhook-events-and-payloads#package (and #registry_package): a published container version.
        private static RegistryEvent GitHub(WebhookRequest request, JsonElement root)
        {
            const RegistryProvider provider = RegistryProvider.GitHub;
            var kind = request.Header("X-GitHub-Event");
            if (kind is not null && kind != "package" && kind != "registry_package")
            {
                throw NotPush(provider, $"a '{kind}' event");
            }

            var package = Node(root, "package") ?? Node(root, "registry_package") ?? throw Invalid(provider, "it has no package or registry_package object");
            var action = Text(root, "action");
            if (action != "published")
            {
                throw NotPush(provider, $"a package '{action ?? "(no action)"}' event");
            }

            var container = new[] { Text(package, "package_type"), Text(package, "ecosystem"), Text(package, "registry", "type") }
                .Any(t => string.Equals(t, "container", StringComparison.OrdinalIgnoreCase) || string.Equals(t, "docker", StringComparison.OrdinalIgnoreCase));
            if (!container)
            {
                throw NotPush(provider, $"a {Text(package, "package_type") ?? "non-container"} package");
            }

            var owner = Text(package, "owner", "login") ?? throw Invalid(provider, "it has no package.owner.login");
            var name = Text(package, "name") ?? throw Invalid(provider, "it has no package.name");
            var metadata = Node(package, "package_version", "container_metadata");
            var tag = metadata is { } m ? Text(m, "tag", "name") : null;
            var digest = metadata is { } d ? Text(d, "tag", "digest") ?? Text(d, "manifest", "digest") : null;
            var pushedAt = Time(Node(package, "package_version", "created_at")) ?? Time(Node(package, "updated_at"));

            // GHCR names are lower case whatever case the owner's login has.
            return new RegistryEvent(provider, "ghcr.io", (owner + "/" + name).ToLowerInvariant(), tag, digest, pushedAt);
        }

        // https://goharbor.io/docs/main/working-with-projects/project-configuration/configure-webhooks/ — PUSH_ARTIFACT, one event per resource.
        private static IReadOnlyList<RegistryEvent> Harbor(JsonElement root)
        {
            const RegistryProvider provider = RegistryProvider.Harbor;
            var type = Text(root, "type");
            if (type != "PUSH_ARTIFACT")
            {
                throw NotPush(provider, $"a '{type ?? "(no type)"}' event");
            }

            return HarborResources(provider, Node(root, "event_data") ?? throw Invalid(provider, "it has no event_data"), Time(Node(root, "occur_at")));
        }

        // Harbor's event_data (the Default format) and a Harbor CloudEvent's data hold the same resources and repository.
        private static IReadOnlyList<RegistryEvent> HarborResources(RegistryProvider provider, JsonElement eventData, DateTimeOffset? pushedAt)
        {
            var repository = Text(eventData, "repository", "repo_full_name") ?? throw Invalid(provider, "it has no repository.repo_full_name");
            if (Node(eventData, "resources") is not { ValueKind: JsonValueKind.Array } resources)
            {
                throw Invalid(provider, "it has no resources list");
            }

            var events = new List<RegistryEvent>();
            foreach (var resource in resources.EnumerateArray())
            {
                var url = Text(resource, "resource_url") ?? throw Invalid(provider, "a resource has no resource_url (its registry host)");
                var slash = url.IndexOf('/');
                var registry = slash > 0 ? url.Substring(0, slash).ToLowerInvariant() : throw Invalid(provider, "a resource_url has no registry host");
                var tag = Text(resource, "tag");
                events.Add(new RegistryEvent(provider, registry, repository, tag is not null && tag.StartsWith("sha256:", StringComparison.Ordinal) ? null : tag, Text(resource, "digest"), pushedAt));
            }

            return events;
        }

        // https://docs.quay.io/guides/notifications.html — Repository Push: docker_url and updated_tags (no digest, no time).
        private static IReadOnlyList<RegistryEvent> Quay(JsonElement root)
        {
            const RegistryProvider provider = RegistryProvider.Quay;
            var url = Text(root, "docker_url") ?? throw Invalid(provider, "it has no docker_url");
            var slash = url.IndexOf('/');
            if (slash <= 0)
            {
                throw Invalid(provider, "its docker_url has no registry host");
            }

            if (Node(root, "updated_tags") is not { ValueKind: JsonValueKind.Array } tags)
            {
                throw Invalid(provider, "it has no updated_tags list");
            }

            return tags.EnumerateArray()
                .Select(t => t.ValueKind == JsonValueKind.String ? t.GetString()! : throw Invalid(provider, "updated_tags holds a value that is not text"))
                .Select(t => new RegistryEvent(provider, url.Substring(0, slash).ToLowerInvariant(), url.Substring(slash + 1), t, null, null))
                .ToList();
        }

        // https://learn.microsoft.com/azure/container-registry/container-registry-webhook-reference — action push, target, request.host.
        private static RegistryEvent Acr(JsonElement root)
        {
            const RegistryProvider provider = RegistryProvider.AzureContainerRegistry;
            var action = Text(root, "action");
            if (action != "push")
            {
                throw NotPush(provider, $"a '{action ?? "(no action)"}' event");
            }

            var repository = Text(root, "target", "repository") ?? throw Invalid(provider, "it has no target.repository");
            var host = Text(root, "request", "host") ?? throw Invalid(provider, "it has no request.host (the registry)");
            return new RegistryEvent(provider, host.ToLowerInvariant(), repository, Text(root, "target", "tag"), Text(root, "target", "digest"), Time(Node(root, "timestamp")));
        }

        // https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html — "ECR Image Action", PUSH, SUCCESS.
        private static RegistryEvent Ecr(JsonElement root, RegistryProvider provider)
        {
            var detailType = Text(root, "detail-type");
            if (Text(root, "source") != "aws.ecr" || detailType != "ECR Image Action")
            {
                throw NotPush(provider, $"an EventBridge '{detailType ?? "(no detail-type)"}' event from '{Text(root, "source") ?? "(no source)"}'");
            }

            var actionType = Text(root, "detail", "action-type");
            var result = Text(root, "detail", "result");
            if (actionType != "PUSH" || result != "SUCCESS")
            {
                throw NotPush(provider, $"an ECR {actionType ?? "(no action-type)"} with result {result ?? "(none)"}");
            }

            var registry = EcrHost(provider, Text(root, "account"), Text(root, "region"));
            var repository = Text(root, "detail", "repository-name") ?? throw Invalid(provider, "it has no detail.repository-name");
            return new RegistryEvent(provider, registry, repository, Text(root, "detail", "image-tag"), Text(root, "detail", "image-digest"), Time(Node(root, "time")));
        }

        // https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/formats/json-format.md (structured) and the HTTP binding's ce- headers (binary).
        private static IReadOnlyList<RegistryEvent> CloudEvent(WebhookRequest request, JsonElement root, bool binary)
        {
            const RegistryProvider provider = RegistryProvider.CloudEvents;
            var type = binary ? request.Header("ce-type") : Text(root, "type");
            var source = binary ? request.Header("ce-source") : Text(root, "source");
            var subject = binary ? request.Header("ce-subject") : Text(root, "subject");
            var time = binary ? (DateTimeOffset.TryParse(request.Header("ce-time"), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal, out var t) ? t : (DateTimeOffset?)null) : Time(Node(root, "time"));
            if (string.IsNullOrEmpty(type))
            {
                throw Invalid(provider, "it has no CloudEvents type");
            }

            var data = binary ? root : Node(root, "data") ?? throw Invalid(provider, "it has no data object");
            if (Text(data, "detail-type") is not null)
            {
                var ecr = Ecr(data, provider);
                return new[] { new RegistryEvent(provider, ecr.Registry, ecr.Repository, ecr.Tag, ecr.Digest, ecr.PushedAt ?? time) };
            }

            if (type!.IndexOf("delete", StringComparison.OrdinalIgnoreCase) >= 0
                || (!type.StartsWith("com.amazon.ecr.", StringComparison.Ordinal) && type.IndexOf("image", StringComparison.OrdinalIgnoreCase) < 0
                    && type.IndexOf("container", StringComparison.OrdinalIgnoreCase) < 0 && type.IndexOf("push", StringComparison.OrdinalIgnoreCase) < 0))
            {
                throw NotPush(provider, $"a '{type}' CloudEvent");
            }

            // Harbor's CloudEvents format (type harbor.artifact.pushed) carries its Default event_data as data.
            if (Node(data, "resources") is { ValueKind: JsonValueKind.Array } && Node(data, "repository") is { ValueKind: JsonValueKind.Object })
            {
                return HarborResources(provider, data, time);
            }

            string? subjectRepository = null, subjectTag = null;
            var colon = subject?.LastIndexOf(':') ?? -1;
            if (colon > 0)
            {
                subjectRepository = subject!.Substring(0, colon);
                subjectTag = subject.Substring(colon + 1);
            }

            var repository = Text(data, "repositoryName") ?? Text(data, "repository") ?? subjectRepository ?? throw Invalid(provider, "it names no repository (data.repositoryName, data.repository or subject repo:tag)");
            var tag = Text(data, "imageTag") ?? Text(data, "tag") ?? subjectTag;
            var digest = Text(data, "imageDigest") ?? Text(data, "digest");
            string registry;
            if (type.StartsWith("com.amazon.ecr.", StringComparison.Ordinal))
            {
                // urn:aws:ecr:<region>:<account>:repository/<name>
                var parts = (source ?? string.Empty).Split(':');
                registry = EcrHost(provider, Text(data, "registryId") ?? (parts.Length > 4 ? parts[4] : null), parts.Length > 3 ? parts[3] : null);
            }
            else
            {
                var named = Text(data, "registryUrl") ?? Text(data, "registry")
                    ?? (Uri.TryCreate(source, UriKind.Absolute, out var uri) && (uri.Scheme == "https" || uri.Scheme == "http") ? uri.Authority : null)
                    ?? throw Invalid(provider, "it names no registry (data.registryUrl, data.registry or an http(s) source)");
                registry = Regex.Replace(named, "^https?://", string.Empty, RegexOptions.IgnoreCase).TrimEnd('/').ToLowerInvariant();
            }

            return new[] { new RegistryEvent(provider, registry, repository, tag, digest, time) };
        }

        private static string EcrHost(RegistryProvider provider, string? account, string? region)
        {
            if (account is null || !AwsAccount.IsMatch(account) || region is null || !AwsRegion.IsMatch(region))
            {
                throw Invalid(provider, "it has no 12-digit account and AWS region to name the ECR registry");
            }

            return $"{account}.dkr.ecr.{region}.amazonaws.com" + (region.StartsWith("cn-", StringComparison.Ordinal) ? ".cn" : string.Empty);
        }
    }
}
