using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Threading;
using ImageUpdater.Core;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Registries.Ecr;
using ImageUpdater.Core.Registries.Oci;
using ImageUpdater.Core.Run;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;
using ImageUpdater.PS.Completion;
using ImageUpdater.PS.Parameters;

namespace ImageUpdater.PS.Commands
{
    /// <summary>
    /// The whole flow once, for schedules (like <c>argocd-image-updater run --once</c>): read Applications, look up every
    /// annotated image concurrently (each repository listed once), write back by each application's method, and summarise.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "ImageUpdater", DefaultParameterSetName = ServerSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Docs + "Invoke-ImageUpdater.md")]
    [OutputType(typeof(ImageUpdateResult))]
    [OutputType(typeof(ImageUpdateCandidate), ParameterSetName = new[] { PathSet, ServerSet, KubeconfigSet })]
    public sealed class InvokeImageUpdaterCommand : AwsCmdletBase
    {
        private const string PathSet = "Path";
        private const string ServerSet = "Server";
        private const string KubeconfigSet = "Kubeconfig";

        private readonly CancellationTokenSource stopping = new CancellationTokenSource();
        private readonly RunLog log = new RunLog();

        /// <summary>Application manifest files or folders.</summary>
        [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>Read the -Path folders recursively.</summary>
        [Parameter(ParameterSetName = PathSet)]
        public SwitchParameter Recurse { get; set; }

        /// <summary>Argo CD API server; default: the Connect-ArgoCD session, else ARGOCD_SERVER.</summary>
        [Parameter(ParameterSetName = ServerSet)]
        [ValidateNotNullOrEmpty]
        public string? Server { get; set; }

        /// <summary>Argo CD API token; default: the session, else ARGOCD_AUTH_TOKEN.</summary>
        [Parameter(ParameterSetName = ServerSet)]
        [SecureStringTransformation]
        public SecureString? Token { get; set; }

        /// <summary>Accept any TLS certificate of the Argo CD server (test servers only).</summary>
        [Parameter(ParameterSetName = ServerSet)]
        public SwitchParameter SkipCertificateCheck { get; set; }

        /// <summary>Applications in any namespace (Argo CD's apps-in-any-namespace).</summary>
        [Parameter(ParameterSetName = ServerSet)]
        [ValidateNotNullOrEmpty]
        public string? AppNamespace { get; set; }

        /// <summary>Read Applications through the Kubernetes API with this kubeconfig.</summary>
        [Parameter(ParameterSetName = KubeconfigSet, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string Kubeconfig { get; set; } = string.Empty;

        /// <summary>kubeconfig context; default: its current context.</summary>
        [Parameter(ParameterSetName = KubeconfigSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(KubeconfigContextCompleter))]
        public string? Context { get; set; }

        /// <summary>Namespace of the Application resources (default argocd).</summary>
        [Parameter(ParameterSetName = KubeconfigSet)]
        [ValidateNotNullOrEmpty]
        public string Namespace { get; set; } = "argocd";

        /// <summary>Application names (wildcards).</summary>
        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArgoApplicationNameCompleter))]
        public string[]? Name { get; set; }

        /// <summary>Only Applications of these projects.</summary>
        [Parameter(ParameterSetName = ServerSet)]
        [Parameter(ParameterSetName = KubeconfigSet)]
        [ValidateNotNullOrEmpty]
        public string[]? Project { get; set; }

        /// <summary>Kubernetes label selector for the Applications.</summary>
        [Parameter(ParameterSetName = ServerSet)]
        [Parameter(ParameterSetName = KubeconfigSet)]
        [ValidateNotNullOrEmpty]
        public string? Selector { get; set; }

        /// <summary>registries.conf (or the argocd-image-updater-config ConfigMap) for non-ECR registries.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? RegistriesConfig { get; set; }

        /// <summary>User and password (or token) for non-ECR registries; wins over registries.conf credentials.</summary>
        [Parameter]
        [Credential]
        [ValidateNotNull]
        public PSCredential? RegistryCredential { get; set; }

        /// <summary>Registries (host or host/path prefixes) that get -RegistryCredential besides the prefixes of -RegistriesConfig; no others do.</summary>
        [Parameter]
        [ValidateNotNull]
        public string[] RegistryCredentialScope { get; set; } = Array.Empty<string>();

        /// <summary>pull-secret annotation values allowed beyond secrets of the application's own namespace (env:NAME, ext:/path, secret:ns/*); * matches any text.</summary>
        [Parameter]
        [ValidateNotNull]
        public string[] AllowPullSecret { get; set; } = Array.Empty<string>();

