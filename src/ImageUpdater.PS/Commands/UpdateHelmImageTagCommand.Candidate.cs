using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security;
using ImageUpdater.Core;
using System.Threading;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Run;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Updating;
using ImageUpdater.PS.Completion;
using ImageUpdater.Core.WriteBack;
using ImageUpdater.Core.WriteBack.Hosts;
using ImageUpdater.PS.Parameters;

namespace ImageUpdater.PS.Commands
{
    /// <summary>
    /// Update-HelmImageTag's "Candidate" parameter set: ImageUpdateCandidate objects (from Find-EcrTag) are collected and, in
    /// EndProcessing, written back by the run's units (one per git repository, one per argocd application), all started at once.
    /// </summary>
    public sealed partial class UpdateHelmImageTagCommand
    {
        private const string CandidateSet = "Candidate";

        private readonly List<ImageUpdateCandidate> candidates = new List<ImageUpdateCandidate>();
        private readonly CancellationTokenSource stopping = new CancellationTokenSource();

        /// <summary>The Argo CD connection for write-back-method argocd (Connect-ArgoCD -PassThru); default: the process-wide session.</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        [ValidateNotNull]
        public ArgoCDConnection? Connection { get; set; }

        /// <summary>Candidates from Find-EcrTag (or any ImageUpdater.ImageUpdateCandidate).</summary>
        [Parameter(ParameterSetName = CandidateSet, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ImageUpdateCandidate[] Candidate { get; set; } = Array.Empty<ImageUpdateCandidate>();

        /// <summary>Folder of the clone cache (one clone per repository URL).</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        [ValidateNotNullOrEmpty]
        public string? WorkingDirectory { get; set; }

        /// <summary>Commit into this existing checkout instead of the clone cache.</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        [ValidateNotNullOrEmpty]
        public string? LocalRepository { get; set; }

        /// <summary>With -LocalRepository: push the commit too.</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        public SwitchParameter Push { get; set; }

        /// <summary>HTTPS user name and password or token, or a hashtable of repository URL prefix → PSCredential (longest prefix wins).</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        [GitCredentialTransformation]
        public object? GitCredential { get; set; }

        /// <summary>Hosts or URL prefixes that also get a single -GitCredential besides the hosts of the applications' own repoURLs.</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        [ValidateNotNull]
        public string[] GitCredentialScope { get; set; } = Array.Empty<string>();

        /// <summary>Lets a git credential go over plain http to a host other than this machine.</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        public SwitchParameter AllowHttpGitCredential { get; set; }

        /// <summary>Lets a git-repository annotation name a local path or file:// URL.</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        public SwitchParameter AllowLocalRepository { get; set; }

        /// <summary>Read git:secret: and git:repocreds secrets through the Kubernetes API with this kubeconfig.</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        [ValidateNotNullOrEmpty]
        public string? Kubeconfig { get; set; }

        /// <summary>kubeconfig context; default: its current context.</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(KubeconfigContextCompleter))]
        public string? Context { get; set; }

        /// <summary>The namespace of Argo CD's repository secrets, read for git:repocreds (and plain git) with -Kubeconfig.</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        [ValidateNotNullOrEmpty]
        public string ArgoCDNamespace { get; set; } = "argocd";

        /// <summary>git:secret: write-back methods allowed beyond secrets of the application's own namespace (secret:ns/name, secret:ns/*; '*' matches any text).</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        [ValidateNotNull]
        public string[] AllowGitSecret { get; set; } = Array.Empty<string>();

        /// <summary>Lets git write-back set a value other mappings share through an anchor, alias or merge key (by default a merged key gets an overriding key, any other shared value fails its application).</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        public SwitchParameter AllowSharedValueEdit { get; set; }

        /// <summary>SSH private key for ssh:// and scp-like repository URLs.</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        [ValidateNotNullOrEmpty]
        public string? SshKeyPath { get; set; }

        [Parameter(ParameterSetName = CandidateSet)]
        public SecureString? SshKeyPassphrase { get; set; }

        /// <summary>Signs each write-back commit with this key: a GnuPG key ID or fingerprint (openpgp), or an SSH private key path (ssh).</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        [ValidateNotNullOrEmpty]
        public string? CommitSigningKey { get; set; }

        /// <summary>openpgp (gpg, the default) or ssh (ssh-keygen -Y sign).</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        public CommitSigningMethod CommitSigningMethod { get; set; }

        /// <summary>Adds a Signed-off-by trailer for the committer to each write-back commit.</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        public SwitchParameter CommitSignOff { get; set; }

        /// <summary>Signing keys a git.commit-signing-key annotation may name besides -CommitSigningKey (none by default).</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        [ValidateNotNull]
        public string[] AllowCommitSigningKey { get; set; } = Array.Empty<string>();

        /// <summary>GitHub App ID: HTTPS pushes use the app's installation token (with -GitHubAppInstallationId and -GitHubAppPrivateKeyPath).</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        [ValidateNotNullOrEmpty]
        public string? GitHubAppId { get; set; }

        /// <summary>The installation of the GitHub App whose token pushes.</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        [ValidateNotNullOrEmpty]
        public string? GitHubAppInstallationId { get; set; }

        /// <summary>The GitHub App's private key (PEM file).</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        [ValidateNotNullOrEmpty]
        public string? GitHubAppPrivateKeyPath { get; set; }

        /// <summary>The API of GitHub Enterprise Server (https://host/api/v3); default https://api.github.com.</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        [ValidateNotNullOrEmpty]
        public string? GitHubAppEnterpriseBaseUrl { get; set; }

        /// <summary>The Git host whose API opens pull requests: Auto (recognised from the repository URL), GitHub, GitLab or AzureDevOps.</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        [ValidateSet("Auto", "GitHub", "GitLab", "AzureDevOps")]
        public string GitHost { get; set; } = "Auto";

        /// <summary>The API base URL of a self-hosted Git host (GitHub Enterprise https://host/api/v3, GitLab https://host/api/v4, Azure DevOps Server https://host/collection).</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        [ValidateNotNull]
        public Uri? GitHostUrl { get; set; }

        /// <summary>Token for the Git host's API (sent only to -GitHostUrl, or the public API of -GitHost); default: the HTTPS git credential's password or the GitHub App.</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        [SecureStringTransformation]
        public SecureString? GitHostToken { get; set; }

        /// <summary>Opens (or updates) a pull request from each write branch into its base branch after the push, as the git.pull-request annotation does.</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        public SwitchParameter PullRequest { get; set; }

        /// <summary>How git write-back reaches the repository: Git (clone and push) or HostApi (commits through the Git host's API: no clone, no native code).</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        [ValidateSet("Git", "HostApi")]
        public string WriteBackTransport { get; set; } = "Git";

        [Parameter(ParameterSetName = CandidateSet)]
        [ValidateNotNullOrEmpty]
        public string? AuthorName { get; set; }

        [Parameter(ParameterSetName = CandidateSet)]
        [ValidateNotNullOrEmpty]
        public string? AuthorEmail { get; set; }

        private readonly RunLog log = new RunLog();
        private WriteBackServices? services;
        private WriteBackPreparation? preparation;

        /// <summary>Collects the candidates; the first of each git repository starts that repository's preparation (clone or fetch) in the background.</summary>
        private void CollectCandidates()
        {
            services ??= Services();
            // -LocalRepository is the user's checkout: nothing to prepare.
            preparation ??= LocalRepository is null ? new WriteBackPreparation(() => services.Git(false), WriteBackPreparation.DefaultConcurrency, stopping.Token) : null;
            foreach (var candidate in Candidate.Where(c => c is not null))
            {
                candidates.Add(candidate);
                preparation?.Add(candidate);
            }

            FlushLog();
        }

        private void WriteBackCandidates()
        {
            services ??= Services();
            if (preparation is not null)
            {
                Await(preparation.Finished(), FlushLog);
                if (preparation.Repositories.Count > 0)
                {
                    WriteVerbose($"Prepared {preparation.Repositories.Count} repository(ies) ahead of the write-back: {services.Git(false).PreparationStatistics}.");
                }
            }

            try
            {
                // -LocalRepository is one checkout: its units are written one after another.
                var run = new ImageUpdateRun(null, services, LocalRepository is null ? MaxConcurrentWrites : 1, log);
                WriteRun(run, run.WriteBack(candidates, stopping.Token), "Update-HelmImageTag", passThru: false);
            }
            finally
            {
                secretReader?.Dispose();
            }
        }

        private const int MaxConcurrentWrites = 8;

        /// <summary>Writes the preparations' -Verbose lines (they come from other threads) on the pipeline thread.</summary>
        private void FlushLog()
        {
            foreach (var line in log.Drain())
            {
                if (line.Level == RunLogLevel.Warning)
                {
                    WriteWarning(line.Text);
                }
                else
                {
                    WriteVerbose(line.Text);
                }
            }
        }

        /// <summary>With -Kubeconfig, the reader of the secrets behind git:secret: and git:repocreds (disposed when the write-back ends).</summary>
        private KubernetesSecretReader? secretReader;

        private WriteBackServices Services()
        {
            if (Kubeconfig is not null)
            {
                try
                {
                    secretReader = new KubernetesSecretReader(GetUnresolvedProviderPathFromPSPath(Kubeconfig), Context);
                }
                catch (ImageUpdaterException ex)
                {
                    ThrowFailure(ex, Kubeconfig);
                }
            }

            var secrets = secretReader;
            var credentials = GitCredentialParameter.WithGitHubApp(this, GitCredentialParameter.Build(this, GitCredential, SshKeyPath, SshKeyPassphrase, GitCredentialScope, AllowHttpGitCredential.IsPresent), GitHubAppId, GitHubAppInstallationId, GitHubAppPrivateKeyPath, GitHubAppEnterpriseBaseUrl);
            var hostCommits = GitHostParameters.Transport(WriteBackTransport);
            if (LocalRepository is not null && hostCommits is not null)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("-WriteBackTransport HostApi commits through the Git host's API and cannot write into -LocalRepository; leave one of them out."), "WriteBackTransportConflict", ErrorCategory.InvalidArgument, WriteBackTransport));
            }

