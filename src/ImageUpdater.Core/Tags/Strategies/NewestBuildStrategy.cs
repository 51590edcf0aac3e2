using System;
using System.Collections.Generic;
using System.Globalization;

namespace ImageUpdater.Core.Tags.Strategies
{
    /// <summary>newest-build: the most recently pushed image (ECR imagePushedAt, else the build time); ties go to the ordinally greater name.</summary>
    internal sealed class NewestBuildStrategy : ITagStrategy
    {
        private static readonly IComparer<ImageTag> BestFirst = new DescendingComparer();

        public UpdateStrategy Strategy => UpdateStrategy.NewestBuild;

        public string Name => "newest-build";

        public IReadOnlyList<string> DeprecatedNames { get; } = new[] { "latest" };

        public string Description => "The most recently built or pushed image";

        public bool NeedsMetadata => true;

        public string? OnlyTag(string? constraint) => null;

        // Just pushed is newest, when the push time is known.
        public bool AcceptsPushedTag(ImageTag pushed, string? constraint) => pushed.PushedAt is not null;

        public string? CheckConstraint(string? constraint, string image) => null;

        public bool IsUpdate(string? currentTag, string? currentDigest, ImageTag winner) => !string.Equals(currentTag, winner.Tag, StringComparison.Ordinal);

        public string? DigestToWrite(ImageTag winner) => null;

        public StrategyOutcome Rank(ImageTag[] tags, int count, TagSelectionOptions options)
        {
            var outcome = StrategyOutcome.Sorted(tags, count, BestFirst);
            var ordered = outcome.Ordered;
            int undated = 0;
            foreach (var tag in ordered)
            {
                if (TimeOf(tag) is null)
                {
                    undated++;
                }
            }

            if (undated > 0)
            {
                outcome.AddNote(undated + (undated == 1 ? " tag has no push or build time and ranks" : " tags have no push or build time and rank") + " as oldest");
            }

            if (!string.IsNullOrWhiteSpace(options.Constraint))
            {
                outcome.AddNote("the constraint " + options.Constraint + " is ignored by newest-build");
            }

            if (ordered.Count > 0)
            {
                var time = TimeOf(ordered[0]);
                outcome.WinnerPhrase = "newest build " + ordered[0].Tag
                    + (time is null ? string.Empty : " (" + (ordered[0].PushedAt is null ? "built " : "pushed ") + time.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) + ")");
            }

            return outcome;
        }

        private static DateTimeOffset? TimeOf(ImageTag tag) => tag.PushedAt ?? tag.CreatedAt;

        private sealed class DescendingComparer : IComparer<ImageTag>
        {
            public int Compare(ImageTag? x, ImageTag? y)
            {
                long tx = TimeOf(x!)?.UtcTicks ?? long.MinValue;
                long ty = TimeOf(y!)?.UtcTicks ?? long.MinValue;
                return tx != ty ? ty.CompareTo(tx) : string.CompareOrdinal(y!.Tag, x!.Tag);
            }
        }
    }
}
