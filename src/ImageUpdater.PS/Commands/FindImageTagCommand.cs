using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using ImageUpdater.Core;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Registries.Ecr;
using ImageUpdater.Core.Registries.Oci;
using ImageUpdater.Core.Tags;
using ImageUpdater.Core.Updating;
using ImageUpdater.PS.Completion;

namespace ImageUpdater.PS.Commands
{
    /// <summary>Finds the newest allowed tags of an image in any OCI registry (Docker Hub, GHCR, Quay, Harbor, ACR, ECR…), or the update candidates of Argo CD Applications.</summary>
    // Applications are the default set so that an ArgoApplication on the pipeline is never bound to -Image as text.
    [Cmdlet(VerbsCommon.Find, "ImageTag", DefaultParameterSetName = ApplicationSet)]
    [OutputType(typeof(ImageTag), ParameterSetName = new[] { ImageSet })]
    [OutputType(typeof(ImageUpdateCandidate), ParameterSetName = new[] { ApplicationSet })]
    public sealed class FindImageTagCommand : ImageUpdaterCmdlet
    {
        private const string ImageSet = "Image";
        private const string ApplicationSet = "Application";

        private readonly CancellationTokenSource stopping = new CancellationTokenSource();
        private OciRegistryClient? oci;
        private KubernetesSecretReader? kube;
        private CachingRegistryClient? cached;
        private ImageUpdatePlanner? ociPlanner;
        private readonly Dictionary<string, (OciRegistryClient Client, ImageUpdatePlanner Planner)> pullSecretPlanners = new Dictionary<string, (OciRegistryClient, ImageUpdatePlanner)>(StringComparer.Ordinal);
        private EcrRegistryClient? ecr;
        private ImageUpdatePlanner? ecrPlanner;
        private (string Repository, int Done, int Total) progress;