            var host = GitHostParameters.Build(this, GitHost, GitHostUrl, GitHostToken, PullRequest.IsPresent);
            var signingKey = GitCredentialParameter.SigningKey(this, CommitSigningKey, CommitSigningMethod);
            var allowedKeys = AllowCommitSigningKey.Select(k => GitCredentialParameter.SigningKey(this, k, CommitSigningMethod)!).ToList();
            return new WriteBackServices(
                whatIf => new GitWriteBackOptions
                {
                    WorkingDirectory = WorkingDirectory is null ? null : GetUnresolvedProviderPathFromPSPath(WorkingDirectory),
                    LocalRepository = LocalRepository is null ? null : GetUnresolvedProviderPathFromPSPath(LocalRepository),
                    Push = Push.IsPresent,
                    HostCommits = hostCommits,
                    AuthorName = AuthorName,
                    AuthorEmail = AuthorEmail,
                    SigningKey = signingKey,
                    SigningMethod = CommitSigningMethod,
                    SignOff = CommitSignOff.IsPresent,
                    AllowedSigningKeys = allowedKeys,
                    Credentials = credentials,
                    Host = host,
                    AllowLocalRepository = AllowLocalRepository.IsPresent,
                    Secrets = secrets,
                    RepositorySecrets = secrets,
                    ArgoCDNamespace = ArgoCDNamespace,
                    AllowedSecrets = AllowGitSecret,
                    AllowSharedValueEdit = AllowSharedValueEdit.IsPresent,
                    WhatIf = whatIf,
                    Verbose = log.Verbose,
                    Warning = log.Warning,
                    CancellationToken = stopping.Token,
                },
                () => new ArgoCDClient(ArgoCmdletBase.ResolveConnection(null, null, false, Connection)),
                log.Verbose);
        }

        protected override void StopProcessing() => stopping.Cancel();
    }
}
