using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Run;
using ImageUpdater.Core.Updating;
using ImageUpdater.PS.Completion;
using ImageUpdater.PS.Parameters;

namespace ImageUpdater.PS
{
    /// <summary>
    /// The registry parameters every tag-reading cmdlet shares, and their one mapping to a <see cref="RegistryRouter"/>
    /// (which decides per image: pull-secret, ECR API or distribution API).
    /// </summary>
    public abstract class RegistryCmdletBase : AwsCmdletBase, IDisposable
    {
        private readonly CancellationTokenSource stopping = new CancellationTokenSource();
        private RegistryRouter? router;
        private KubernetesSecretReader? secrets;
        private (string Repository, int Done, int Total) metadataProgress;
        private (string Repository, int Pages) ecrProgress;

        /// <summary>registries.conf, or the argocd-image-updater-config ConfigMap manifest that holds it.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? RegistriesConfig { get; set; }

        /// <summary>User and password (or token) for distribution-API registries; wins over registries.conf and pull-secret credentials.</summary>
        [Parameter]
        [Credential]
        [ValidateNotNull]
        public PSCredential? RegistryCredential { get; set; }

        /// <summary>Repository listings in flight at once (per API), and manifest reads in flight per repository.</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 8;

        /// <summary>A kubeconfig for secret: and pullsecret: credentials (PowerShell 7).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Kubeconfig { get; set; }

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

        /// <summary>The kubeconfig context (default: its current-context).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(KubeconfigContextCompleter))]
        public string? Context { get; set; }

        /// <summary>The metadata cache file (digest → build date and platforms); default: the user's cache folder.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? CachePath { get; set; }

        /// <summary>The run's router, made by <see cref="BeginProcessing"/>.</summary>
        protected RegistryRouter Router => router ?? throw new InvalidOperationException("The registry router is made in BeginProcessing.");

        /// <summary>Cancelled when the command is stopped (Ctrl+C).</summary>
        protected CancellationToken StopToken => stopping.Token;

        protected override void BeginProcessing()
        {
            router = new RegistryRouter(GetRegistrySettings());
            lookups = new OrderedLookups<Action>(MaxPendingRecords, ex => () => WriteFailure(ex), stopping.Token);
        }

        // Back-pressure for endless input: records waiting for a listing hold no registry slot (the router bounds listings), only memory.
        private const int MaxPendingRecords = 1024;

        private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

        private OrderedLookups<Action>? lookups;

        private OrderedLookups<Action> Lookups => lookups ?? throw new InvalidOperationException("The look-ups are made in BeginProcessing.");

        /// <summary>
        /// Starts a pipeline record's look-up (Core's <see cref="OrderedLookups{T}"/>); what it returns (the writes of that record) runs
        /// here on the pipeline thread in input order, as soon as it and every earlier record are done. A look-up that throws is written
        /// as that record's error.
        /// </summary>
        protected void WriteInOrder(Func<Task<Action>> work)
        {
            Lookups.Add(_ => work());
            WriteFinished(MaxPendingRecords);
        }

        /// <summary>Writes that need no look-up (a warning), kept in their input place.</summary>
        protected void WriteInOrder(Action write)
        {
            Lookups.Add(write);
            WriteFinished(MaxPendingRecords);
        }

        private void WriteFinished(int keep)
        {
            foreach (var write in Lookups.TakeUntil(keep, Tick, WhileWaiting))
            {
                write();
                FlushVerbose();
            }
        }

        private void WhileWaiting()
        {
            FlushVerbose();
            ShowRegistryProgress();
        }

        /// <summary>The registry settings from the parameters (the one mapping, <see cref="RegistryParameters"/>), with this command's progress.</summary>
        protected RegistrySettings GetRegistrySettings()
        {
            var parameters = RegistryParameters.FromBound(this);
            secrets = parameters.OpenSecrets(this);
            var settings = parameters.ToSettings(this, secrets, QueueVerbose, QueueWarning, stopping.Token);
            settings.OnMetadataProgress = (repository, done, total) => metadataProgress = (repository, done, total);
            settings.OnEcrPage = (repository, pages) => ecrProgress = (repository, pages);
            return settings;
        }

        private readonly ProgressPace progressPace = new ProgressPace();

        /// <summary>
        /// A per-record progress line at Core's <see cref="ProgressPace"/>: every WriteProgress goes through the host, which for a
        /// fleet's records would cost the pipeline thread more than the look-ups.
        /// </summary>
        protected void ShowProgress(ProgressRecord record)
        {
            if (progressPace.Due())
            {
                WriteProgress(record);
            }
        }

        /// <summary>Shows the DescribeImages pages and manifest reads of the repositories being listed; call on the pipeline thread.</summary>
        protected void ShowRegistryProgress()
        {
            var (listing, pages) = ecrProgress;
            if (pages > 0)
            {
                WriteProgress(new ProgressRecord(2, "Listing ECR repositories", $"{listing}: {pages} DescribeImages page(s) of up to 1000 images read") { ParentActivityId = 1 });
            }

            var (repository, done, total) = metadataProgress;
            if (total > 0)
            {
                WriteProgress(new ProgressRecord(3, "Reading image metadata", $"{repository}: {done} of {total} tags") { ParentActivityId = 1, PercentComplete = Math.Min(100, 100 * done / total) });
            }
        }

        protected override void EndProcessing()
        {
            if (lookups is not null)
            {
                foreach (var write in lookups.Drain(Tick, WhileWaiting))
                {
                    write();
                    FlushVerbose();
                }
            }

            if (router?.DescribeRequests() is { } requests)
            {
                WriteVerbose(requests);
            }

            Dispose();
        }

        protected override void StopProcessing() => stopping.Cancel();

        public void Dispose()
        {
            router?.Dispose();
            router = null;
            secrets?.Dispose();
            secrets = null;
        }
    }
}
