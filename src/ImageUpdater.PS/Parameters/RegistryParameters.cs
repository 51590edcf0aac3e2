using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using ImageUpdater.Core;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Security;

namespace ImageUpdater.PS.Parameters
{
    /// <summary>
    /// The registry block (-RegistriesConfig, -RegistryCredential, -AllowPullSecret, -AllowTokenRealm, -ImageTimeoutSec,
    /// -ThrottleLimit, -Kubeconfig/-Context for secrets, -CachePath) and its one mapping to Core's <see cref="RegistrySettings"/>.
    /// RegistryCmdletBase and Invoke-ImageUpdater declare the properties themselves (help, completion); ParameterBlocks.Tests.ps1
    /// keeps those declarations identical.
    /// </summary>
    internal sealed class RegistryParameters
    {
        public string? RegistriesConfig { get; set; }

        public PSCredential? RegistryCredential { get; set; }

        /// <summary>Registries the credential may go to besides registries.conf's prefixes; null = every registry (the user named the image).</summary>
        public IReadOnlyList<string>? RegistryCredentialScope { get; set; }

        public string[] AllowPullSecret { get; set; } = Array.Empty<string>();

        public string[] AllowTokenRealm { get; set; } = Array.Empty<string>();

        public int ImageTimeoutSec { get; set; } = 300;

        public int ThrottleLimit { get; set; } = 8;

        /// <summary>The kubeconfig of the secrets behind pull-secret and git:secret: (null: none readable).</summary>
        public string? Kubeconfig { get; set; }

        public string? Context { get; set; }

        public string? CachePath { get; set; }

        /// <summary>-Platform: the platforms of images without a platforms annotation (newest-build, digest); null = linux/amd64.</summary>
        public IReadOnlyList<string>? DefaultPlatforms { get; set; }

        /// <summary>The block as the cmdlet's caller bound it (unbound parameters keep their defaults, which the declarations share).</summary>
        public static RegistryParameters FromBound(PSCmdlet cmdlet)
        {
            var bound = cmdlet.MyInvocation.BoundParameters;
            T? Get<T>(string name) where T : class => bound.TryGetValue(name, out var value) ? value as T : null;
            int Number(string name, int unbound) => bound.TryGetValue(name, out var value) && value is int number ? number : unbound;
            var defaults = new RegistryParameters();
            return new RegistryParameters
            {
                RegistriesConfig = Get<string>("RegistriesConfig"),
                RegistryCredential = Get<PSCredential>("RegistryCredential"),
                AllowPullSecret = Get<string[]>("AllowPullSecret") ?? defaults.AllowPullSecret,
                AllowTokenRealm = Get<string[]>("AllowTokenRealm") ?? defaults.AllowTokenRealm,
                ImageTimeoutSec = Number("ImageTimeoutSec", defaults.ImageTimeoutSec),
                ThrottleLimit = Number("ThrottleLimit", defaults.ThrottleLimit),
                Kubeconfig = Get<string>("Kubeconfig"),
                Context = Get<string>("Context"),
                CachePath = Get<string>("CachePath"),
                DefaultPlatforms = Get<string[]>("Platform"),
            };
        }

        /// <summary>The one reader of Kubernetes secrets (null without -Kubeconfig); a bad kubeconfig ends the command naming it.</summary>
        public KubernetesSecretReader? OpenSecrets(ImageUpdaterCmdlet cmdlet)
        {
            if (Kubeconfig is null)
            {
                return null;
            }

            KubernetesSecretReader? secrets = null;
            try
            {
                secrets = new KubernetesSecretReader(cmdlet.GetUnresolvedProviderPathFromPSPath(Kubeconfig), Context);
            }
            catch (ImageUpdaterException ex)
            {
                cmdlet.ThrowFailure(ex, Kubeconfig);
            }

            cmdlet.WriteVerbose($"Kubernetes secrets from {secrets!.Origin}");
            return secrets;
        }

        /// <summary>Core's settings; secrets leave their containers only here and in AwsCmdletBase.GetAwsOptions.</summary>
        public RegistrySettings ToSettings(AwsCmdletBase cmdlet, ISecretReader? secrets, Action<string> log, Action<string> warn, CancellationToken lifetime)
        {
            var config = cmdlet.LoadRegistriesConfig(RegistriesConfig);
            return new RegistrySettings
            {
                Config = config,
                Aws = cmdlet.GetAwsOptions(),
                Credential = RegistryCredential?.GetNetworkCredential(),
                // Images from annotations: the credential goes only to registries the operator named (registries.conf, -RegistryCredentialScope).
                CredentialScope = RegistryCredentialScope is null ? null : new CredentialScope(config.Registries.Select(r => r.Prefix).Concat(RegistryCredentialScope), allowHttp: true),
                Secrets = secrets,
                PullSecretPolicy = new PullSecretPolicy(AllowPullSecret),
                AllowedTokenRealms = AllowTokenRealm,
                DefaultPlatforms = DefaultPlatforms,
                Limits = new TagListLimits { ImageTimeout = TimeSpan.FromSeconds(ImageTimeoutSec) },
                MaxConcurrentListings = ThrottleLimit,
                MaxConcurrentManifestReads = ThrottleLimit,
                MetadataCachePath = CachePath is null ? null : cmdlet.GetUnresolvedProviderPathFromPSPath(CachePath),
                // One reader per run: a file changed between runs is read again (issue 14, item 3).
                CurrentTags = new Core.WriteBack.CheckoutCurrentTag(),
                Log = log,
                Warn = warn,
                Lifetime = lifetime,
            };
        }
    }
}
