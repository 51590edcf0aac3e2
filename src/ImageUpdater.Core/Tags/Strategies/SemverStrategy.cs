using System;
using System.Buffers;
using System.Collections.Generic;

namespace ImageUpdater.Core.Tags.Strategies
{
    /// <summary>semver: the highest version within the constraint; tags that are not versions are skipped; ties (<c>v1.0</c>, <c>1.0.0</c>) go to the ordinally greater text.</summary>
    internal sealed class SemverStrategy : ITagStrategy
    {
        private static readonly IComparer<Ranked> BestFirst = new DescendingComparer();

        public UpdateStrategy Strategy => UpdateStrategy.Semver;

        public string Name => "semver";

        public IReadOnlyList<string> DeprecatedNames { get; } = Array.Empty<string>();

        public string Description => "Highest semantic version within the constraint (default)";

        public bool NeedsMetadata => false;

        public string? OnlyTag(string? constraint) => null;

        // The pushed version competes with the running one; a version between them that was never applied waits for the next full run.
        public bool AcceptsPushedTag(ImageTag pushed, string? constraint) => true;

        public string? CheckConstraint(string? constraint, string image) =>
            !string.IsNullOrWhiteSpace(constraint) && !SemverConstraint.TryParse(constraint!, out _, out var error)
                ? $"'{image}': the constraint '{constraint}' is not a semver constraint ({error}); no tag satisfies it."
                : null;

        public bool IsUpdate(string? currentTag, string? currentDigest, ImageTag winner) => !string.Equals(currentTag, winner.Tag, StringComparison.Ordinal);

        public string? DigestToWrite(ImageTag winner) => null;

        public StrategyOutcome Rank(ImageTag[] tags, int count, TagSelectionOptions options)
        {
            // No constraint means '*' as in upstream v1: every release, no pre-release.
            bool hasConstraint = !string.IsNullOrWhiteSpace(options.Constraint);
            var constraint = hasConstraint ? SemverConstraint.Parse(options.Constraint!) : SemverConstraint.Any;

            // Pooled for the same reason as the filtered tags: large arrays per call cost full GCs.
            var ranked = ArrayPool<Ranked>.Shared.Rent(Math.Max(count, 1));
            int kept = 0;
            try
            {
                int notVersions = 0, prereleases = 0, outside = 0;
                for (int i = 0; i < count; i++)
                {
                    var tag = tags[i];
                    if (!SemanticVersion.TryParse(tag.Tag, out var version))
                    {
                        notVersions++;
                    }
                    else if (constraint.IsSatisfiedBy(version))
                    {
                        ranked[kept++] = new Ranked(version, tag);
                    }
                    else if (version.IsPrerelease && !constraint.AdmitsPrereleases)
                    {
                        prereleases++;
                    }
                    else
                    {
                        outside++;
                    }
                }

                var outcome = new StrategyOutcome(BestFirstTags(ranked, kept));
                outcome.Reject(notVersions, notVersions == 1 ? "not a semantic version" : "not semantic versions");
                outcome.Reject(prereleases, prereleases == 1 ? "pre-release (the constraint has no pre-release part)" : "pre-releases (the constraint has no pre-release part)");
                outcome.Reject(outside, "outside " + constraint.Text);
                if (kept > 0)
                {
                    outcome.WinnerPhrase = "newest " + outcome.Ordered[0].Tag;
                }

                return outcome;
            }
            finally
            {
                Array.Clear(ranked, 0, kept);
                ArrayPool<Ranked>.Shared.Return(ranked);
            }
        }

        // Sorting many structs through a comparer is slow: when the numbers fit, pack them into one ulong
        // (major 25 bits, enough for yyyymmdd calver; minor and patch 19 bits; a release bit above its pre-releases),
        // sort the primitives, then order only the runs of equal keys with the full comparison.
        private static List<ImageTag> BestFirstTags(Ranked[] ranked, int count)
        {
            var ordered = new List<ImageTag>(count);
            var keys = ArrayPool<ulong>.Shared.Rent(Math.Max(count, 1));
            var order = ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
            try
            {
                for (int i = 0; i < count; i++)
                {
                    var v = ranked[i].Version;
                    if (v.Major >= 1UL << 25 || v.Minor >= 1UL << 19 || v.Patch >= 1UL << 19)
                    {
                        Array.Sort(ranked, 0, count, BestFirst);
                        for (int j = 0; j < count; j++)
                        {
                            ordered.Add(ranked[j].Tag);
                        }

                        return ordered;
                    }

                    keys[i] = (v.Major << 39) | (v.Minor << 20) | (v.Patch << 1) | (v.IsPrerelease ? 0UL : 1UL);
                    order[i] = i;
                }

                Array.Sort(keys, order, 0, count);
                IComparer<int>? ties = null;
                for (int start = 0; start < count;)
                {
                    int end = start + 1;
                    while (end < count && keys[end] == keys[start])
                    {
                        end++;
                    }

                    if (end - start > 1)
                    {
                        ties ??= Comparer<int>.Create((a, b) => SemanticVersion.CompareForSelection(ranked[a].Version, ranked[b].Version));
                        Array.Sort(order, start, end - start, ties);
                    }

                    start = end;
                }

                for (int i = count - 1; i >= 0; i--)
                {
                    ordered.Add(ranked[order[i]].Tag);
                }

                return ordered;
            }
            finally
            {
                ArrayPool<ulong>.Shared.Return(keys);
                ArrayPool<int>.Shared.Return(order);
            }
        }

        private readonly struct Ranked
        {
            public Ranked(SemanticVersion version, ImageTag tag)
            {
                Version = version;
                Tag = tag;
            }

            public SemanticVersion Version { get; }

            public ImageTag Tag { get; }
        }

        private sealed class DescendingComparer : IComparer<Ranked>
        {
            public int Compare(Ranked x, Ranked y) => SemanticVersion.CompareForSelection(y.Version, x.Version);
        }
    }
}
