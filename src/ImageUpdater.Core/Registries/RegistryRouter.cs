using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Http;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Registries.Ecr;
using ImageUpdater.Core.Registries.Oci;
using ImageUpdater.Core.Updating;

namespace ImageUpdater.Core.Registries
{
    /// <summary>How an image's tags are read.</summary>
    public enum RegistryRoute
    {
        /// <summary>The distribution API with the credentials of registries.conf (or -RegistryCredential).</summary>
        DistributionApi,

        /// <summary>The ECR API (DescribeImages: push times and digests without manifest reads).</summary>
        EcrApi,

        /// <summary>The distribution API with the image's pull-secret credentials.</summary>
        PullSecret,
    }

    /// <summary>
    /// The one place that decides which registry client serves an image, for every command: an image's pull-secret (unless an
    /// explicit registry credential is given) → a distribution-API client of its own, one per distinct value, sharing the metadata
    /// cache; an ECR host that registries.conf does not name → the ECR API; anything else → the distribution API. Each client
    /// lists a repository once per router (<see cref="CachingRegistryClient"/>), so a command's whole input shares listings.
    /// Clients are made on first use; thread-safe.
    /// </summary>
    public sealed class RegistryRouter : IPlannerSource, IDisposable
    {
        private readonly RegistrySettings settings;
        private readonly Lazy<ImageMetadataCache> cache;
        private readonly Lazy<Route<EcrRegistryClient>> ecr;
        private readonly Lazy<Route<OciRegistryClient>> oci;
        private readonly ConcurrentDictionary<string, byte> ignoredPullSecrets = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, Lazy<Route<OciRegistryClient>>> pullSecrets =
            new ConcurrentDictionary<string, Lazy<Route<OciRegistryClient>>>(StringComparer.Ordinal);

        public RegistryRouter(RegistrySettings settings)
        {
            this.settings = settings ?? throw new ArgumentNullException(nameof(settings));
            if (settings.MaxConcurrentListings < 0 || settings.MaxConcurrentManifestReads < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(settings), "Listings in flight are 0 (no limit) or more; manifest reads at least 1.");
            }

            cache = new Lazy<ImageMetadataCache>(() => new ImageMetadataCache(settings.MetadataCachePath ?? ImageMetadataCache.DefaultPath), LazyThreadSafetyMode.ExecutionAndPublication);
            ecr = new Lazy<Route<EcrRegistryClient>>(() =>
            {
                var client = new EcrRegistryClient(settings.Aws, null, settings.RetryPolicy, settings.EcrTransport) { Log = settings.Log, OnPage = settings.OnEcrPage, Limits = settings.Limits };
                return new Route<EcrRegistryClient>(client, settings);
            }, LazyThreadSafetyMode.ExecutionAndPublication);
            oci = new Lazy<Route<OciRegistryClient>>(() => new Route<OciRegistryClient>(NewOciClient(null), settings), LazyThreadSafetyMode.ExecutionAndPublication);
        }

        public RegistriesConfig Config => settings.Config;

        /// <summary>The rule: which API (and credentials) serve an image with this pull-secret annotation (null = none).</summary>
        public RegistryRoute RouteFor(ImageReference image, string? pullSecret = null)
        {
            if (image is null)
            {
                throw new ArgumentNullException(nameof(image));
            }

            // An explicit credential wins over everything on the distribution API, as it wins over registries.conf.
            if (!string.IsNullOrWhiteSpace(pullSecret) && settings.Credential is null)
            {
                return RegistryRoute.PullSecret;
            }

            return settings.Config.UsesEcrApi(image) ? RegistryRoute.EcrApi : RegistryRoute.DistributionApi;
        }

        /// <summary>The client (listing each repository once) that serves an image.</summary>
        public IRegistryClient ClientFor(ImageReference image, string? pullSecret = null) => RouteOf(image, pullSecret).Cached;

        /// <summary>The client that serves an annotated image (its pull-secret included).</summary>
        public IRegistryClient ClientFor(ImageSpec spec) => RouteOf(Spec(spec).Reference, spec.PullSecret, spec).Cached;

        public ImageUpdatePlanner PlannerFor(ImageSpec spec) => RouteOf(Spec(spec).Reference, spec.PullSecret, spec).Planner;

        /// <summary>
        /// The ECR API client, for repositories named without a registry host (the caller's own account, Find-EcrTag -Repository).
        /// </summary>
        public IRegistryClient EcrApi => ecr.Value.Cached;

        /// <summary>The registry host of an ECR account in the region from the AWS settings (-RegistryId).</summary>
        public string EcrRegistryHost(string registryId) => EcrHost.RegistryHost(registryId, ecr.Value.Client.ClientFor(null).Region);

        /// <summary>The repository name to list: a host-less image goes to the client's default registry, which adds its own default namespace; a written host is passed as is.</summary>
        public static string RepositoryNameFor(ImageReference image)
        {
            if (image is null)
            {
                throw new ArgumentNullException(nameof(image));
            }

            return image.Registry is null ? image.Repository : image.ApiRepository;
        }

        /// <summary>Where an image's tags come from, for -Verbose (no secret: the pull-secret reference is not shown).</summary>
        public string Describe(ImageReference image, string? pullSecret = null)
        {
            switch (RouteFor(image, pullSecret))
            {
                case RegistryRoute.EcrApi:
                    return "ECR API (DescribeImages)";
                case RegistryRoute.PullSecret:
                    return $"distribution API at {settings.Config.Find(image).ApiUrl} with the image's pull-secret credentials";
                default:
                    var endpoint = settings.Config.Find(image);
                    return $"distribution API, registry {endpoint.Name} at {endpoint.ApiUrl}";
            }
        }

