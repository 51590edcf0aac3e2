using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Updating;

namespace ImageUpdater.Core.Run
{
    /// <summary>Applies started units, each on a thread of its own (units block), at most N at once, and hands each outcome to <c>finished</c> (from a worker thread).</summary>
    public sealed class WriteBackUnitQueue
    {
        // Not disposed: a unit still waiting after a stop would otherwise fault on it.
        private readonly SemaphoreSlim gate;
        private readonly Action<IWriteBackUnit, WriteBackOutcome> finished;
        private readonly CancellationToken cancellationToken;

        public WriteBackUnitQueue(int maxConcurrent, Action<IWriteBackUnit, WriteBackOutcome> finished, CancellationToken cancellationToken)
        {
            gate = new SemaphoreSlim(Math.Max(1, maxConcurrent));
            this.finished = finished;
            this.cancellationToken = cancellationToken;
        }

        public void Start(IWriteBackUnit unit, bool whatIf) => _ = ApplyAsync(unit, whatIf);

        private async Task ApplyAsync(IWriteBackUnit unit, bool whatIf)
        {
            WriteBackOutcome outcome;
            try
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    outcome = await BoundedConcurrency.OnOwnThread(() => unit.Apply(whatIf, cancellationToken)).ConfigureAwait(false);
                }
                finally
                {
                    gate.Release();
                }
            }
            catch (OperationCanceledException)
            {
                outcome = Ended(unit, UpdateStatus.Skipped, "Stopped before this write-back finished.", null);
            }
            catch (Exception ex)
            {
                var failure = ex as ImageUpdaterException ?? new ImageUpdaterException("WriteBackFailed", FailureKind.NotSpecified, $"Write-back to {unit.Target} failed: {ex.Message}", unit.Target, ex);
                outcome = Ended(unit, UpdateStatus.Failed, failure.Message, failure);
            }

            finished(unit, outcome);
        }

        private static WriteBackOutcome Ended(IWriteBackUnit unit, UpdateStatus status, string message, ImageUpdaterException? error)
        {
            var outcome = new WriteBackOutcome();
            foreach (var candidate in unit.Candidates)
            {
                outcome.Add(candidate, ImageUpdateResult.For(candidate, unit.Method, status, message) with { Repository = unit.Repository });
            }

            if (error is not null)
            {
                outcome.Errors.Add(error);
            }

            return outcome;
        }
    }
}
