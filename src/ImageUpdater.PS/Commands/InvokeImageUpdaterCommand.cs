using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Registries.Ecr;
using ImageUpdater.Core.Registries.Oci;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;
using ImageUpdater.PS.Completion;

namespace ImageUpdater.PS.Commands
{
    /// <summary>
    /// The whole flow once, for schedules (like <c>argocd-image-updater run --once</c>): read Applications, look up every
    /// annotated image concurrently (each repository listed once), write back by each application's method, and summarise.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "ImageUpdater", DefaultParameterSetName = ServerSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ImageUpdateResult), typeof(ImageUpdateSummary))]
    [OutputType(typeof(ImageUpdateCandidate), ParameterSetName = new[] { PathSet, ServerSet, KubeconfigSet })]
    public sealed class InvokeImageUpdaterCommand : AwsCmdletBase
    {
        private const string PathSet = "Path";
        private const string ServerSet = "Server";
        private const string KubeconfigSet = "Kubeconfig";

        private readonly CancellationTokenSource stopping = new CancellationTokenSource();
        private readonly ConcurrentQueue<(bool Warning, string Text)> messages = new ConcurrentQueue<(bool, string)>();

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

        /// <summary>Clone cache for git write-back (one clone per repository URL).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? WorkingDirectory { get; set; }

        /// <summary>HTTPS user and password or token for git write-back.</summary>
        [Parameter]
        [Credential]
        [ValidateNotNull]
        public PSCredential? GitCredential { get; set; }

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

        /// <summary>Registry look-ups and git pushes in flight at once.</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 8;

        /// <summary>This job's share of the applications, <c>i/n</c>: a stable hash of namespace/name modulo n equals i.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Shard { get; set; }

        /// <summary>Also emit each ImageUpdateCandidate (the tag decision and its Reason) before the write-back results.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void EndProcessing()
        {
            var clock = Stopwatch.StartNew();
            var summary = new ImageUpdateSummary();
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
            summary.Applications = applications.Count;
            WriteVerbose($"{applications.Count} application(s)" + (shard is null ? string.Empty : $" in shard {shard}") + ".");

            using var registries = new RunRegistries(this);
            var candidates = Plan(applications, registries, summary);
            if (PassThru)
            {
                foreach (var candidate in candidates)
                {
                    WriteTyped(candidate);
                }
            }

            var pending = new List<ImageUpdateCandidate>();
            foreach (var candidate in candidates)
            {
                if (candidate.UpdateNeeded)
                {
                    pending.Add(candidate);
                    continue;
                }

                var status = ImageUpdatePlanner.SkipReason(candidate.ApplicationObject, candidate.Spec) is null ? UpdateStatus.Unchanged : UpdateStatus.Skipped;
                Emit(GitWriteBack.Result(candidate, null, null, null, status, candidate.Reason ?? string.Empty), summary);
            }

            WriteBackGit(pending.Where(c => c.WriteBack.Method == WriteBackMethod.Git).ToList(), summary);
            WriteBackArgoCD(pending.Where(c => c.WriteBack.Method == WriteBackMethod.Argocd).ToList(), summary);

            summary.Requests = registries.Requests();
            summary.Retries += registries.Retries;
            summary.Duration = clock.Elapsed;
            WriteVerbose(summary.ToString());
            WriteTyped(summary);
        }

        protected override void StopProcessing() => stopping.Cancel();

        /// <summary>Applications through Get-ArgoApplication itself, so every source, filter and error is the same as there.</summary>
        private List<ArgoApplication> ReadApplications()
        {
            using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
            ps.AddCommand("ImageUpdater.PS\\Get-ArgoApplication");
            foreach (var pair in MyInvocation.BoundParameters)
            {
                if (ApplicationParameters.Contains(pair.Key))
                {
                    ps.AddParameter(pair.Key, pair.Value);
                }
            }

            var apps = ps.Invoke<ArgoApplication>().Where(a => a is not null).ToList();
            foreach (var error in ps.Streams.Error)
            {
                WriteError(error);
            }

            return apps;
        }

