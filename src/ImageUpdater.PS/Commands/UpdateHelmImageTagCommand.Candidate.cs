using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security;
using ImageUpdater.Core;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;

namespace ImageUpdater.PS.Commands
{
    /// <summary>
    /// Update-HelmImageTag's "Candidate" parameter set: ImageUpdateCandidate objects from Find-EcrTag are collected and, in EndProcessing,
    /// written back per application's method: git (one commit and push per repository and branch) or argocd (through <see cref="IApplicationWriteBack"/>).
    /// </summary>
    public sealed partial class UpdateHelmImageTagCommand
    {
        private const string CandidateSet = "Candidate";

        /// <summary>The argocd method's implementation: the Argo CD API through the Connect-ArgoCD session.</summary>
        internal static Func<PSCmdlet, IApplicationWriteBack?> ApplicationWriteBack { get; set; } = ArgoCmdletBase.CreateWriteBack;

        private readonly List<ImageUpdateCandidate> candidates = new List<ImageUpdateCandidate>();

        /// <summary>Ctrl+C: stops a running fetch or push (the git write-back checks this token).</summary>
        private readonly System.Threading.CancellationTokenSource stopping = new System.Threading.CancellationTokenSource();

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

        /// <summary>HTTPS user name and password or token.</summary>
        [Parameter(ParameterSetName = CandidateSet)]
        [Credential]
        public PSCredential? GitCredential { get; set; }

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
            var argocd = candidates.Where(c => c.UpdateNeeded && c.WriteBack.Method == WriteBackMethod.Argocd).ToList();
            var git = candidates.Except(argocd).ToList();
            if (git.Count > 0)
            {
                WriteBackGit(git);
            }

            if (argocd.Count > 0)
            {
                WriteBackArgoCD(argocd);
            }
        }

        private void WriteBackGit(List<ImageUpdateCandidate> git)
        {
            var options = new GitWriteBackOptions
            {
                WorkingDirectory = WorkingDirectory is null ? null : GetUnresolvedProviderPathFromPSPath(WorkingDirectory),
                LocalRepository = LocalRepository is null ? null : GetUnresolvedProviderPathFromPSPath(LocalRepository),
                Push = Push.IsPresent,
                AuthorName = AuthorName,
                AuthorEmail = AuthorEmail,
                Credentials = Credentials(),
                Verbose = WriteVerbose,
                Warning = WriteWarning,
                CancellationToken = stopping.Token,
            };
            var engine = new GitWriteBack(new GitTargetEditor(), options);
            var batches = GitWriteBack.Plan(git, out var unplanned);
            Emit(unplanned);

            var progress = new ProgressRecord(1, "Git write-back", "Starting");
            for (var i = 0; i < batches.Count; i++)
            {
                var batch = batches[i];
                var count = batch.Candidates.Count;
                progress.StatusDescription = $"{batch.Repository}: {count} change(s)";
                progress.PercentComplete = i * 100 / batches.Count;
                WriteProgress(progress);

                var action = options.LocalRepository is null
                    ? $"Commit and push {count} image update(s) from {batch.Candidates.Select(c => c.Application).Distinct().Count()} application(s)"
                    : $"Commit {count} image update(s) into {options.LocalRepository}{(Push ? " and push" : string.Empty)}";
                options.WhatIf = false;
                if (!ShouldProcess(batch.Repository, action))
                {
                    if (!MyInvocation.BoundParameters.ContainsKey("WhatIf"))
                    {
                        foreach (var candidate in batch.Candidates)
                        {
                            WriteTyped(GitWriteBack.Result(candidate, batch.Repository, null, null, UpdateStatus.Skipped, "Declined at the confirmation prompt."));
                        }

                        continue;
                    }

                    options.WhatIf = true;
                }

                Emit(engine.Apply(batch));
            }

            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
            WriteVerbose($"Git write-back: {engine.Statistics}.");
        }

        private void WriteBackArgoCD(List<ImageUpdateCandidate> argocd)
        {
            var writer = ApplicationWriteBack(this);
            if (writer is null)
            {
                foreach (var app in argocd.GroupBy(c => c.ApplicationObject))
                {
                    var error = new ImageUpdaterException("ArgoCDWriteBackNotImplemented", FailureKind.NotImplemented, $"Application '{app.Key.QualifiedName}' uses the argocd write-back method, which needs the Argo CD API write-back (Connect-ArgoCD and the Argo CD writer) that this version does not have yet; set write-back-method to git to commit the change instead.", app.Key);
                    WriteFailure(error);
                    foreach (var candidate in app)
                    {
                        WriteTyped(GitWriteBack.Result(candidate, null, null, null, UpdateStatus.Failed, error.Message));
                    }
                }

                return;
            }

            var whatIf = !ShouldProcess(string.Join(", ", argocd.Select(c => c.ApplicationObject.QualifiedName).Distinct()), "Update the Application through the Argo CD API");
            var errors = new List<ImageUpdaterException>();
            var results = writer.Apply(argocd, whatIf, errors);
            foreach (var error in errors)
            {
                WriteFailure(error);
            }

            foreach (var result in results)
            {
                WriteTyped(result);
            }
        }

        private void Emit(GitBatchOutcome outcome)
        {
            foreach (var error in outcome.Errors)
            {
                WriteFailure(error);
            }

            foreach (var result in outcome.Results)
            {
                WriteTyped(result);
            }
        }

        protected override void StopProcessing() => stopping.Cancel();

        private GitCredentials Credentials()
        {
            var credentials = new GitCredentials
            {
                Https = GitCredential?.GetNetworkCredential(),
                SshKeyPath = SshKeyPath is null ? null : GetUnresolvedProviderPathFromPSPath(SshKeyPath),
                SshKeyPassphrase = SshKeyPassphrase,
            };
            if (!credentials.IsEmpty)
            {
                return credentials;
            }

            var fallback = GitCredentials.FromEnvironment();
            if (!fallback.IsEmpty)
            {
                WriteVerbose($"Using git credentials from the environment ({fallback}).");
            }

            return fallback;
        }
    }
}
