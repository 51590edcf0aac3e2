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
using ImageUpdater.Core.WriteBack.Hosts;
using ImageUpdater.Core.Webhooks;
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

        /// <summary>A connection from Connect-ArgoCD -PassThru, used instead of the process-wide session.</summary>
        [Parameter(ParameterSetName = ServerSet)]
        [ValidateNotNull]
        public ArgoCDConnection? Connection { get; set; }

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
        [ArgumentCompleter(typeof(KubeconfigNamespaceCompleter))]
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
        [ArgumentCompleter(typeof(ArgoProjectCompleter))]
        public string[]? Project { get; set; }

        /// <summary>Kubernetes label selector for the Applications.</summary>
        [Parameter(ParameterSetName = ServerSet)]
        [Parameter(ParameterSetName = KubeconfigSet)]
        [ValidateNotNullOrEmpty]
        public string? Selector { get; set; }

        /// <summary>ImageUpdater resources (Get-ArgoImageUpdater) that configure the Applications read, as Argo CD Image Updater v1 does.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public ImageUpdaterResource[]? ImageUpdater { get; set; }

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

        /// <summary>Platforms newest-build and digest check images without a platforms annotation against; default linux/amd64; '*' = every platform.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(PlatformCompleter))]
        public string[]? Platform { get; set; }

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

        /// <summary>The namespace of Argo CD's repository secrets, read for git:repocreds (and plain git) with -Kubeconfig.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ArgoCDNamespace { get; set; } = "argocd";

        /// <summary>SSH private key for git write-back over SSH.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? SshKeyPath { get; set; }

        /// <summary>Passphrase of -SshKeyPath.</summary>
        [Parameter]
        public SecureString? SshKeyPassphrase { get; set; }

        /// <summary>Signs each write-back commit with this key: a GnuPG key ID or fingerprint (openpgp), or an SSH private key path (ssh).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? CommitSigningKey { get; set; }

        /// <summary>openpgp (gpg, the default) or ssh (ssh-keygen -Y sign).</summary>
        [Parameter]
        public CommitSigningMethod CommitSigningMethod { get; set; }

        /// <summary>Adds a Signed-off-by trailer for the committer to each write-back commit.</summary>
        [Parameter]
        public SwitchParameter CommitSignOff { get; set; }

        /// <summary>Signing keys a git.commit-signing-key annotation may name besides -CommitSigningKey (none by default).</summary>
        [Parameter]
        [ValidateNotNull]
        public string[] AllowCommitSigningKey { get; set; } = Array.Empty<string>();

        /// <summary>GitHub App ID: HTTPS pushes use the app's installation token (with -GitHubAppInstallationId and -GitHubAppPrivateKeyPath).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? GitHubAppId { get; set; }

        /// <summary>The installation of the GitHub App whose token pushes.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? GitHubAppInstallationId { get; set; }

        /// <summary>The GitHub App's private key (PEM file).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? GitHubAppPrivateKeyPath { get; set; }

        /// <summary>The API of GitHub Enterprise Server (https://host/api/v3); default https://api.github.com.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? GitHubAppEnterpriseBaseUrl { get; set; }

        /// <summary>The Git host whose API opens pull requests: Auto (recognised from the repository URL), GitHub, GitLab or AzureDevOps.</summary>
        [Parameter]
        [ValidateSet("Auto", "GitHub", "GitLab", "AzureDevOps")]
        public string GitHost { get; set; } = "Auto";

        /// <summary>The API base URL of a self-hosted Git host (GitHub Enterprise https://host/api/v3, GitLab https://host/api/v4, Azure DevOps Server https://host/collection).</summary>
        [Parameter]
        [ValidateNotNull]
        public Uri? GitHostUrl { get; set; }

        /// <summary>Token for the Git host's API (sent only to -GitHostUrl, or the public API of -GitHost); default: the HTTPS git credential's password or the GitHub App.</summary>
        [Parameter]
        [SecureStringTransformation]
        public SecureString? GitHostToken { get; set; }

        /// <summary>Opens (or updates) a pull request from each write branch into its base branch after the push, as the git.pull-request annotation does.</summary>
        [Parameter]
        public SwitchParameter PullRequest { get; set; }

        /// <summary>How git write-back reaches the repository: Git (clone and push) or HostApi (commits through the Git host's API: no clone, no native code).</summary>
        [Parameter]
        [ValidateSet("Git", "HostApi")]
        public string WriteBackTransport { get; set; } = "Git";

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

        /// <summary>How old a tag must be (push, else build time) before it is chosen, for images without a min-age annotation: 30m, 2h, 1h30m, 3d.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? MinimumAge { get; set; }

        /// <summary>Writes images that a hand change in git or the hold annotation would hold (the operator's override).</summary>
        [Parameter]
        public SwitchParameter IgnoreHold { get; set; }

        /// <summary>Pushed images (registry/repository:tag[@digest]): only Applications whose annotations name them are run, and only for those images.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[]? Image { get; set; }

        /// <summary>Registry events from ConvertFrom-RegistryWebhook, as -Image with their push times.</summary>
        [Parameter(ValueFromPipeline = true)]
        [ValidateNotNull]
        public RegistryEvent[]? RegistryEvent { get; set; }

        private readonly List<(string Image, DateTimeOffset? PushedAt)> pushed = new List<(string, DateTimeOffset?)>();

        protected override void BeginProcessing()
        {
            // Images named on the command line; pipeline records bind Image or RegistryEvent per record.
            if (Image is not null)
            {
                pushed.AddRange(Image.Select(i => (i, (DateTimeOffset?)null)));
                Image = null;
            }

            base.BeginProcessing();
        }

        protected override void ProcessRecord()
        {
            if (RegistryEvent is not null)
            {
                pushed.AddRange(RegistryEvent.Select(e => (e.Image, e.PushedAt)));
                RegistryEvent = null;
            }
            else if (Image is not null)
            {
                pushed.AddRange(Image.Select(i => (i, (DateTimeOffset?)null)));
            }

            Image = null;
        }

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

            ImageScope? scope = null;
            if (pushed.Count > 0)
            {
                try
                {
                    scope = ImageScope.For(pushed);
                }
                catch (ImageUpdaterException ex)
                {
                    ThrowFailure(ex);
                }

                WriteVerbose("Scoped to the pushed image(s) " + string.Join(", ", scope!.Images) + ".");
            }
            else if (MyInvocation.ExpectingInput)
            {
                // Piped events that never came (a refused webhook) must not turn into a run of everything.
                WriteWarning("No pushed image came through the pipeline: nothing is run.");
                return;
            }

            TimeSpan? minimumAge = null;
            if (MinimumAge is not null)
            {
                if (!Core.Tags.MinimumAge.TryParse(MinimumAge, out var age, out var ageError))
                {
                    ThrowFailure(new ImageUpdaterException("MinimumAgeInvalid", FailureKind.InvalidArgument, "-MinimumAge " + ageError + ".", MinimumAge));
                }

                minimumAge = age;
            }

            var applications = ReadApplications().Where(a => shard is null || shard.Value.Includes(a)).ToList();
            foreach (var spec in applications.SelectMany(a => a.Images).Where(s => s.MinimumAge is null))
            {
                spec.MinimumAge = minimumAge;
            }

            WriteVerbose($"{applications.Count} application(s)" + (shard is null ? string.Empty : $" in shard {shard}") + ".");

            // -Kubeconfig (its own set) reads Applications and the secrets behind pull-secret and git:secret:; annotations name the images, so the credential is scoped.
            var registryParameters = RegistryParameters.FromBound(this);
            registryParameters.RegistryCredentialScope = RegistryCredentialScope;
            using var secretReader = registryParameters.OpenSecrets(this);
            gitSecrets = secretReader;
            using var registries = new RegistryRouter(registryParameters.ToSettings(this, secretReader, log.Verbose, log.Warning, stopping.Token));
            var services = new WriteBackServices(GitOptions, () => new ArgoCDClient(ArgoCmdletBase.ResolveConnection(Server, Token, SkipCertificateCheck.IsPresent, Connection)), log.Verbose);
            var run = new ImageUpdateRun(registries, services, ThrottleLimit, log);
            WriteRun(run, run.Run(applications, stopping.Token, scope), "Invoke-ImageUpdater", PassThru, beforeStop: () =>
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
            ApplicationSourceParameters.FromBound(this).Read(this, stopping.Token).ToList();

        private ISecretReader? gitSecrets;

        private GitWriteBackOptions GitOptions(bool whatIf) => new GitWriteBackOptions
        {
            WorkingDirectory = WorkingDirectory is null ? null : GetUnresolvedProviderPathFromPSPath(WorkingDirectory),
            AuthorName = AuthorName,
            AuthorEmail = AuthorEmail,
            Credentials = GitCredentialParameter.WithGitHubApp(this, GitCredentialParameter.Build(this, GitCredential, SshKeyPath, SshKeyPassphrase, GitCredentialScope, AllowHttpGitCredential.IsPresent), GitHubAppId, GitHubAppInstallationId, GitHubAppPrivateKeyPath, GitHubAppEnterpriseBaseUrl),
            Host = GitHostParameters.Build(this, GitHost, GitHostUrl, GitHostToken, PullRequest.IsPresent),
            HostCommits = GitHostParameters.Transport(WriteBackTransport),
            SigningKey = GitCredentialParameter.SigningKey(this, CommitSigningKey, CommitSigningMethod),
            SigningMethod = CommitSigningMethod,
            SignOff = CommitSignOff.IsPresent,
            AllowedSigningKeys = AllowCommitSigningKey.Select(k => GitCredentialParameter.SigningKey(this, k, CommitSigningMethod)!).ToList(),
            AllowLocalRepository = AllowLocalRepository.IsPresent,
            AllowSharedValueEdit = AllowSharedValueEdit.IsPresent,
            Secrets = gitSecrets,
            RepositorySecrets = gitSecrets as ISecretLister,
            ArgoCDNamespace = ArgoCDNamespace,
            AllowedSecrets = AllowGitSecret,
            WhatIf = whatIf,
            AllowedProtectedPaths = AllowProtectedPath,
            IgnoreHold = IgnoreHold.IsPresent,
            Verbose = log.Verbose,
            Warning = log.Warning,
            CancellationToken = stopping.Token,
        };
    }
}
