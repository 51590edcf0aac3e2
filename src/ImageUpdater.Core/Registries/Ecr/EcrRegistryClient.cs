using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Http;
using ImageUpdater.Core.Tags;

namespace ImageUpdater.Core.Registries.Ecr
{
    /// <summary>
    /// Lists ECR repositories as <see cref="ImageTag"/>s: one DescribeImages page per 1000 images, plus BatchGetImage for manifest
    /// lists when platforms are asked. Routes each registry host to an <see cref="EcrClient"/> of its region.
    /// </summary>
    public sealed class EcrRegistryClient : IRegistryClient, IListingKey, IDisposable
    {
        private readonly AwsOptions options;
        private readonly RetryPolicy? retryPolicy;
        private readonly Func<HttpMessageHandler>? transport;
        private readonly ConcurrentDictionary<string, Lazy<EcrClient>> clients = new ConcurrentDictionary<string, Lazy<EcrClient>>(StringComparer.Ordinal);

        /// <param name="defaultRegistryId">The account used when a call names no registry host (null = the caller's own).</param>
        public EcrRegistryClient(AwsOptions options, string? defaultRegistryId = null, RetryPolicy? retryPolicy = null, Func<HttpMessageHandler>? transport = null)
        {
            this.options = options ?? throw new ArgumentNullException(nameof(options));
            DefaultRegistryId = defaultRegistryId;
            this.retryPolicy = retryPolicy;
            this.transport = transport;
        }

        public string? DefaultRegistryId { get; }

        /// <summary>Receives one line per API call and retry, for -Verbose.</summary>
        public Action<string>? Log { get; set; }

        /// <summary>Pages, images and bytes one repository's listing may take.</summary>
        public TagListLimits Limits { get; set; } = TagListLimits.Default;

        /// <summary>Called with (repository, pages read so far) while listing, for progress.</summary>
        public Action<string, int>? OnPage { get; set; }

        /// <summary>Requests sent per operation over every region's client.</summary>
        public IReadOnlyDictionary<string, int> Requests =>
            clients.Values.Where(c => c.IsValueCreated).SelectMany(c => c.Value.Requests)
                .GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Sum(p => p.Value));

        public int Retries => clients.Values.Where(c => c.IsValueCreated).Sum(c => c.Value.Retries);

        public bool Handles(string registry) => EcrHost.IsEcrHost(registry);

        /// <summary>DescribeImages gives digests and push times for every tag, so only platforms (BatchGetImage) change a listing.</summary>
        public string ListingKey(TagListOptions options) => string.Join(",", options.Platforms);

        /// <summary>The client of a region (null = the region from options and the environment); created once, thread-safe.</summary>
        public EcrClient ClientFor(string? hostRegion)
        {
            var key = hostRegion ?? options.Region ?? string.Empty;
            return clients.GetOrAdd(key, _ => new Lazy<EcrClient>(
                () =>
                {
                    var client = new EcrClient(options, hostRegion, retryPolicy, transport?.Invoke()) { Log = Log, Limits = Limits };
                    Log?.Invoke($"ECR region {client.Region} (from {client.RegionSource}), endpoint {client.Endpoint}, credentials from {client.CredentialSource}");
                    return client;
                },
                LazyThreadSafetyMode.ExecutionAndPublication)).Value;
        }

        public async Task<IReadOnlyList<ImageTag>> ListTagsAsync(string? registry, string repository, TagListOptions listOptions, CancellationToken cancellationToken = default)
        {
            listOptions ??= TagListOptions.Default;
            string? registryId = DefaultRegistryId;
            string? hostRegion = null;
            if (!string.IsNullOrEmpty(registry))
            {
                var host = EcrHost.Parse(registry!);
                registryId = host.AccountId;
                hostRegion = host.Region;
            }

            var client = ClientFor(hostRegion);
            var details = await client.DescribeImagesAsync(repository, registryId, page => OnPage?.Invoke(repository, page), cancellationToken).ConfigureAwait(false);
            var platforms = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            if (listOptions.Platforms.Count > 0)
            {
                // Only manifest lists name their platforms; a single manifest's platform is in its config blob, which this API does not serve.
                var lists = details.Where(d => d.ImageDigest is not null && Oci.OciMediaTypes.IsIndex(d.ImageManifestMediaType)).Select(d => d.ImageDigest!).ToList();
                if (lists.Count > 0)
                {
                    foreach (var manifest in await client.BatchGetImageAsync(repository, lists, registryId, cancellationToken).ConfigureAwait(false))
                    {
                        if (manifest.ImageDigest is not null && manifest.Manifest is not null)
                        {
                            platforms[manifest.ImageDigest] = ManifestIndex.Platforms(manifest.Manifest);
                        }
                    }
                }
            }

            var registryHost = registry ?? (registryId is null ? null : EcrHost.RegistryHost(registryId, client.Region));
            var tags = new List<ImageTag>(details.Count);
            string? hostOfId = null;
            string? hostFor = null;
            foreach (var detail in details)
            {
                var known = detail.ImageDigest is not null && platforms.TryGetValue(detail.ImageDigest, out var p) ? p : Array.Empty<string>();
                if (registryHost is null && detail.RegistryId is not null && !ReferenceEquals(detail.RegistryId, hostFor))
                {
                    // The page reader shares a registry id between images, so the host is built once a page, not once a tag.
                    hostFor = detail.RegistryId;
                    hostOfId = EcrHost.RegistryHost(detail.RegistryId, client.Region);
                }

                foreach (var tag in detail.ImageTags)
                {
                    tags.Add(new ImageTag(tag)
                    {
                        Registry = registryHost ?? (detail.RegistryId is null ? null : hostOfId),
                        Repository = repository,
                        Digest = detail.ImageDigest,
                        PushedAt = detail.ImagePushedAt,
                        SizeBytes = detail.ImageSizeInBytes,
                        MediaType = detail.ImageManifestMediaType,
                        Platforms = known,
                    });
                }
            }

            return tags;
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
