using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;

namespace ImageUpdater.Core.Run
{
    /// <summary>
    /// For write-back whose candidates arrive one by one (Update-HelmImageTag's pipeline input, which can only write when its input
    /// ends): each git repository's preparation (<see cref="GitWriteBack.Prepare"/>: clone or fetch into the clone cache) starts in
    /// the background when its first candidate needing a write arrives, at most N at once, so that only commit and push remain at
    /// the end. The write itself is unchanged: one unit per repository, one commit per branch.
    /// </summary>
    public sealed class WriteBackPreparation
    {
        private readonly Func<GitWriteBack> git;
        private readonly SemaphoreSlim gate;
        private readonly CancellationToken cancellationToken;
        private readonly HashSet<string> seen = new HashSet<string>(StringComparer.Ordinal);
        private readonly List<Task> started = new List<Task>();

        /// <param name="git">The git write-back the run's units will use (its options: cache folder, credentials, timeouts).</param>
        public WriteBackPreparation(Func<GitWriteBack> git, int maxConcurrent, CancellationToken cancellationToken)
        {
            this.git = git ?? throw new ArgumentNullException(nameof(git));
            gate = new SemaphoreSlim(Math.Max(1, maxConcurrent));
            this.cancellationToken = cancellationToken;
        }

        /// <summary>
        /// Preparations at once by default: as many as the write runs. Fewer (one per core the caller's thread leaves) kept the
        /// preparations behind the input on 2 cores, so the write waited for them or cloned them itself (measured, bench/Pipeline).
        /// </summary>
        public const int DefaultConcurrency = 8;

        /// <summary>Repositories whose preparation was started.</summary>
        public IReadOnlyCollection<string> Repositories => seen;

        /// <summary>Starts the preparation of the candidate's git repository if it is the first candidate of it that needs a write; call on one thread.</summary>
        public bool Add(ImageUpdateCandidate candidate)
        {
            if (!candidate.UpdateNeeded || candidate.WriteBack.Method != WriteBackMethod.Git)
            {
                return false;
            }

            var repository = GitWriteBack.RepositoryOf(candidate.ApplicationObject);
            if (repository is null || !seen.Add(repository))
            {
                return false;
            }

            var batch = new GitRepositoryBatch(repository, new[] { candidate });
            started.Add(PrepareAsync(batch));
            return true;
        }

        private async Task PrepareAsync(GitRepositoryBatch batch)
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (Volatile.Read(ref closed))
                {
                    // The input has ended: the write clones it with the others, as many at once as it writes.
                    return;
                }

                await BoundedConcurrency.OnOwnThread(() => git().Prepare(batch)).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }

        /// <summary>
        /// Starts no further preparation (the write, more of them at once, is quicker than waiting for them) and ends when those
        /// running have ended (never faults): the write waits for it, so a unit never finds its clone cache locked by its own
        /// preparation (the lock is polled) and nothing runs in the background once the command is done.
        /// </summary>
        public Task<bool> Finished()
        {
            Volatile.Write(ref closed, true);
            return Task.WhenAll(started.Select(t => t.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default))).ContinueWith(_ => true, TaskScheduler.Default);
        }

        private bool closed;
    }
}