        /// <summary>Token realm URLs (prefixes) that may receive registry credentials over plain http on another origin than the registry.</summary>
        [Parameter]
        [ValidateNotNull]
        public string[] AllowTokenRealm { get; set; } = Array.Empty<string>();

        /// <summary>Seconds one image may wait for its registry listing before it is reported Failed and the others go on (0: no limit).</summary>
        [Parameter]
        [ValidateRange(0, 86400)]
        public int ImageTimeoutSec { get; set; } = 300;

        /// <summary>Clone cache for git write-back (one clone per repository URL).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? WorkingDirectory { get; set; }

        /// <summary>HTTPS user and password or token for git write-back, or a hashtable of repository URL prefix → PSCredential (longest prefix wins).</summary>
        [Parameter]
        [GitCredentialTransformation]
        [ValidateNotNull]
        public object? GitCredential { get; set; }

        /// <summary>Hosts or URL prefixes that also get a single -GitCredential besides the hosts of the applications' own repoURLs (a host named only by git-repository).</summary>
        [Parameter]
        [ValidateNotNull]
        public string[] GitCredentialScope { get; set; } = Array.Empty<string>();

        /// <summary>Lets a git credential go over plain http to a host other than this machine.</summary>
        [Parameter]
        public SwitchParameter AllowHttpGitCredential { get; set; }

        /// <summary>Lets a git-repository annotation name a local path or file:// URL.</summary>
        [Parameter]
        public SwitchParameter AllowLocalRepository { get; set; }

        /// <summary>Lets git write-back set a value other mappings share through an anchor, alias or merge key (by default a merged key gets an overriding key, any other shared value fails its application).</summary>
        [Parameter]
        public SwitchParameter AllowSharedValueEdit { get; set; }

        /// <summary>git:secret: write-back methods allowed beyond secrets of the application's own namespace (secret:ns/name, secret:ns/*; '*' matches any text).</summary>
        [Parameter]
        [ValidateNotNull]
        public string[] AllowGitSecret { get; set; } = Array.Empty<string>();

        /// <summary>SSH private key for git write-back over SSH.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? SshKeyPath { get; set; }

        /// <summary>Passphrase of -SshKeyPath.</summary>
        [Parameter]
        public SecureString? SshKeyPassphrase { get; set; }

        /// <summary>Commit author when the application has no git.user annotation.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? AuthorName { get; set; }

        /// <summary>Commit e-mail when the application has no git.email annotation.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? AuthorEmail { get; set; }

        /// <summary>Repository listings and git repository write-backs in flight at once.</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 8;

        /// <summary>This job's share of the applications, <c>i/n</c>: a stable hash of namespace/name modulo n equals i.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ShardCompleter))]
        public string? Shard { get; set; }

        /// <summary>Repository paths (files or folders) git write-back may edit although they configure CI or git (.github/, .gitlab-ci.yml, .gitattributes, …).</summary>
        [Parameter]
        [ValidateNotNull]
        public string[] AllowProtectedPath { get; set; } = Array.Empty<string>();

        /// <summary>Also emit each ImageUpdateCandidate (the tag decision and its Reason) before the write-back results.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>Stores the run's ImageUpdateSummary in this variable of the caller's scope (as -ErrorVariable does); the output stream holds only results.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? SummaryVariable { get; set; }

        protected override void EndProcessing()
        {
            var clock = Stopwatch.StartNew();
            ApplicationShard? shard = null;
            if (Shard is not null)
            {
                try
                {
                    shard = ApplicationShard.Parse(Shard);
                }
                catch (ImageUpdaterException ex)
                {
                    ThrowFailure(ex, Shard);
                }
            }

            var applications = ReadApplications().Where(a => shard is null || shard.Value.Includes(a)).ToList();
            WriteVerbose($"{applications.Count} application(s)" + (shard is null ? string.Empty : $" in shard {shard}") + ".");

            using var secretReader = SecretReader();
            gitSecrets = secretReader;
            using var registries = new RegistryRouter(RegistrySettings(secretReader));
            var services = new WriteBackServices(GitOptions, () => new ArgoCDClient(ArgoCmdletBase.ResolveConnection(Server, Token, SkipCertificateCheck.IsPresent)), log.Verbose);
            var run = new ImageUpdateRun(registries, services, ThrottleLimit, log);
            WriteRun(run, run.Run(applications, stopping.Token), "Invoke-ImageUpdater", PassThru, beforeStop: () =>
            {
                var summary = run.Summary;
                summary.Requests = new SortedDictionary<string, int>(registries.Requests.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal);
                summary.Retries += registries.Retries;
                summary.DurationSeconds = Math.Round(clock.Elapsed.TotalSeconds, 3);
                WriteSummary(summary);
            });
        }