        /// <summary>Requests sent, by API and kind (<c>ecr DescribeImages</c>, <c>oci tags</c>).</summary>
        public IReadOnlyDictionary<string, int> Requests
        {
            get
            {
                var all = new SortedDictionary<string, int>(StringComparer.Ordinal);
                void Add(string api, IReadOnlyDictionary<string, int> counts)
                {
                    foreach (var pair in counts)
                    {
                        all.TryGetValue(api + " " + pair.Key, out var sum);
                        all[api + " " + pair.Key] = sum + pair.Value;
                    }
                }

                if (ecr.IsValueCreated)
                {
                    Add("ecr", ecr.Value.Client.Requests);
                }

                foreach (var route in OciRoutes())
                {
                    Add("oci", route.Client.Requests);
                }

                return all;
            }
        }

        /// <summary>Requests sent again after throttling or a server error.</summary>
        public int Retries => (ecr.IsValueCreated ? ecr.Value.Client.Retries : 0) + OciRoutes().Sum(r => r.Client.Retries);

        /// <summary>Repositories actually listed (the rest were shared).</summary>
        public int Listings => (ecr.IsValueCreated ? ecr.Value.Cached.Listings : 0) + OciRoutes().Sum(r => r.Cached.Listings);

        /// <summary>One line for -Verbose: requests by API and kind, and retries; null when nothing was asked.</summary>
        public string? DescribeRequests()
        {
            var counts = Requests;
            if (counts.Count == 0)
            {
                return null;
            }

            var retries = Retries;
            return "Registry requests: " + string.Join(", ", counts.Select(c => c.Key + " " + c.Value)) + (retries > 0 ? $" ({retries} retried)" : string.Empty);
        }

        public void Dispose()
        {
            if (ecr.IsValueCreated)
            {
                ecr.Value.Dispose();
            }

            foreach (var route in OciRoutes())
            {
                route.Dispose();
            }

            pullSecrets.Clear();
        }

        private static ImageSpec Spec(ImageSpec spec) => spec ?? throw new ArgumentNullException(nameof(spec));

        private IEnumerable<Route<OciRegistryClient>> OciRoutes() =>
            (oci.IsValueCreated ? new[] { oci.Value } : Enumerable.Empty<Route<OciRegistryClient>>())
                .Concat(pullSecrets.Values.Where(r => r.IsValueCreated).Select(r => r.Value));

        /// <summary>
        /// The route of an image; <paramref name="annotated"/> is the spec when the pull-secret comes from an Application's annotations
        /// (untrusted: checked against <see cref="RegistrySettings.PullSecretPolicy"/> and the application's namespace), null when the operator gave it.
        /// </summary>
        private IRoute RouteOf(ImageReference image, string? pullSecret, ImageSpec? annotated = null)
        {
            if (annotated is not null && !string.IsNullOrWhiteSpace(pullSecret) && CredentialSource.SyntaxProblem(pullSecret!) is { } problem)
            {
                // Upstream ignores a pull-secret it cannot parse and uses the registry's own credentials; a refused (well-formed) one still fails.
                if (ignoredPullSecrets.TryAdd(annotated.ApplicationNamespace + "\u0001" + pullSecret, 0))
                {
                    settings.Warn?.Invoke($"The pull-secret of {annotated.Image} is ignored and the registry's own credentials are used: {problem}");
                }

                pullSecret = null;
            }

            switch (RouteFor(image, pullSecret))
            {
                case RegistryRoute.EcrApi:
                    return ecr.Value;
                case RegistryRoute.PullSecret:
                    var value = pullSecret!.Trim();
                    var key = annotated is null ? "operator\u0001" + value : "annotation\u0001" + annotated.ApplicationNamespace + "\u0001" + value;
                    return pullSecrets.GetOrAdd(key, k => new Lazy<Route<OciRegistryClient>>(
                        () => new Route<OciRegistryClient>(NewOciClient(annotated is null ? CredentialSource.Parse(value) : CredentialSource.FromAnnotation(value, annotated.ApplicationNamespace, settings.PullSecretPolicy)), settings),
                        LazyThreadSafetyMode.ExecutionAndPublication)).Value;
                default:
                    return oci.Value;
            }
        }

        private OciRegistryClient NewOciClient(CredentialSource? pullSecret) =>
            new OciRegistryClient(settings.Config, new OciClientOptions
            {
                Credential = settings.Credential,
                CredentialScope = settings.CredentialScope,
                AllowedTokenRealms = settings.AllowedTokenRealms,
                CredentialSource = pullSecret,
                ThrottleLimit = settings.MaxConcurrentManifestReads,
                Cache = cache.Value,
                Secrets = settings.Secrets,
                RetryPolicy = settings.RetryPolicy,
                Limits = settings.Limits,
                Transport = settings.OciTransport,
            })
            {
                Log = settings.Log,
                OnProgress = settings.OnMetadataProgress,
            };

        private interface IRoute
        {
            CachingRegistryClient Cached { get; }

            ImageUpdatePlanner Planner { get; }
        }

        /// <summary>A client, its run cache and the planner over it.</summary>
        private sealed class Route<TClient> : IRoute, IDisposable
            where TClient : IRegistryClient, IDisposable
        {
            public Route(TClient client, RegistrySettings settings)
            {
                Client = client;
                Cached = new CachingRegistryClient(client, settings.MaxConcurrentListings, settings.Lifetime);
                Planner = new ImageUpdatePlanner(Cached) { Limits = settings.Limits, CurrentTags = settings.CurrentTags, DefaultPlatforms = settings.DefaultPlatforms };
            }

            public TClient Client { get; }

            public CachingRegistryClient Cached { get; }

            public ImageUpdatePlanner Planner { get; }

            public void Dispose()
            {
                Cached.Dispose();
                Client.Dispose();
            }
        }
    }
}
