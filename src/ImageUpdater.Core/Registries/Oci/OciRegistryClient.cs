using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Http;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Tags;

namespace ImageUpdater.Core.Registries.Oci
{
    /// <summary>Settings of an <see cref="OciRegistryClient"/> beyond registries.conf.</summary>
    public sealed class OciClientOptions
    {
        /// <summary>Used for every registry instead of its registries.conf credentials (-Credential).</summary>
        public NetworkCredential? Credential { get; set; }

        /// <summary>Where <see cref="Credential"/> may go; null = every registry (a caller that named the image itself).</summary>
        public Security.CredentialScope? CredentialScope { get; set; }

        /// <summary>Used for every registry instead of its registries.conf credentials (an image's pull-secret annotation).</summary>
        public CredentialSource? CredentialSource { get; set; }

        /// <summary>Metadata reads in flight at once per repository (-ThrottleLimit).</summary>
        public int ThrottleLimit { get; set; } = 8;

        public ImageMetadataCache Cache { get; set; } = new ImageMetadataCache();

        /// <summary>Reads Kubernetes secrets for <c>secret:</c> and <c>pullsecret:</c> credentials; null = none available.</summary>
        public ISecretReader? Secrets { get; set; }

        public RetryPolicy? RetryPolicy { get; set; }

        /// <summary>Token realm URL prefixes that may receive credentials over http on another origin (-AllowTokenRealm).</summary>
        public IReadOnlyList<string> AllowedTokenRealms { get; set; } = Array.Empty<string>();

        /// <summary>Timeout of <c>ext:</c> credential scripts.</summary>
        public TimeSpan ScriptTimeout { get; set; } = CredentialSource.DefaultScriptTimeout;

        /// <summary>Pages, tags and bytes one repository's listing may take.</summary>
        public TagListLimits Limits { get; set; } = TagListLimits.Default;

        /// <summary>Makes the transport of each registry (tests); null = a plain HttpClientHandler.</summary>
        public Func<RegistryEndpoint, HttpMessageHandler>? Transport { get; set; }
    }

    /// <summary>
    /// Lists tags of any OCI registry through the distribution API, choosing the endpoint and credentials by registries.conf.
    /// With metadata asked (newest-build, digest, platforms) each tag is resolved with a HEAD and its digest's manifests and config
    /// read once, ever: results are kept by digest in <see cref="ImageMetadataCache"/>.
    /// </summary>
    public sealed class OciRegistryClient : IRegistryClient, IDisposable
    {
        private readonly ConcurrentDictionary<string, Lazy<DistributionClient>> clients = new ConcurrentDictionary<string, Lazy<DistributionClient>>(StringComparer.OrdinalIgnoreCase);

        public OciRegistryClient(RegistriesConfig? config = null, OciClientOptions? options = null)
        {
            Config = config ?? RegistriesConfig.Empty;
            Options = options ?? new OciClientOptions();
        }

        public RegistriesConfig Config { get; }

        public OciClientOptions Options { get; }

        /// <summary>Receives one line per request and retry, for -Verbose.</summary>
        public Action<string>? Log { get; set; }

        /// <summary>Called with (repository, tags resolved, tags in all) while metadata is read, for progress.</summary>
        public Action<string, int, int>? OnProgress { get; set; }

        /// <summary>Requests sent over every registry, by kind.</summary>
        public IReadOnlyDictionary<string, int> Requests =>
            clients.Values.Where(c => c.IsValueCreated).SelectMany(c => c.Value.Requests.Counts)
                .GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Sum(p => p.Value), StringComparer.Ordinal);

        /// <summary>Requests sent again after a throttling or server error, over every registry.</summary>
        public int Retries => clients.Values.Where(c => c.IsValueCreated).Sum(c => c.Value.Retries);

        public bool Handles(string registry) => true;

        /// <summary>The endpoint (and API repository name) serving an image.</summary>
        public (RegistryEndpoint Endpoint, string Repository) Resolve(string? registry, string repository)
        {
            var reference = ImageReference.Parse(string.IsNullOrEmpty(registry) ? repository : registry + "/" + repository);
            var endpoint = Config.Find(reference);
            var name = reference.Repository;
            if (!name.Contains("/") && !string.IsNullOrEmpty(endpoint.DefaultNamespace))
            {
                name = endpoint.DefaultNamespace + "/" + name;
            }

            return (endpoint, name);
        }

