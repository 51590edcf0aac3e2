using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ImageUpdater.Core.Run
{
    /// <summary>
    /// Work started as it is added — at most <c>throttleLimit</c> running at once, the rest started in input order as slots free —
    /// whose results are taken in input order, each as soon as it and every earlier one are done. A failed (or cancelled) work
    /// is its own item, made by <c>failed</c>; the others go on. Add and the Take methods belong to one thread (a cmdlet's
    /// pipeline thread); the work runs on the thread pool.
    /// </summary>
    public sealed class OrderedLookups<T>
    {
        private readonly object gate = new object();
        private readonly Queue<Task<T>> order = new Queue<Task<T>>();
        private readonly Queue<(Func<CancellationToken, Task<T>> Work, TaskCompletionSource<T> Done)> waiting = new Queue<(Func<CancellationToken, Task<T>>, TaskCompletionSource<T>)>();
        private readonly int throttleLimit;
        private readonly Func<Exception, T> failed;
        private readonly CancellationToken cancellation;
        private int running;
        private int peak;
        private bool completed;

        /// <param name="throttleLimit">Works running at once (at least 1).</param>
        /// <param name="failed">The item of a work that threw (or was cancelled before it ran).</param>
        /// <param name="cancellation">Passed to every work; once cancelled, works not yet started become failed items without running.</param>
        public OrderedLookups(int throttleLimit, Func<Exception, T> failed, CancellationToken cancellation = default)
        {
            this.throttleLimit = Math.Max(1, throttleLimit);
            this.failed = failed ?? throw new ArgumentNullException(nameof(failed));
            this.cancellation = cancellation;
        }

        /// <summary>Items added and not yet taken (running, waiting for a slot, or done behind an unfinished one).</summary>
        public int Count => order.Count;

        /// <summary>The most works that ran at once.</summary>
        public int PeakRunning
        {
            get
            {
                lock (gate)
                {
                    return peak;
                }
            }
        }

        /// <summary>Starts <paramref name="work"/> now if a slot is free, else when one frees (after every earlier work has started).</summary>
        public void Add(Func<CancellationToken, Task<T>> work)
        {
            if (work is null)
            {
                throw new ArgumentNullException(nameof(work));
            }

            if (completed)
            {
                throw new InvalidOperationException("No work can be added after Complete.");
            }

            var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            order.Enqueue(done.Task);
            lock (gate)
            {
                waiting.Enqueue((work, done));
            }

            StartWaiting();
        }

        /// <summary>An item that needs no work (a warning, say), kept in its input place.</summary>
        public void Add(T item)
        {
            if (completed)
            {
                throw new InvalidOperationException("No item can be added after Complete.");
            }

            order.Enqueue(Task.FromResult(item));
        }

        /// <summary>No more items will be added; <see cref="Drain"/> then takes the rest.</summary>
        public void Complete() => completed = true;

        /// <summary>The finished items at the head, in input order; stops at the first unfinished one without waiting.</summary>
        public IEnumerable<T> TakeReady() => TakeUntil(int.MaxValue, TimeSpan.Zero, null);

        /// <summary>
        /// Takes finished items in input order, waiting (in steps of <paramref name="tick"/>, calling <paramref name="onWait"/> after
        /// each, e.g. to show progress) while more than <paramref name="keep"/> are left — back-pressure for endless input.
        /// </summary>
        public IEnumerable<T> TakeUntil(int keep, TimeSpan tick, Action? onWait)
        {
            while (order.Count > 0)
            {
                var head = order.Peek();
                if (head.IsCompleted)
                {
                    order.Dequeue();
                    yield return head.GetAwaiter().GetResult();
                    continue;
                }

                if (order.Count <= keep)
                {
                    yield break;
                }

                ((IAsyncResult)head).AsyncWaitHandle.WaitOne(tick);
                onWait?.Invoke();
            }
        }

        /// <summary>Every item left, in input order, waiting for each (<paramref name="onWait"/> after every <paramref name="tick"/> of waiting).</summary>
        public IEnumerable<T> Drain(TimeSpan tick, Action? onWait = null)
        {
            Complete();
            return TakeUntil(0, tick, onWait);
        }

        private void StartWaiting()
        {
            while (true)
            {
                (Func<CancellationToken, Task<T>> Work, TaskCompletionSource<T> Done) next;
                lock (gate)
                {
                    if (waiting.Count == 0 || running >= throttleLimit)
                    {
                        return;
                    }

                    next = waiting.Dequeue();
                    running++;
                    peak = Math.Max(peak, running);
                }

                // The work's synchronous start (parsing, routing) runs off the caller's thread too.
                _ = Task.Run(() => RunAsync(next.Work, next.Done));
            }
        }

        private async Task RunAsync(Func<CancellationToken, Task<T>> work, TaskCompletionSource<T> done)
        {
            T item = default!;
            Exception? broken = null;
            try
            {
                cancellation.ThrowIfCancellationRequested();
                item = await work(cancellation).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                try
                {
                    item = failed(ex);
                }
                catch (Exception inner)
                {
                    broken = inner;
                }
            }

            lock (gate)
            {
                running--;
            }

            if (broken is null)
            {
                done.SetResult(item);
            }
            else
            {
                done.SetException(broken);
            }

            StartWaiting();
        }
    }
}
