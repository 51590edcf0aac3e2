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
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;
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

        /// <summary>Lets git write-back set a value other mappings share through an anchor, alias or merge key (by default a merged key gets an overriding key, any other shared value fails its application).</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        public SwitchParameter AllowSharedValueEdit { get; set; }

        /// <summary>SSH private key for ssh:// and scp-like repository URLs.</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        [ValidateNotNullOrEmpty]
        public string? SshKeyPath { get; set; }

        [Parameter(ParameterSetName = CandidateSet)]
        public SecureString? SshKeyPassphrase { get; set; }

        [Parameter(ParameterSetName = CandidateSet)]
        [ValidateNotNullOrEmpty]
        public string? AuthorName { get; set; }

        [Parameter(ParameterSetName = CandidateSet)]
        [ValidateNotNullOrEmpty]
        public string? AuthorEmail { get; set; }

        private void CollectCandidates()
        {
            candidates.AddRange(Candidate.Where(c => c is not null));
        }

        private void WriteBackCandidates()
        {
            var log = new RunLog();
            var credentials = GitCredentialParameter.Build(this, GitCredential, SshKeyPath, SshKeyPassphrase, GitCredentialScope, AllowHttpGitCredential.IsPresent);
            var services = new WriteBackServices(
                whatIf => new GitWriteBackOptions
                {
                    WorkingDirectory = WorkingDirectory is null ? null : GetUnresolvedProviderPathFromPSPath(WorkingDirectory),
                    LocalRepository = LocalRepository is null ? null : GetUnresolvedProviderPathFromPSPath(LocalRepository),
                    Push = Push.IsPresent,
                    AuthorName = AuthorName,
                    AuthorEmail = AuthorEmail,
                    Credentials = credentials,
                    AllowLocalRepository = AllowLocalRepository.IsPresent,
                    AllowSharedValueEdit = AllowSharedValueEdit.IsPresent,
                    WhatIf = whatIf,
                    Verbose = log.Verbose,
                    Warning = log.Warning,
                    CancellationToken = stopping.Token,
                },
                () => new ArgoCDClient(ArgoCmdletBase.ResolveConnection(null, null, false)),
                log.Verbose);
            // -LocalRepository is one checkout: its units are written one after another.
            var run = new ImageUpdateRun(null, services, LocalRepository is null ? 8 : 1, log);
            WriteRun(run, run.WriteBack(candidates, stopping.Token), "Update-HelmImageTag", passThru: false);
        }

        protected override void StopProcessing() => stopping.Cancel();
    }
}