        /// <summary>The summary leaves beside the results, never among them: -SummaryVariable, and a one-line information record (tag ImageUpdateSummary) shown like Write-Host.</summary>
        private void WriteSummary(ImageUpdateSummary summary)
        {
            var typed = AsTyped(summary);
            if (SummaryVariable is not null)
            {
                SessionState.PSVariable.Set(SummaryVariable, typed);
            }

            var line = $"Invoke-ImageUpdater: {summary}; {summary.Commits} commit(s), {summary.Pushes} push(es) in {summary.DurationSeconds.ToString("0.0##", System.Globalization.CultureInfo.InvariantCulture)} s.";
            WriteInformation(new InformationRecord(new HostInformationMessage { Message = line }, MyInvocation.MyCommand.Name) { Tags = { "PSHOST", SummaryTag } });
        }

        /// <summary>The information tag of the summary line (Write-Information's -Tags; filter $InformationVariable by it).</summary>
        public const string SummaryTag = "ImageUpdateSummary";

        protected override void StopProcessing() => stopping.Cancel();

        /// <summary>Applications from the source the parameters name (Core's IApplicationSource), with Get-ArgoApplication's errors, warnings and verbose lines.</summary>
        private List<ArgoApplication> ReadApplications() =>
            ImageUpdater.PS.Parameters.ApplicationSourceParameters.FromBound(this).Read(this, stopping.Token).ToList();

        /// <summary>With -Kubeconfig, the one reader of the secrets behind pull-secret and git:secret: (else null).</summary>
        private KubernetesSecretReader? SecretReader()
        {
            if (ParameterSetName == KubeconfigSet)
            {
                try
                {
                    return new KubernetesSecretReader(GetUnresolvedProviderPathFromPSPath(Kubeconfig), Context);
                }
                catch (ImageUpdaterException ex)
                {
                    ThrowFailure(ex, Kubeconfig);
                }
            }

            return null;
        }

        /// <summary>The registry block as Core settings: the same router as Find-EcrTag and Find-ImageTag (pull-secret, ECR host, else the distribution API).</summary>
        private RegistrySettings RegistrySettings(ISecretReader? secrets)
        {
            var config = LoadRegistriesConfig(RegistriesConfig);
            return new RegistrySettings
            {
                Config = config,
                Aws = GetAwsOptions(),
                Credential = RegistryCredential?.GetNetworkCredential(),
                // Images come from annotations: the credential goes only to registries the operator named (registries.conf, -RegistryCredentialScope).
                CredentialScope = new Core.Security.CredentialScope(config.Registries.Select(r => r.Prefix).Concat(RegistryCredentialScope), allowHttp: true),
                AllowedTokenRealms = AllowTokenRealm,
                Limits = new TagListLimits { ImageTimeout = TimeSpan.FromSeconds(ImageTimeoutSec) },
                PullSecretPolicy = new PullSecretPolicy(AllowPullSecret),
                Secrets = secrets,
                MaxConcurrentListings = ThrottleLimit,
                MaxConcurrentManifestReads = ThrottleLimit,
                Log = log.Verbose,
                Warn = log.Warning,
                Lifetime = stopping.Token,
            };
        }

        private ISecretReader? gitSecrets;

        private GitWriteBackOptions GitOptions(bool whatIf) => new GitWriteBackOptions
        {
            WorkingDirectory = WorkingDirectory is null ? null : GetUnresolvedProviderPathFromPSPath(WorkingDirectory),
            AuthorName = AuthorName,
            AuthorEmail = AuthorEmail,
            Credentials = GitCredentialParameter.Build(this, GitCredential, SshKeyPath, SshKeyPassphrase, GitCredentialScope, AllowHttpGitCredential.IsPresent),
            AllowLocalRepository = AllowLocalRepository.IsPresent,
            AllowSharedValueEdit = AllowSharedValueEdit.IsPresent,
            Secrets = gitSecrets,
            AllowedSecrets = AllowGitSecret,
            WhatIf = whatIf,
            AllowedProtectedPaths = AllowProtectedPath,
            Verbose = log.Verbose,
            Warning = log.Warning,
            CancellationToken = stopping.Token,
        };
    }
}