        private static readonly HashSet<string> ApplicationParameters = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "Path", "Recurse", "Server", "Token", "SkipCertificateCheck", "AppNamespace", "Kubeconfig", "Context", "Namespace", "Name", "Project", "Selector",
        };

        /// <summary>Looks up every image concurrently; results reach this thread as they complete, with progress over the images.</summary>
        private List<ImageUpdateCandidate> Plan(List<ArgoApplication> applications, RunRegistries registries, ImageUpdateSummary summary)
        {
            var work = applications.SelectMany(a => a.Images.Select(s => (App: a, Spec: s))).ToList();
            summary.ImagesChecked = work.Count;
            var candidates = new List<ImageUpdateCandidate>(work.Count);
            var progress = new ProgressRecord(1, "Invoke-ImageUpdater", "Looking up images");
            var done = 0;
            var outcomes = BoundedConcurrency.Stream(work, ThrottleLimit, async (item, token) =>
            {
                try
                {
                    var candidate = await registries.PlannerFor(item.Spec).PlanAsync(item.App, item.Spec, token).ConfigureAwait(false);
                    return (item.App, item.Spec, Candidate: candidate, Error: (ImageUpdaterException?)null);
                }
                catch (ImageUpdaterException ex)
                {
                    return (item.App, item.Spec, Candidate: (ImageUpdateCandidate?)null, Error: ex);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    return (item.App, item.Spec, Candidate: (ImageUpdateCandidate?)null, Error: new ImageUpdaterException("ImageLookupFailed", FailureKind.NotSpecified, ex.Message, item.App, ex));
                }
            }, stopping.Token);

            foreach (var outcome in outcomes)
            {
                done++;
                FlushMessages();
                progress.StatusDescription = $"{outcome.App.Name}: {outcome.Spec.Image} ({done} of {work.Count})";
                progress.PercentComplete = 100 * done / Math.Max(1, work.Count);
                WriteProgress(progress);
                if (outcome.Error is not null)
                {
                    WriteFailure(new ImageUpdaterException(outcome.Error.ErrorId, outcome.Error.Kind, $"{outcome.App.Name}: {outcome.Spec.Image}: {outcome.Error.Message}", outcome.App, outcome.Error), outcome.App);
                    var failed = new ImageUpdateCandidate(outcome.App, outcome.Spec) { Reason = outcome.Error.Message };
                    Emit(GitWriteBack.Result(failed, null, null, null, UpdateStatus.Failed, outcome.Error.Message), summary);
                    continue;
                }

                WriteVerbose($"{outcome.App.Name}: {outcome.Spec.Image}: {outcome.Candidate!.Reason}");
                candidates.Add(outcome.Candidate);
            }

            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
            FlushMessages();
            return candidates;
        }

