using System;
using System.Text;
using ImageUpdater.Core.Argo;

namespace ImageUpdater.Core.Updating
{
    /// <summary>
    /// Splits applications between several jobs without coordination: an application belongs to shard
    /// FNV-1a(namespace/name) mod n, which is the same in every process, on every machine, in every run.
    /// </summary>
    public readonly struct ApplicationShard
    {
        public ApplicationShard(int index, int count)
        {
            if (count < 1 || index < 0 || index >= count)
            {
                throw new ArgumentOutOfRangeException(nameof(index), "A shard is i/n with 0 <= i < n.");
            }

            Index = index;
            Count = count;
        }

        public int Index { get; }

        public int Count { get; }

        /// <summary>Parses <c>i/n</c> (0-based i).</summary>
        public static ApplicationShard Parse(string text)
        {
            var parts = (text ?? string.Empty).Split('/');
            if (parts.Length == 2 && int.TryParse(parts[0].Trim(), out var index) && int.TryParse(parts[1].Trim(), out var count) && count >= 1 && index >= 0 && index < count)
            {
                return new ApplicationShard(index, count);
            }

            throw new ImageUpdaterException("ShardInvalid", FailureKind.InvalidArgument, $"'{text}' is not a shard: write i/n with 0 <= i < n, e.g. 0/3, 1/3 and 2/3 for three jobs.", text);
        }

        public bool Includes(ArgoApplication application) => Of(application.QualifiedName, Count) == Index;

        /// <summary>The shard of a <c>namespace/name</c> key among <paramref name="count"/>.</summary>
        public static int Of(string key, int count)
        {
            unchecked
            {
                var hash = 2166136261u;
                foreach (var b in Encoding.UTF8.GetBytes(key))
                {
                    hash = (hash ^ b) * 16777619u;
                }

                return (int)(hash % (uint)count);
            }
        }

        public override string ToString() => $"{Index}/{Count}";
    }
}