        /// <summary>The image: <c>[registry/]repository[:constraint]</c> (<c>nginx</c>, <c>ghcr.io/org/app</c>, <c>quay.io/org/app:~1.4</c>).</summary>
        [Parameter(ParameterSetName = ImageSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Image { get; set; } = string.Empty;

        [Parameter(ParameterSetName = ImageSet)]
        [ValidateUpdateStrategy]
        [ArgumentCompleter(typeof(UpdateStrategyCompleter))]
        public string UpdateStrategy { get; set; } = "semver";

        [Parameter(ParameterSetName = ImageSet, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string? Constraint { get; set; }

        [Parameter(ParameterSetName = ImageSet)]
        [ValidateNotNullOrEmpty]
        public string? AllowTags { get; set; }

        [Parameter(ParameterSetName = ImageSet)]
        [ValidateNotNull]
        public string[] IgnoreTags { get; set; } = Array.Empty<string>();

        [Parameter(ParameterSetName = ImageSet)]
        [ValidateNotNull]
        public string[] Platform { get; set; } = Array.Empty<string>();

        /// <summary>Only the best n tags (<c>-First 1</c> is the winner).</summary>
        [Parameter(ParameterSetName = ImageSet)]
        [ValidateRange(1, int.MaxValue)]
        public int First { get; set; } = int.MaxValue;

        /// <summary>Applications from Get-ArgoApplication: one candidate per image of each.</summary>
        [Parameter(ParameterSetName = ApplicationSet, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ArgoApplication[] Application { get; set; } = Array.Empty<ArgoApplication>();

        /// <summary>registries.conf, or the argocd-image-updater-config ConfigMap manifest that holds it.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? RegistriesConfig { get; set; }

        /// <summary>User and password (or token) for the registry; wins over registries.conf credentials.</summary>
        [Parameter]
        [Credential]
        [ValidateNotNull]
        public PSCredential? Credential { get; set; }

        /// <summary>Manifest and config reads in flight at once (newest-build, digest, platforms).</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 8;

        /// <summary>A kubeconfig for secret: and pullsecret: credentials of registries.conf (PowerShell 7).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Kubeconfig { get; set; }

        /// <summary>The kubeconfig context (default: its current-context).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Context { get; set; }

        /// <summary>pull-secret annotation values allowed beyond secrets of the application's own namespace (env:NAME, ext:/path, secret:ns/*); * matches any text.</summary>
        [Parameter]
        [ValidateNotNull]
        public string[] AllowPullSecret { get; set; } = Array.Empty<string>();

        /// <summary>Token realm URLs (prefixes) that may receive registry credentials over plain http on another origin than the registry.</summary>
        [Parameter]
        [ValidateNotNull]
        public string[] AllowTokenRealm { get; set; } = Array.Empty<string>();

        /// <summary>The metadata cache file (digest → build date and platforms); default: the user's cache folder.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? CachePath { get; set; }

        protected override void BeginProcessing()
        {
            var config = LoadRegistriesConfig(RegistriesConfig);

            KubernetesSecretReader? secrets = null;
            if (Kubeconfig is not null)
            {
                try
                {
                    secrets = new KubernetesSecretReader(GetUnresolvedProviderPathFromPSPath(Kubeconfig), Context);
                }
                catch (ImageUpdaterException ex)
                {
                    ThrowFailure(ex, Kubeconfig);
                }

                WriteVerbose($"Kubernetes secrets from {secrets!.Origin}");
            }

            var cachePath = CachePath is null ? ImageMetadataCache.DefaultPath : GetUnresolvedProviderPathFromPSPath(CachePath);
            oci = new OciRegistryClient(config, new OciClientOptions
            {
                Credential = Credential?.GetNetworkCredential(),
                ThrottleLimit = ThrottleLimit,
                Cache = new ImageMetadataCache(cachePath),
                Secrets = kube = secrets,
                AllowedTokenRealms = AllowTokenRealm,
            })
            {
                Log = QueueVerbose,
                OnProgress = (repository, done, total) => progress = (repository, done, total),
            };
            cached = new CachingRegistryClient(oci);
            ociPlanner = new ImageUpdatePlanner(cached);
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ImageSet)
            {
                FindTags();
                return;
            }

            foreach (var app in Application)
            {
                var images = app.Images.ToList();
                for (var i = 0; i < images.Count; i++)
                {
                    var spec = images[i];
                    WriteProgress(new ProgressRecord(1, "Find-ImageTag", $"{app.Name}: {spec.Image}") { PercentComplete = 100 * i / images.Count });
                    try
                    {
                        var planner = spec.PullSecret is { Length: > 0 } pullSecret && Credential is null ? PullSecretPlanner(pullSecret, app.Namespace)
                            : oci!.Config.UsesEcrApi(spec.Reference) ? EcrPlanner()
                            : ociPlanner!;
                        var candidate = Await(planner.PlanAsync(app, spec, stopping.Token), ShowMetadataProgress);
                        WriteVerbose($"{app.Name}: {spec.Image}: {candidate.Reason}");
                        WriteTyped(candidate);
                    }
                    catch (ImageUpdaterException ex)
                    {
                        FlushVerbose();
                        WriteFailure(new ImageUpdaterException(ex.ErrorId, ex.Kind, $"{app.Name}: {spec.Image}: {ex.Message}", app, ex), app);
                    }
                }
            }
        }

        /// <summary>
        /// The image's pull-secret annotation (secret:, pullsecret:, env:, ext:) replaces its registry's credentials, as upstream;
        /// one client per distinct value, sharing the metadata cache.
        /// </summary>
        private ImageUpdatePlanner PullSecretPlanner(string pullSecret, string? appNamespace)
        {
            var key = pullSecret + "\u0001" + appNamespace;
            if (!pullSecretPlanners.TryGetValue(key, out var entry))
            {
                var client = new OciRegistryClient(oci!.Config, new OciClientOptions
                {
                    CredentialSource = CredentialSource.FromAnnotation(pullSecret, appNamespace, new PullSecretPolicy(AllowPullSecret)),
                    ThrottleLimit = ThrottleLimit,
                    Cache = oci.Options.Cache,
                    Secrets = kube,
                    AllowedTokenRealms = AllowTokenRealm,
                })
                {
                    Log = QueueVerbose,
                    OnProgress = oci.OnProgress,
                };
                entry = (client, new ImageUpdatePlanner(new CachingRegistryClient(client)));
                pullSecretPlanners[key] = entry;
            }

            return entry.Planner;
        }

        /// <summary>
        /// ECR images of applications take the ECR API (DescribeImages: push times without manifest reads), with the AWS default
        /// credentials and the SDKs' endpoint variables (AWS_ENDPOINT_URL_ECR, AWS_ENDPOINT_URL) for VPC endpoints.
        /// </summary>
        private ImageUpdatePlanner EcrPlanner()
        {
            if (ecrPlanner is null)
            {
                var endpoint = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_ECR") ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL");
                ecr = new EcrRegistryClient(new AwsOptions { EndpointUrl = Uri.TryCreate(endpoint, UriKind.Absolute, out var url) ? url : null }) { Log = QueueVerbose };
                ecrPlanner = new ImageUpdatePlanner(new CachingRegistryClient(ecr));
            }

            return ecrPlanner;
        }

        private void FindTags()
        {
            ImageReference image;
            try
            {
                image = ImageReference.Parse(Image);
            }
            catch (FormatException ex)
            {
                WriteFailure(new ImageUpdaterException("ImageReferenceInvalid", FailureKind.InvalidArgument, $"-Image '{Image}' is not an image reference: {ex.Message}", Image, ex), Image);
                return;
            }

            var strategy = ParseUpdateStrategy(UpdateStrategy);

            // As in an image-list entry, text after ':' is the constraint unless -Constraint says otherwise.
            var constraint = Constraint ?? image.Tag;
            var (endpoint, _) = oci!.Resolve(image.Registry, image.Repository);
            WriteVerbose($"{image.Name}: registry {endpoint.Name} at {endpoint.ApiUrl}");
            IReadOnlyList<ImageTag> tags;
            try
            {
                WriteProgress(new ProgressRecord(1, "Find-ImageTag", $"Listing {image.Name}"));
                var options = TagListOptions.For(strategy, constraint, Platform);
                tags = Await(cached!.ListTagsAsync(image.Registry, image.Repository, options, stopping.Token), ShowMetadataProgress);
            }
            catch (ImageUpdaterException ex)
            {
                FlushVerbose();
                var hint = ex.Kind == FailureKind.AuthenticationError && image.Registry is not null && EcrHost.IsEcrHost(image.Registry)
                    ? " For ECR, pass -Credential (Get-EcrAuthorizationToken), or use Find-EcrTag."
                    : string.Empty;
                WriteFailure(hint.Length == 0 ? ex : new ImageUpdaterException(ex.ErrorId, ex.Kind, ex.Message + hint, Image, ex), Image);
                return;
            }

            var result = ImageUpdatePlanner.DefaultSelect(tags, new TagSelectionOptions
            {
                Strategy = strategy,
                Constraint = constraint,
                AllowTags = AllowTags,
                IgnoreTags = IgnoreTags,
                Platforms = Platform,
            });
            WriteVerbose($"{image.Name}: {result.Reason}");
            if (result.Winner is null)
            {
                WriteWarning($"{image.Name}: no tag qualifies: {result.Reason}");
            }

            foreach (var tag in result.Ordered.Take(First))
            {
                WriteTyped(tag);
            }
        }

        private void ShowMetadataProgress()
        {
            var (repository, done, total) = progress;
            if (total > 0)
            {
                WriteProgress(new ProgressRecord(2, "Reading image metadata", $"{repository}: {done} of {total} tags") { ParentActivityId = 1, PercentComplete = Math.Min(100, 100 * done / total) });
            }
        }

        protected override void EndProcessing()
        {
            if (oci is not null)
            {
                var counts = oci.Requests;
                if (counts.Count > 0)
                {
                    WriteVerbose("Registry requests: " + string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Key + " " + c.Value)));
                }
            }

            Dispose();
        }

        protected override void StopProcessing()
        {
            stopping.Cancel();
        }

        private void Dispose()
        {
            oci?.Dispose();
            ecr?.Dispose();
            foreach (var entry in pullSecretPlanners.Values)
            {
                entry.Client.Dispose();
            }

            pullSecretPlanners.Clear();
            kube?.Dispose();
            kube = null;
            oci = null;
            ecr = null;
        }
    }
}
