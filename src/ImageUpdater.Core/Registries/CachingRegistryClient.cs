using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Tags;

namespace ImageUpdater.Core.Registries
{
    /// <summary>A registry whose listing does not depend on every option (ECR lists digests and push times whatever is asked) names what it does depend on.</summary>
    public interface IListingKey
    {
        /// <summary>Options giving the same key give the same listing.</summary>
        string ListingKey(TagListOptions options);
    }

    /// <summary>
    /// Lists each repository once per run however many applications ask for it; concurrent callers share the one listing.
    /// With a listing limit, at most that many repositories are listed at once, first asked, first listed:
    /// callers waiting for a listing already under way hold no slot, so the limit counts registry work, not waiting images.
    /// </summary>
    public sealed class CachingRegistryClient : IRegistryClient, IDisposable
    {
        private readonly IRegistryClient inner;
        private readonly SemaphoreSlim? gate;
        private readonly CancellationToken lifetime;
        private readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<ImageTag>>>> listings =
            new ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<ImageTag>>>>(StringComparer.Ordinal);

        /// <param name="inner">The registry client that lists.</param>
        /// <param name="maxConcurrentListings">Listings under way at once; 0 for no limit.</param>
        /// <param name="lifetime">Cancels queued and running listings (a run being stopped), whoever asked for them.</param>
        public CachingRegistryClient(IRegistryClient inner, int maxConcurrentListings = 0, CancellationToken lifetime = default)
        {
            this.lifetime = lifetime;
            this.inner = inner ?? throw new ArgumentNullException(nameof(inner));
            if (maxConcurrentListings < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(maxConcurrentListings), "The listing limit is 0 (none) or more.");
            }

            gate = maxConcurrentListings > 0 ? new SemaphoreSlim(maxConcurrentListings, maxConcurrentListings) : null;
        }

        /// <summary>The most listings that were under way at one time.</summary>
        public int PeakConcurrentListings => peak;

        private int running;
        private int peak;

        /// <summary>Listings actually requested from the registry (cache misses).</summary>
        public int Listings => listings.Count;

        public bool Handles(string registry) => inner.Handles(registry);

        public Task<IReadOnlyList<ImageTag>> ListTagsAsync(string? registry, string repository, TagListOptions options, CancellationToken cancellationToken = default)
        {
            options ??= TagListOptions.Default;
            var key = (registry ?? string.Empty).ToLowerInvariant() + "/" + repository + "#" + (inner is IListingKey keyed ? keyed.ListingKey(options) : options.CacheKey);
            var entry = listings.GetOrAdd(key, _ => new Lazy<Task<IReadOnlyList<ImageTag>>>(
                () => ListAsync(registry, repository, options),
                LazyThreadSafetyMode.ExecutionAndPublication));
            // A failure is remembered too: within one run every application sharing the repository gets the same error for one request.
            var task = entry.Value;
            return cancellationToken.CanBeCanceled ? WithCancellation(task, cancellationToken) : task;
        }

        private async Task<IReadOnlyList<ImageTag>> ListAsync(string? registry, string repository, TagListOptions options)
        {
            if (gate is not null)
            {
                // SemaphoreSlim queues asynchronous waiters first in, first out: repositories are listed in the order first asked for.
                await gate.WaitAsync(lifetime).ConfigureAwait(false);
            }

            var now = Interlocked.Increment(ref running);
            for (var seen = Volatile.Read(ref peak); now > seen && Interlocked.CompareExchange(ref peak, now, seen) != seen; seen = Volatile.Read(ref peak))
            {
            }

            try
            {
                return await inner.ListTagsAsync(registry, repository, options, lifetime).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref running);
                gate?.Release();
            }
        }

        public void Dispose() => gate?.Dispose();

        private static async Task<IReadOnlyList<ImageTag>> WithCancellation(Task<IReadOnlyList<ImageTag>> task, CancellationToken cancellationToken)
        {
            var cancelled = new TaskCompletionSource<bool>();
            using (cancellationToken.Register(() => cancelled.TrySetResult(true)))
            {
                if (await Task.WhenAny(task, cancelled.Task).ConfigureAwait(false) != task)
                {
                    throw new OperationCanceledException(cancellationToken);
                }
            }

            return await task.ConfigureAwait(false);
        }
    }
}
