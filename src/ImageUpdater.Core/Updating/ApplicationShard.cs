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

        /// <summary>The index Kubernetes gives each pod of an Indexed Job (0-based), and the count the Job's spec sets.</summary>
        public const string IndexVariable = "JOB_COMPLETION_INDEX";
        public const string CountVariable = "JOB_COMPLETIONS";

        /// <summary>
        /// Parses <c>i/n</c> (0-based i), or <c>Auto</c>: i from JOB_COMPLETION_INDEX (set by Kubernetes for Indexed Jobs) and n
        /// from JOB_COMPLETIONS (set in the Job's env to its spec.completions; Kubernetes does not set it).
        /// </summary>
        public static ApplicationShard Parse(string text, Func<string, string?>? environment = null)
        {
            if (string.Equals(text?.Trim(), "Auto", StringComparison.OrdinalIgnoreCase))
            {
                return FromEnvironment(environment ?? Environment.GetEnvironmentVariable);
            }

            var parts = (text ?? string.Empty).Split('/');
            if (parts.Length == 2 && int.TryParse(parts[0].Trim(), out var index) && int.TryParse(parts[1].Trim(), out var count) && count >= 1 && index >= 0 && index < count)
            {
                return new ApplicationShard(index, count);
            }

            throw new ImageUpdaterException("ShardInvalid", FailureKind.InvalidArgument, $"'{text}' is not a shard: write i/n with 0 <= i < n, e.g. 0/3, 1/3 and 2/3 for three jobs.", text);
        }

        private static ApplicationShard FromEnvironment(Func<string, string?> environment)
        {
            var index = environment(IndexVariable);
            var count = environment(CountVariable);
            if (string.IsNullOrWhiteSpace(index) || string.IsNullOrWhiteSpace(count))
            {
                throw new ImageUpdaterException("ShardAutoUnset", FailureKind.InvalidArgument,
                    $"-Shard Auto reads {IndexVariable} and {CountVariable}, and {(string.IsNullOrWhiteSpace(index) ? IndexVariable : CountVariable)} is not set: run in a Kubernetes Job with completionMode: Indexed and set {CountVariable} to its completions, or pass -Shard i/n (e.g. from an Azure Automation child job's -ShardIndex/-ShardCount).",
                    "Auto");
            }

            if (int.TryParse(index!.Trim(), out var i) && int.TryParse(count!.Trim(), out var n) && n >= 1 && i >= 0 && i < n)
            {
                return new ApplicationShard(i, n);
            }

            throw new ImageUpdaterException("ShardInvalid", FailureKind.InvalidArgument,
                $"-Shard Auto read {IndexVariable}='{index}' and {CountVariable}='{count}', which are not a shard (0 <= index < count): set {CountVariable} to the Job's spec.completions.", "Auto");
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