        /// <summary>One commit and push per repository and branch; repositories are written concurrently (bounded), results streamed here.</summary>
        private void WriteBackGit(List<ImageUpdateCandidate> git, ImageUpdateSummary summary)
        {
            if (git.Count == 0)
            {
                return;
            }

            var whatIf = MyInvocation.BoundParameters.ContainsKey("WhatIf") && ((SwitchParameter)MyInvocation.BoundParameters["WhatIf"]).IsPresent;
            var options = new GitWriteBackOptions
            {
                WorkingDirectory = WorkingDirectory is null ? null : GetUnresolvedProviderPathFromPSPath(WorkingDirectory),
                AuthorName = AuthorName,
                AuthorEmail = AuthorEmail,
                Credentials = GitCredentialsFromParameters(),
                WhatIf = whatIf,
                Verbose = text => messages.Enqueue((false, text)),
                Warning = text => messages.Enqueue((true, text)),
                CancellationToken = stopping.Token,
            };
            var engine = new GitWriteBack(new GitTargetEditor(), options);
            var batches = GitWriteBack.Plan(git, out var unplanned);
            Emit(unplanned, summary);

            // Confirmation happens here, on the pipeline thread, before any batch runs.
            var approved = new List<GitRepositoryBatch>();
            foreach (var batch in batches)
            {
                var apps = batch.Candidates.Select(c => c.Application).Distinct().Count();
                if (whatIf || ShouldProcess(batch.Repository, $"Commit and push {batch.Candidates.Count} image update(s) from {apps} application(s)"))
                {
                    if (whatIf)
                    {
                        ShouldProcess(batch.Repository, $"Commit and push {batch.Candidates.Count} image update(s) from {apps} application(s)");
                    }

                    approved.Add(batch);
                }
                else
                {
                    foreach (var candidate in batch.Candidates)
                    {
                        Emit(GitWriteBack.Result(candidate, batch.Repository, null, null, UpdateStatus.Skipped, "Declined at the confirmation prompt."), summary);
                    }
                }
            }

            var progress = new ProgressRecord(2, "Invoke-ImageUpdater", "Writing back to Git");
            var done = 0;
            foreach (var outcome in BoundedConcurrency.Stream(approved, ThrottleLimit, (batch, _) => Task.Run(() => engine.Apply(batch)), stopping.Token))
            {
                done++;
                FlushMessages();
                progress.StatusDescription = $"{outcome.Repository} ({done} of {approved.Count} repositories)";
                progress.PercentComplete = 100 * done / Math.Max(1, approved.Count);
                WriteProgress(progress);
                Emit(outcome, summary);
            }

            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
            FlushMessages();
            summary.Commits = engine.Statistics.Commits;
            summary.Pushes = engine.Statistics.Pushes;
            summary.Fetches = engine.Statistics.Fetches;
            summary.Retries += engine.Statistics.PushRetries;
            WriteVerbose($"Git write-back: {engine.Statistics}.");
        }

        private void WriteBackArgoCD(List<ImageUpdateCandidate> argocd, ImageUpdateSummary summary)
        {
            if (argocd.Count == 0)
            {
                return;
            }

            ArgoCDConnection connection;
            try
            {
                connection = ArgoCmdletBase.ResolveConnection(Server, Token, SkipCertificateCheck.IsPresent);
            }
            catch (ImageUpdaterException ex)
            {
                foreach (var candidate in argocd)
                {
                    Emit(GitWriteBack.Result(candidate, null, null, null, UpdateStatus.Failed, ex.Message), summary);
                }

                WriteFailure(ex);
                return;
            }

            var writer = new ArgoCDApiWriteBack(() => new ArgoCDClient(connection)) { Log = WriteVerbose, ShowWhatIf = (target, patch) => ShouldProcess(target, patch) };
            var whatIf = (MyInvocation.BoundParameters.ContainsKey("WhatIf") && ((SwitchParameter)MyInvocation.BoundParameters["WhatIf"]).IsPresent)
                || !ShouldProcess(string.Join(", ", argocd.Select(c => c.ApplicationObject.QualifiedName).Distinct()), "Update the Application through the Argo CD API");
            var errors = new List<ImageUpdaterException>();
            var results = writer.Apply(argocd, whatIf, errors);
            foreach (var error in errors)
            {
                WriteFailure(error);
            }

            foreach (var result in results)
            {
                Emit(result, summary);
            }
        }

        private void Emit(GitBatchOutcome outcome, ImageUpdateSummary summary)
        {
            foreach (var error in outcome.Errors)
            {
                WriteFailure(error);
            }

            foreach (var result in outcome.Results)
            {
                Emit(result, summary);
            }
        }

        private void Emit(ImageUpdateResult result, ImageUpdateSummary summary)
        {
            summary.Count(result);
            WriteTyped(result);
        }

