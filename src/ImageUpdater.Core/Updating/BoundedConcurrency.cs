using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ImageUpdater.Core.Updating
{
    /// <summary>
    /// Runs work items with at most N in flight and hands each result to the caller's thread as soon as it completes,
    /// so a cmdlet can write results (PowerShell allows that only from the pipeline thread) while later items still run.
    /// </summary>
    public static class BoundedConcurrency
    {
        /// <summary>
        /// Runs work that blocks (libgit2, a synchronous API call) on a thread of its own: on the thread pool it would hold a thread the
        /// look-ups' I/O completions need, and on a small machine the pool adds threads only about twice a second.
        /// </summary>
        public static Task<T> OnOwnThread<T>(Func<T> work) =>
            Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        /// <inheritdoc cref="OnOwnThread{T}(Func{T})"/>
        public static Task OnOwnThread(Action work) =>
            Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        /// <summary>
        /// The work's result, or null when it fails or is not done within <paramref name="limit"/> (then it is cancelled). The work starts
        /// on the thread pool, so work that blocks before its first await is bounded too: for callers that must answer in time (completers).
        /// </summary>
        public static T? ResultWithin<T>(Func<CancellationToken, Task<T>> start, TimeSpan limit)
            where T : class
        {
            var deadline = new CancellationTokenSource();
            var task = Task.Run(() => start(deadline.Token));
            try
            {
                return task.Wait(limit) ? task.Result : null;
            }
            catch (Exception)
            {
                return null;
            }
            finally
            {
                deadline.Cancel();
                // Disposed once the work has seen the cancellation, not while it may still read the token.
                _ = task.ContinueWith(_ => deadline.Dispose(), TaskScheduler.Default);
            }
        }

        /// <summary>
        /// Results in completion order. <paramref name="work"/> should turn its own failures into results; an exception that
        /// escapes it is rethrown on the caller's thread once the items in flight have finished.
        /// </summary>
        public static IEnumerable<TResult> Stream<TItem, TResult>(IEnumerable<TItem> items, int throttleLimit, Func<TItem, CancellationToken, Task<TResult>> work, CancellationToken cancellationToken = default)
        {
            if (throttleLimit < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(throttleLimit), "The throttle limit is at least 1.");
            }

            using var results = new BlockingCollection<TResult>();
            var producer = Task.Run(() => ProduceAsync(items, throttleLimit, work, results, cancellationToken));
            foreach (var result in results.GetConsumingEnumerable())
            {
                yield return result;
            }

            producer.GetAwaiter().GetResult();
        }

        private static async Task ProduceAsync<TItem, TResult>(IEnumerable<TItem> items, int throttleLimit, Func<TItem, CancellationToken, Task<TResult>> work, BlockingCollection<TResult> results, CancellationToken cancellationToken)
        {
            using var gate = new SemaphoreSlim(throttleLimit);
            var running = new List<Task>();
            try
            {
                foreach (var item in items)
                {
                    await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                    running.Add(Task.Run(async () =>
                    {
                        try
                        {
                            results.Add(await work(item, cancellationToken).ConfigureAwait(false));
                        }
                        finally
                        {
                            gate.Release();
                        }
                    }));
                }

                await Task.WhenAll(running).ConfigureAwait(false);
            }
            finally
            {
                results.CompleteAdding();
            }
        }
    }
}
