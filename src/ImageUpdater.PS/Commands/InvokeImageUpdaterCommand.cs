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

        /// <summary>Registries (host or host/path prefixes) that get -RegistryCredential besides the prefixes of -RegistriesConfig; no others do.</summary>
        [Parameter]
        [ValidateNotNull]
        public string[] RegistryCredentialScope { get; set; } = Array.Empty<string>();

        /// <summary>Token realm URLs (prefixes) that may receive registry credentials over plain http on another origin than the registry.</summary>
        [Parameter]
        [ValidateNotNull]
        public string[] AllowTokenRealm { get; set; } = Array.Empty<string>();

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

        /// <summary>Repository listings and git repository write-backs in flight at once.</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 8;

        /// <summary>This job's share of the applications, <c>i/n</c>: a stable hash of namespace/name modulo n equals i.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Shard { get; set; }

        /// <summary>Repository paths (files or folders) git write-back may edit although they configure CI or git (.github/, .gitlab-ci.yml, .gitattributes, …).</summary>
        [Parameter]
        [ValidateNotNull]
        public string[] AllowProtectedPath { get; set; } = Array.Empty<string>();

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
            var run = new PipelinedRun(this, registries, summary);
            run.Execute(applications);

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

        /// <summary>
        /// Look-ups and write-backs overlap: images are planned concurrently, grouped by write-back unit (a git repository, or an
        /// application for the argocd method), and a unit is written back as soon as its last image is planned, so results stream
        /// out long before the last look-up ends. Workers never touch PowerShell: they post actions that this thread runs.
        /// </summary>
        private sealed class PipelinedRun
        {
            private readonly InvokeImageUpdaterCommand cmdlet;
            private readonly RunRegistries registries;
            private readonly ImageUpdateSummary summary;
            private readonly BlockingCollection<Action> actions = new BlockingCollection<Action>();
            private readonly Dictionary<string, Unit> units = new Dictionary<string, Unit>(StringComparer.Ordinal);
            private readonly SemaphoreSlim writeGate;
            private readonly bool whatIf;
            private GitWriteBack? git;
            private ArgoCDApiWriteBack? argocd;
            private readonly Stopwatch progressClock = Stopwatch.StartNew();
            private int outstanding = 1;
            private int planned;
            private int images;

            public PipelinedRun(InvokeImageUpdaterCommand cmdlet, RunRegistries registries, ImageUpdateSummary summary)
            {
                this.cmdlet = cmdlet;
                this.registries = registries;
                this.summary = summary;
                writeGate = new SemaphoreSlim(cmdlet.ThrottleLimit);
                whatIf = cmdlet.MyInvocation.BoundParameters.TryGetValue("WhatIf", out var value) && ((SwitchParameter)value).IsPresent;
            }

            public void Execute(List<ArgoApplication> applications)
            {
                foreach (var app in applications)
                {
                    var key = UnitKey(app);
                    if (!units.TryGetValue(key, out var unit))
                    {
                        units[key] = unit = new Unit(key);
                    }

                    unit.Work.AddRange(app.Images.Select(s => (app, s)));
                }

                // Units in first-seen order, so the first repositories finish planning (and start writing) early.
                var work = units.Values.SelectMany(u => u.Work.Select(w => (Unit: u, w.App, w.Spec))).ToList();
                images = work.Count;
                summary.ImagesChecked = images;
                foreach (var unit in units.Values.Where(u => u.Work.Count == 0).ToList())
                {
                    units.Remove(unit.Key);
                }

                var progress = new ProgressRecord(1, "Invoke-ImageUpdater", "Looking up images");
                var token = cmdlet.stopping.Token;
                _ = Task.Run(() =>
                {
                    try
                    {
                        // Every image starts at once: the registry clients bound the listings in flight (-ThrottleLimit), so images
                        // waiting for a repository already being listed do not keep other repositories from being listed.
                        foreach (var outcome in BoundedConcurrency.Stream(work, Math.Max(1, work.Count), (item, ct) => PlanOneAsync(item.Unit, item.App, item.Spec, ct), token))
                        {
                            actions.Add(() => OnPlanned(outcome, progress));
                        }
                    }
                    catch (Exception ex)
                    {
                        actions.Add(() => cmdlet.WriteFailure(ex));
                    }
                    finally
                    {
                        actions.Add(Done);
                    }
                });

                foreach (var action in actions.GetConsumingEnumerable())
                {
                    action();
                    cmdlet.FlushMessages();
                }

                progress.RecordType = ProgressRecordType.Completed;
                cmdlet.WriteProgress(progress);
                if (git is not null)
                {
                    summary.Commits = git.Statistics.Commits;
                    summary.Pushes = git.Statistics.Pushes;
                    summary.Fetches = git.Statistics.Fetches;
                    summary.Retries += git.Statistics.PushRetries;
                    cmdlet.WriteVerbose($"Git write-back: {git.Statistics}.");
                }
            }

            /// <summary>Runs on this thread only, so the count needs no lock: the run ends when planning and every write-back have reported.</summary>
            private void Done()
            {
                if (--outstanding == 0)
                {
                    actions.CompleteAdding();
                }
            }

            private static string UnitKey(ArgoApplication app) => app.WriteBack.Method == WriteBackMethod.Git
                ? "git " + (GitWriteBack.RepositoryOf(app) ?? "? " + app.QualifiedName)
                : "argocd " + app.QualifiedName;

            private async Task<PlanOutcome> PlanOneAsync(Unit unit, ArgoApplication app, ImageSpec spec, CancellationToken token)
            {
                try
                {
                    var candidate = await registries.PlannerFor(spec).PlanAsync(app, spec, token).ConfigureAwait(false);
                    return new PlanOutcome(unit, app, spec, candidate, null);
                }
                catch (ImageUpdaterException ex)
                {
                    return new PlanOutcome(unit, app, spec, null, ex);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    return new PlanOutcome(unit, app, spec, null, new ImageUpdaterException("ImageLookupFailed", FailureKind.NotSpecified, ex.Message, app, ex));
                }
            }

            private void OnPlanned(PlanOutcome outcome, ProgressRecord progress)
            {
                planned++;
                // At most a few updates a second (and every percent step): a fleet run plans thousands of images.
                var percent = 100 * planned / Math.Max(1, images);
                if (percent != progress.PercentComplete || progressClock.ElapsedMilliseconds >= 250 || planned == images)
                {
                    progress.StatusDescription = $"{outcome.App.Name}: {outcome.Spec.Image} ({planned} of {images})";
                    progress.PercentComplete = percent;
                    cmdlet.WriteProgress(progress);
                    progressClock.Restart();
                }

                if (outcome.Error is not null)
                {
                    var error = outcome.Error;
                    cmdlet.WriteFailure(new ImageUpdaterException(error.ErrorId, error.Kind, $"{outcome.App.Name}: {outcome.Spec.Image}: {error.Message}", outcome.App, error), outcome.App);
                    Emit(GitWriteBack.Result(new ImageUpdateCandidate(outcome.App, outcome.Spec) { Reason = error.Message }, null, null, null, UpdateStatus.Failed, error.Message));
                }
                else
                {
                    var candidate = outcome.Candidate!;
                    cmdlet.WriteVerbose($"{outcome.App.Name}: {outcome.Spec.Image}: {candidate.Reason}");
                    if (cmdlet.PassThru)
                    {
                        cmdlet.WriteTyped(candidate);
                    }

                    if (candidate.UpdateNeeded)
                    {
                        outcome.Unit.Pending.Add(candidate);
                    }
                    else
                    {
                        var status = ImageUpdatePlanner.SkipReason(candidate.ApplicationObject, candidate.Spec) is null ? UpdateStatus.Unchanged : UpdateStatus.Skipped;
                        Emit(GitWriteBack.Result(candidate, null, null, null, status, candidate.Reason ?? string.Empty));
                    }
                }

                if (++outcome.Unit.Planned == outcome.Unit.Work.Count && outcome.Unit.Pending.Count > 0)
                {
                    WriteBack(outcome.Unit);
                }
            }

            private void WriteBack(Unit unit)
            {
                var first = unit.Pending[0].ApplicationObject;
                if (first.WriteBack.Method == WriteBackMethod.Argocd)
                {
                    WriteBackArgoCD(unit.Pending);
                    return;
                }

                git ??= new GitWriteBack(new GitTargetEditor(), cmdlet.GitOptions(whatIf));
                var batches = GitWriteBack.Plan(unit.Pending, out var unplanned);
                Emit(unplanned);
                foreach (var batch in batches)
                {
                    var action = $"Commit and push {batch.Candidates.Count} image update(s) from {batch.Candidates.Select(c => c.Application).Distinct().Count()} application(s)";
                    if (!cmdlet.ShouldProcess(batch.Repository, action) && !whatIf)
                    {
                        foreach (var candidate in batch.Candidates)
                        {
                            Emit(GitWriteBack.Result(candidate, batch.Repository, null, null, UpdateStatus.Skipped, "Declined at the confirmation prompt."));
                        }

                        continue;
                    }

                    outstanding++;
                    var engine = git;
                    _ = Task.Run(async () =>
                    {
                        await writeGate.WaitAsync().ConfigureAwait(false);
                        try
                        {
                            var result = engine.Apply(batch);
                            actions.Add(() => Emit(result));
                        }
                        catch (Exception ex)
                        {
                            actions.Add(() => cmdlet.WriteFailure(ex, batch.Repository));
                        }
                        finally
                        {
                            writeGate.Release();
                            actions.Add(Done);
                        }
                    });
                }
            }

            private void WriteBackArgoCD(List<ImageUpdateCandidate> candidates)
            {
                if (argocd is null)
                {
                    ArgoCDConnection connection;
                    try
                    {
                        connection = ArgoCmdletBase.ResolveConnection(cmdlet.Server, cmdlet.Token, cmdlet.SkipCertificateCheck.IsPresent);
                    }
                    catch (ImageUpdaterException ex)
                    {
                        cmdlet.WriteFailure(ex);
                        foreach (var candidate in candidates)
                        {
                            Emit(GitWriteBack.Result(candidate, null, null, null, UpdateStatus.Failed, ex.Message));
                        }

                        return;
                    }

                    argocd = new ArgoCDApiWriteBack(() => new ArgoCDClient(connection)) { Log = cmdlet.WriteVerbose, ShowWhatIf = (target, patch) => cmdlet.ShouldProcess(target, patch) };
                }

                var skip = whatIf || !cmdlet.ShouldProcess(candidates[0].ApplicationObject.QualifiedName, "Update the Application through the Argo CD API");
                var errors = new List<ImageUpdaterException>();
                var results = argocd.Apply(candidates, skip, errors);
                foreach (var error in errors)
                {
                    cmdlet.WriteFailure(error);
                }

                foreach (var result in results)
                {
                    Emit(result);
                }
            }

            private void Emit(GitBatchOutcome outcome)
            {
                foreach (var error in outcome.Errors)
                {
                    cmdlet.WriteFailure(error);
                }

                foreach (var result in outcome.Results)
                {
                    Emit(result);
                }
            }

            private void Emit(ImageUpdateResult result)
            {
                summary.Count(result);
                cmdlet.WriteTyped(result);
            }

            /// <summary>The images of one write-back unit, and how far their look-ups have come.</summary>
            private sealed class Unit
            {
                public Unit(string key)
                {
                    Key = key;
                }

                public string Key { get; }

                public List<(ArgoApplication App, ImageSpec Spec)> Work { get; } = new List<(ArgoApplication, ImageSpec)>();

                public List<ImageUpdateCandidate> Pending { get; } = new List<ImageUpdateCandidate>();

                public int Planned { get; set; }
            }

            private sealed class PlanOutcome
            {
                public PlanOutcome(Unit unit, ArgoApplication app, ImageSpec spec, ImageUpdateCandidate? candidate, ImageUpdaterException? error)
                {
                    Unit = unit;
                    App = app;
                    Spec = spec;
                    Candidate = candidate;
                    Error = error;
                }

                public Unit Unit { get; }

                public ArgoApplication App { get; }

                public ImageSpec Spec { get; }

                public ImageUpdateCandidate? Candidate { get; }

                public ImageUpdaterException? Error { get; }
            }
        }

        private GitWriteBackOptions GitOptions(bool whatIf) => new GitWriteBackOptions
        {
            WorkingDirectory = WorkingDirectory is null ? null : GetUnresolvedProviderPathFromPSPath(WorkingDirectory),
            AuthorName = AuthorName,
            AuthorEmail = AuthorEmail,
            Credentials = GitCredentialsFromParameters(),
            WhatIf = whatIf,
            AllowedProtectedPaths = AllowProtectedPath,
            Verbose = text => messages.Enqueue((false, text)),
            Warning = text => messages.Enqueue((true, text)),
            CancellationToken = stopping.Token,
        };

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
            private readonly Core.Registries.RegistriesConfig config;
            private readonly Lazy<(EcrRegistryClient Client, ImageUpdatePlanner Planner)> ecr;
            private readonly Lazy<(OciRegistryClient Client, ImageUpdatePlanner Planner)> oci;

            public RunRegistries(InvokeImageUpdaterCommand owner)
            {
                var aws = owner.GetAwsOptions();
                ecr = new Lazy<(EcrRegistryClient, ImageUpdatePlanner)>(() =>
                {
                    var client = new EcrRegistryClient(aws) { Log = text => owner.messages.Enqueue((false, text)) };
                    return (client, new ImageUpdatePlanner(new CachingRegistryClient(client, owner.ThrottleLimit, owner.stopping.Token)));
                }, LazyThreadSafetyMode.ExecutionAndPublication);

                config = owner.LoadRegistriesConfig(owner.RegistriesConfig);

                var credential = owner.RegistryCredential?.GetNetworkCredential();
                var throttle = owner.ThrottleLimit;
                var stopping = owner.stopping.Token;
                oci = new Lazy<(OciRegistryClient, ImageUpdatePlanner)>(() =>
                {
                    // Images come from annotations: the credential goes only to registries the operator named (registries.conf, -RegistryCredentialScope).
                    var scope = new Core.Security.CredentialScope(config.Registries.Select(r => r.Prefix).Concat(owner.RegistryCredentialScope), allowHttp: true);
                    var client = new OciRegistryClient(config, new OciClientOptions { Credential = credential, CredentialScope = scope, AllowedTokenRealms = owner.AllowTokenRealm, ThrottleLimit = throttle, Cache = new ImageMetadataCache(ImageMetadataCache.DefaultPath) })
                    {
                        Log = text => owner.messages.Enqueue((false, text)),
                    };
                    return (client, new ImageUpdatePlanner(new CachingRegistryClient(client, throttle, stopping)));
                }, LazyThreadSafetyMode.ExecutionAndPublication);
            }

            public ImageUpdatePlanner PlannerFor(ImageSpec spec) => config.UsesEcrApi(spec.Reference) ? ecr.Value.Planner : oci.Value.Planner;

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
