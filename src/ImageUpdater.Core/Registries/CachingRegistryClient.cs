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

    /// <summary>Lists each repository once per run however many applications ask for it; concurrent callers share the one listing.</summary>
    public sealed class CachingRegistryClient : IRegistryClient
    {
        private readonly IRegistryClient inner;
        private readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<ImageTag>>>> listings =
            new ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<ImageTag>>>>(StringComparer.Ordinal);

        public CachingRegistryClient(IRegistryClient inner)
        {
            this.inner = inner ?? throw new ArgumentNullException(nameof(inner));
        }

        /// <summary>Listings actually requested from the registry (cache misses).</summary>
        public int Listings => listings.Count;

        public bool Handles(string registry) => inner.Handles(registry);

        public Task<IReadOnlyList<ImageTag>> ListTagsAsync(string? registry, string repository, TagListOptions options, CancellationToken cancellationToken = default)
        {
            options ??= TagListOptions.Default;
            var key = (registry ?? string.Empty).ToLowerInvariant() + "/" + repository + "#" + (inner is IListingKey keyed ? keyed.ListingKey(options) : options.CacheKey);
            var entry = listings.GetOrAdd(key, _ => new Lazy<Task<IReadOnlyList<ImageTag>>>(
                () => inner.ListTagsAsync(registry, repository, options, CancellationToken.None),
                LazyThreadSafetyMode.ExecutionAndPublication));
            // A failure is remembered too: within one run every application sharing the repository gets the same error for one request.
            var task = entry.Value;
            return cancellationToken.CanBeCanceled ? WithCancellation(task, cancellationToken) : task;
        }

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
