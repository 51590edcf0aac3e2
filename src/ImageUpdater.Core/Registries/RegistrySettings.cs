using System.Collections.Generic;
using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using ImageUpdater.Core.Http;
using ImageUpdater.Core.Registries.Ecr;

namespace ImageUpdater.Core.Registries
{
    /// <summary>Everything a <see cref="RegistryRouter"/> needs: what every registry-reading command takes.</summary>
    public sealed class RegistrySettings
    {
        /// <summary>registries.conf: endpoints, credentials and the default registry of the distribution API.</summary>
        public RegistriesConfig Config { get; set; } = RegistriesConfig.Empty;

        /// <summary>Credentials, region and endpoint of the ECR API.</summary>
        public AwsOptions Aws { get; set; } = new AwsOptions();

        /// <summary>Used for every distribution-API registry over registries.conf and pull-secret credentials (-RegistryCredential).</summary>
        public NetworkCredential? Credential { get; set; }

        /// <summary>Reads Kubernetes secrets for <c>secret:</c> and <c>pullsecret:</c> credentials; null = none available.</summary>
        public ISecretReader? Secrets { get; set; }

        /// <summary>Which pull-secret annotation values may be used (operator allow-list; default: secrets of the application's own namespace only).</summary>
        public PullSecretPolicy PullSecretPolicy { get; set; } = PullSecretPolicy.Default;

        /// <summary>Token realm URL prefixes that may receive registry credentials although on another origin over plain http.</summary>
        public IReadOnlyList<string> AllowedTokenRealms { get; set; } = Array.Empty<string>();

        /// <summary>Registries <see cref="Credential"/> may be sent to (null: every registry, as when the operator names the image).</summary>
        public Security.CredentialScope? CredentialScope { get; set; }

        /// <summary>Repository listings under way at once, per API; 0 for no limit.</summary>
        public int MaxConcurrentListings { get; set; } = 8;

        /// <summary>Manifest and config reads in flight at once per repository (newest-build, digest, platforms).</summary>
        public int MaxConcurrentManifestReads { get; set; } = 8;

        /// <summary>The metadata cache file (digest → build date and platforms); null = the user's cache folder.</summary>
        public string? MetadataCachePath { get; set; }

        /// <summary>Platforms newest-build and digest check images against when the image has no platforms annotation (-Platform; <c>*</c> = every platform); null = linux/amd64.</summary>
        public IReadOnlyList<string>? DefaultPlatforms { get; set; }

        /// <summary>Reads the current tag of applications read from files (no live status) from their write-back target; one per run; null = not read.</summary>
        public Updating.ICurrentTagSource? CurrentTags { get; set; }

        /// <summary>Receives one line per request, retry and routing decision (never a secret), for -Verbose; any thread.</summary>
        public Action<string>? Log { get; set; }

        /// <summary>Receives warnings the user should see (a pull-secret annotation that is not a credential reference, ignored); any thread.</summary>
        public Action<string>? Warn { get; set; }

        /// <summary>Called with (repository, tags resolved, tags in all) while manifests are read, for progress; any thread.</summary>
        public Action<string, int, int>? OnMetadataProgress { get; set; }

        /// <summary>Called with (repository, pages read) while DescribeImages pages, for progress; any thread.</summary>
        public Action<string, int>? OnEcrPage { get; set; }

        /// <summary>Stops queued and running listings (a command being stopped).</summary>
        public CancellationToken Lifetime { get; set; }

        /// <summary>Bounds of every registry retry loop (time budget, jitter); null = <see cref="Http.RetryPolicy.Default"/>.</summary>
        public RetryPolicy? RetryPolicy { get; set; }

        /// <summary>Pages, tags and bytes per repository listing, and how long one image waits for its listing (-ImageTimeoutSec).</summary>
        public TagListLimits Limits { get; set; } = TagListLimits.Default;

        /// <summary>The transport of each distribution-API registry (tests); null = a plain HttpClientHandler.</summary>
        public Func<RegistryEndpoint, HttpMessageHandler>? OciTransport { get; set; }

        /// <summary>The transport of the ECR API (tests); null = a plain HttpClientHandler.</summary>
        public Func<HttpMessageHandler>? EcrTransport { get; set; }
    }
}