        private GitCredentials GitCredentialsFromParameters()
        {
            var credentials = new GitCredentials
            {
                Https = GitCredential?.GetNetworkCredential(),
                SshKeyPath = SshKeyPath is null ? null : GetUnresolvedProviderPathFromPSPath(SshKeyPath),
                SshKeyPassphrase = SshKeyPassphrase,
            };
            return credentials.IsEmpty ? GitCredentials.FromEnvironment() : credentials;
        }

        /// <summary>Verbose and warning lines raised on worker threads, written from the pipeline thread.</summary>
        private void FlushMessages()
        {
            while (messages.TryDequeue(out var message))
            {
                if (message.Warning)
                {
                    WriteWarning(message.Text);
                }
                else
                {
                    WriteVerbose(message.Text);
                }
            }
        }

        /// <summary>The run's registry clients: ECR by its API, everything else by the distribution API; each repository listed once.</summary>
        private sealed class RunRegistries : IDisposable
        {
            private readonly InvokeImageUpdaterCommand owner;
            private readonly Lazy<(EcrRegistryClient Client, ImageUpdatePlanner Planner)> ecr;
            private readonly Lazy<(OciRegistryClient Client, ImageUpdatePlanner Planner)> oci;

            public RunRegistries(InvokeImageUpdaterCommand owner)
            {
                this.owner = owner;
                var aws = owner.GetAwsOptions();
                ecr = new Lazy<(EcrRegistryClient, ImageUpdatePlanner)>(() =>
                {
                    var client = new EcrRegistryClient(aws) { Log = text => owner.messages.Enqueue((false, text)) };
                    return (client, new ImageUpdatePlanner(new CachingRegistryClient(client)));
                }, LazyThreadSafetyMode.ExecutionAndPublication);

                var config = owner.LoadRegistriesConfig(owner.RegistriesConfig);

                var credential = owner.RegistryCredential?.GetNetworkCredential();
                var throttle = owner.ThrottleLimit;
                oci = new Lazy<(OciRegistryClient, ImageUpdatePlanner)>(() =>
                {
                    var client = new OciRegistryClient(config, new OciClientOptions { Credential = credential, ThrottleLimit = throttle, Cache = new ImageMetadataCache(ImageMetadataCache.DefaultPath) })
                    {
                        Log = text => owner.messages.Enqueue((false, text)),
                    };
                    return (client, new ImageUpdatePlanner(new CachingRegistryClient(client)));
                }, LazyThreadSafetyMode.ExecutionAndPublication);
            }

            /// <summary>ECR hosts take the ECR API unless registries.conf names them (then the distribution API, as upstream).</summary>
            public ImageUpdatePlanner PlannerFor(ImageSpec spec)
            {
                if (EcrHost.IsEcrHost(spec.Registry))
                {
                    var configured = owner.RegistriesConfig is not null && oci.Value.Client.Config.Registries.Contains(oci.Value.Client.Config.Find(spec.Reference));
                    if (!configured)
                    {
                        return ecr.Value.Planner;
                    }
                }

                return oci.Value.Planner;
            }

            public int Retries => (ecr.IsValueCreated ? ecr.Value.Client.Retries : 0);

            public IDictionary<string, int> Requests()
            {
                var all = new SortedDictionary<string, int>(StringComparer.Ordinal);
                if (ecr.IsValueCreated)
                {
                    foreach (var pair in ecr.Value.Client.Requests)
                    {
                        all["ecr " + pair.Key] = pair.Value;
                    }
                }

                if (oci.IsValueCreated)
                {
                    foreach (var pair in oci.Value.Client.Requests)
                    {
                        all["oci " + pair.Key] = pair.Value;
                    }
                }

                return all;
            }

            public void Dispose()
            {
                if (ecr.IsValueCreated)
                {
                    ecr.Value.Client.Dispose();
                }

                if (oci.IsValueCreated)
                {
                    oci.Value.Client.Dispose();
                }
            }
        }
    }
}
