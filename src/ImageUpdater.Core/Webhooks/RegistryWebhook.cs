using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using ImageUpdater.Core.Tags;

namespace ImageUpdater.Core.Webhooks
{
    /// <summary>
    /// A registry webhook request → the images it says were pushed. The provider is told by its headers (X-GitHub-Event,
    /// ce-specversion) or its body's shape; with a secret the request is verified first (<see cref="WebhookSecret"/>). Every
    /// event is checked whole — registry host, repository path, tag and digest by the OCI grammar — or the request fails:
    /// there is no partial event.
    /// </summary>
    public static class RegistryWebhook
    {
        /// <summary>What the parser recognises, for error messages.</summary>
        public const string Expected = "a push from Docker Hub, GitHub (package or registry_package), Harbor (PUSH_ARTIFACT), Quay (repository push), " +
            "Azure Container Registry (push), Amazon ECR through EventBridge (ECR Image Action) or a CloudEvent";

        private static readonly Regex RepositoryPath = new Regex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$", RegexOptions.CultureInvariant);
        private static readonly Regex Host = new Regex(@"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::[0-9]{1,5})?$", RegexOptions.CultureInvariant);

        /// <summary>The pushes in <paramref name="request"/>; <paramref name="provider"/> null = detect it.</summary>
        /// <exception cref="ImageUpdaterException">WebhookPayloadInvalid / WebhookProviderUnknown / WebhookEventNotPush (InvalidData), WebhookSecretMissing / WebhookSecretMismatch (SecurityError).</exception>
        public static IReadOnlyList<RegistryEvent> Parse(WebhookRequest request, string? secret = null, RegistryProvider? provider = null)
        {
            if (request.Body.Length > WebhookRequest.MaxBodyLength)
            {
                throw Invalid(provider, $"the body is {request.Body.Length} characters, more than the {WebhookRequest.MaxBodyLength} a registry webhook sends");
            }

            var binaryCloudEvent = request.Header("ce-specversion") is not null;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(request.Body, new JsonDocumentOptions { MaxDepth = 64 });
            }
            catch (JsonException ex)
            {
                throw Invalid(provider, "the body is not JSON (" + ex.Message + ")");
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw Invalid(provider, "the body is not a JSON object");
                }

                var detected = provider ?? Detect(request, root, binaryCloudEvent);

                // Verified before anything is read from the body, so a forged request yields an error and no events.
                if (!string.IsNullOrEmpty(secret))
                {
                    if (detected == RegistryProvider.GitHub)
                    {
                        WebhookSecret.VerifySignature(request, secret!, detected);
                    }
                    else
                    {
                        WebhookSecret.VerifyShared(request, secret!, detected);
                    }
                }

                var events = ProviderPayloads.Read(detected, request, root, binaryCloudEvent);
                if (events.Count == 0)
                {
                    throw Invalid(detected, "it names no pushed image");
                }

                return events.Select(e => Checked(e) with { WebhookName = request.WebhookName }).ToList();
            }
        }

        private static RegistryProvider Detect(WebhookRequest request, JsonElement root, bool binaryCloudEvent)
        {
            if (request.Header("X-GitHub-Event") is not null || root.TryGetProperty("registry_package", out _) || (root.TryGetProperty("package", out var p) && p.ValueKind == JsonValueKind.Object))
            {
                return RegistryProvider.GitHub;
            }

            if (binaryCloudEvent || root.TryGetProperty("specversion", out _))
            {
                return RegistryProvider.CloudEvents;
            }

            if (root.TryGetProperty("detail-type", out _) && root.TryGetProperty("detail", out _))
            {
                return RegistryProvider.AmazonEcr;
            }

            if (root.TryGetProperty("push_data", out _))
            {
                return RegistryProvider.DockerHub;
            }

            if (root.TryGetProperty("event_data", out _))
            {
                return RegistryProvider.Harbor;
            }

            if (root.TryGetProperty("updated_tags", out _) || root.TryGetProperty("docker_url", out _))
            {
                return RegistryProvider.Quay;
            }

            if (root.TryGetProperty("target", out _) && root.TryGetProperty("action", out _))
            {
                return RegistryProvider.AzureContainerRegistry;
            }

            throw new ImageUpdaterException("WebhookProviderUnknown", FailureKind.InvalidData, $"The webhook body is JSON of no known registry; expected {Expected}. Use -Provider to name it.");
        }

        private static RegistryEvent Checked(RegistryEvent e)
        {
            if (!Host.IsMatch(e.Registry))
            {
                throw Invalid(e.Provider, $"the registry '{Shorten(e.Registry)}' is not a host name");
            }

            if (!RepositoryPath.IsMatch(e.Repository) || e.Repository.Length > 255)
            {
                throw Invalid(e.Provider, $"the repository '{Shorten(e.Repository)}' is not an OCI repository path (lower-case letters, digits, separators)");
            }

            if (e.Tag is not null && !OciName.IsValidTag(e.Tag))
            {
                throw Invalid(e.Provider, $"the tag '{Shorten(e.Tag)}' is not a valid OCI tag");
            }

            if (e.Digest is not null && !OciName.IsValidDigest(e.Digest))
            {
                throw Invalid(e.Provider, $"the digest '{Shorten(e.Digest)}' is not a valid OCI digest");
            }

            if (e.Tag is null && e.Digest is null)
            {
                throw Invalid(e.Provider, $"the push of {e.Registry}/{e.Repository} names neither a tag nor a digest");
            }

            return e;
        }

        private static string Shorten(string text) => text.Length > 80 ? text.Substring(0, 80) + "…" : text;

        internal static ImageUpdaterException Invalid(RegistryProvider? provider, string why) =>
            new ImageUpdaterException("WebhookPayloadInvalid", FailureKind.InvalidData, $"The {(provider is null ? "registry" : provider.ToString())} webhook is not a push this module can read: {why}; expected {Expected}.", provider?.ToString());

        internal static ImageUpdaterException NotPush(RegistryProvider provider, string what) =>
            new ImageUpdaterException("WebhookEventNotPush", FailureKind.InvalidData, $"The {provider} webhook is {what}, not an image push; nothing to run.", provider.ToString());

        /// <summary>A string at <paramref name="path"/> (object keys), or null when absent, empty or not a string.</summary>
        internal static string? Text(JsonElement element, params string[] path)
        {
            foreach (var key in path)
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(key, out element))
                {
                    return null;
                }
            }

            return element.ValueKind == JsonValueKind.String && element.GetString()!.Length > 0 ? element.GetString() : null;
        }

        internal static JsonElement? Node(JsonElement element, params string[] path)
        {
            foreach (var key in path)
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(key, out element))
                {
                    return null;
                }
            }

            return element;
        }

        /// <summary>A time as Unix seconds (a number) or RFC 3339 text; GitHub's 0001-01-01 means unset.</summary>
        internal static DateTimeOffset? Time(JsonElement? element)
        {
            if (element is not { } value)
            {
                return null;
            }

            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds) && seconds > 0 && seconds < 253402300800)
            {
                return DateTimeOffset.FromUnixTimeSeconds(seconds);
            }

            if (value.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) && time.Year > 1)
            {
                return time.ToUniversalTime();
            }

            return null;
        }
    }
}