        /// <summary>The API client of an endpoint; one per endpoint, shared by every repository on it.</summary>
        public DistributionClient ClientFor(RegistryEndpoint endpoint) =>
            clients.GetOrAdd(endpoint.Name + "|" + endpoint.ApiUrl + "|" + endpoint.Line, _ => new Lazy<DistributionClient>(() => CreateClient(endpoint), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

        private DistributionClient CreateClient(RegistryEndpoint endpoint)
        {
            var source = Options.CredentialSource ?? endpoint.Credentials;
            if (source is not null)
            {
                source.ScriptTimeout = Options.ScriptTimeout;
            }

            var host = Uri.TryCreate(endpoint.ApiUrl, UriKind.Absolute, out var api) ? api.Authority : endpoint.Prefix;
            var given = Options.Credential;
            var target = (api?.Scheme ?? "https") + "://" + (endpoint.Prefix.Length > 0 ? endpoint.Prefix : host);
            if (given is not null && Options.CredentialScope?.Problem(target) is { } outOfScope)
            {
                Log?.Invoke($"The given registry credential is not used for {endpoint.Name}: {outOfScope}.");
                given = null;
            }

            var credentials = given is not null
                ? new RegistryCredentials(given)
                : new RegistryCredentials(null, source, endpoint.CredentialsExpire, host, Options.Secrets);
            var client = new DistributionClient(endpoint, credentials, Options.RetryPolicy, Options.Transport?.Invoke(endpoint)) { Log = Log, Limits = Options.Limits };
            client.Auth.AllowedTokenRealms = Options.AllowedTokenRealms;
            return client;
        }

        public async Task<IReadOnlyList<ImageTag>> ListTagsAsync(string? registry, string repository, TagListOptions options, CancellationToken cancellationToken = default)
        {
            options ??= TagListOptions.Default;
            var (endpoint, name) = Resolve(registry, repository);
            var client = ClientFor(endpoint);
            var names = await client.ListTagsAsync(name, cancellationToken).ConfigureAwait(false);
            var host = registry ?? ImageReference.DockerHub;
            var tags = names.Select(n => new ImageTag(n) { Registry = host, Repository = repository }).ToList();

            if (endpoint.TagSortMode != TagSortMode.None)
            {
                // The registry lists tags by time: order stands in for build dates, and no manifest is read (as upstream).
                var epoch = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
                for (var i = 0; i < tags.Count; i++)
                {
                    tags[i].CreatedAt = epoch.AddSeconds(endpoint.TagSortMode == TagSortMode.LatestFirst ? tags.Count - i : i);
                }

                return tags;
            }

            if (!options.NeedsMetadata && options.Platforms.Count == 0)
            {
                return tags;
            }

            var wanted = options.OnlyTag is null ? tags : tags.Where(t => t.Tag == options.OnlyTag).ToList();
            await ReadMetadataAsync(client, name, wanted, options.Platforms, cancellationToken).ConfigureAwait(false);
            Options.Cache.Save();
            return tags;
        }

        /// <summary>Fills Digest, MediaType, Platforms and CreatedAt (newest among the wanted platforms) of each tag, ThrottleLimit at a time.</summary>
        public async Task ReadMetadataAsync(DistributionClient client, string repository, IReadOnlyList<ImageTag> tags, IReadOnlyList<string> platforms, CancellationToken cancellationToken)
        {
            PlatformFilter.TryParse(platforms, out var wanted, out _);
            // With nothing cached every digest is new, so a HEAD would only precede the GET: read manifests directly.
            var cold = Options.Cache.Count == 0;
            using var slots = new SemaphoreSlim(Math.Max(1, Options.ThrottleLimit));
            var done = 0;
            var work = tags.Select(async tag =>
            {
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    try
                    {
                        await ReadTagAsync(client, repository, tag, wanted, cold, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is JsonException || e is KeyNotFoundException || e is InvalidOperationException)
                    {
                        throw new ImageUpdaterException("RegistryResponseInvalid", FailureKind.InvalidData, $"{client.Endpoint.Name} answered for {repository}:{tag.Tag} with a manifest or image config that is not valid JSON of the OCI image spec ({e.Message}).", repository + ":" + tag.Tag, e);
                    }
                }
                finally
                {
                    slots.Release();
                    OnProgress?.Invoke(repository, Interlocked.Increment(ref done), tags.Count);
                }
            }).ToList();
            await Task.WhenAll(work).ConfigureAwait(false);
        }

        private async Task ReadTagAsync(DistributionClient client, string repository, ImageTag tag, PlatformFilter wanted, bool cold, CancellationToken cancellationToken)
        {
            var head = cold ? null : await client.HeadManifestAsync(repository, tag.Tag, cancellationToken).ConfigureAwait(false);
            ManifestResponse? fetched = null;
            if (head is null)
            {
                fetched = await client.GetManifestAsync(repository, tag.Tag, cancellationToken).ConfigureAwait(false);
                head = fetched;
            }

            tag.Digest = head.Digest;
            var metadata = await MetadataAsync(client, repository, head.Digest, fetched, cancellationToken).ConfigureAwait(false);
            tag.MediaType = metadata.MediaType ?? head.MediaType;
            if (metadata.Manifests is { } children)
            {
                tag.Platforms = children.Select(c => c.Platform).ToList();
                DateTimeOffset? newest = null;
                foreach (var child in children.Where(c => wanted.Admits(new[] { c.Platform })))
                {
                    var one = await MetadataAsync(client, repository, child.Digest, null, cancellationToken).ConfigureAwait(false);
                    if (one.Created is { } created && (newest is null || created > newest))
                    {
                        newest = created;
                        tag.Labels = one.Labels ?? ImageTag.NoLabels;
                    }
                }

                tag.CreatedAt = newest;
            }
            else
            {
                tag.Platforms = metadata.Platform is null ? Array.Empty<string>() : new[] { metadata.Platform };
                tag.CreatedAt = metadata.Platform is null || wanted.Admits(new[] { metadata.Platform }) ? metadata.Created : null;
                tag.Labels = metadata.Labels ?? ImageTag.NoLabels;
            }
        }

        /// <summary>The metadata of a digest: from the cache, or read (manifest, then config blob) and cached.</summary>
        private async Task<ManifestMetadata> MetadataAsync(DistributionClient client, string repository, string digest, ManifestResponse? manifest, CancellationToken cancellationToken)
        {
            // An image entry cached before labels were kept is read again once.
            if (Options.Cache.TryGet(digest, out var cached) && (cached.Manifests is not null || cached.Labels is not null || cached.Platform is null && cached.Created is null))
            {
                return cached;
            }

            manifest ??= await client.GetManifestAsync(repository, digest, cancellationToken).ConfigureAwait(false);
            var metadata = new ManifestMetadata();
            using (var doc = JsonDocument.Parse(manifest.Body!))
            {
                var root = doc.RootElement;
                metadata.MediaType = root.TryGetProperty("mediaType", out var mt) && mt.GetString() is { Length: > 0 } declared ? declared : manifest.MediaType;
                if (OciMediaTypes.IsIndex(metadata.MediaType) || (root.TryGetProperty("manifests", out var probe) && probe.ValueKind == JsonValueKind.Array))
                {
                    metadata.Manifests = ManifestIndex.Entries(root).ToList();
                }
                else if (root.TryGetProperty("config", out var config) && config.TryGetProperty("digest", out var configDigest))
                {
                    var blob = await client.GetBlobAsync(repository, configDigest.GetString()!, cancellationToken).ConfigureAwait(false);
                    using var image = JsonDocument.Parse(blob);
                    metadata.Platform = ManifestIndex.PlatformOf(image.RootElement);
                    metadata.Labels = LabelsOf(image.RootElement);
                    if (image.RootElement.TryGetProperty("created", out var created) && created.ValueKind == JsonValueKind.String
                        && DateTimeOffset.TryParse(created.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when))
                    {
                        metadata.Created = when;
                    }
                }
            }

            Options.Cache.Set(digest, metadata);
            return metadata;
        }

        /// <summary>The string labels of an image config (<c>config.Labels</c>); empty when it has none, as upstream.</summary>
        internal static Dictionary<string, string> LabelsOf(JsonElement image)
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (image.ValueKind == JsonValueKind.Object && image.TryGetProperty("config", out var config) && config.ValueKind == JsonValueKind.Object
                && config.TryGetProperty("Labels", out var found) && found.ValueKind == JsonValueKind.Object)
            {
                foreach (var label in found.EnumerateObject())
                {
                    if (label.Value.ValueKind == JsonValueKind.String)
                    {
                        labels[label.Name] = label.Value.GetString()!;
                    }
                }
            }

            return labels;
        }

        public void Dispose()
        {
            foreach (var client in clients.Values.Where(c => c.IsValueCreated))
            {
                client.Value.Dispose();
            }
        }
    }
}
