using System;
using System.Collections.Generic;

namespace ImageUpdater.Core.Tags.Strategies
{
    /// <summary>alphabetical: the last tag in ordinal (byte) order, meant for calver and date tags; the constraint is ignored.</summary>
    internal sealed class AlphabeticalStrategy : ITagStrategy
    {
        private static readonly IComparer<ImageTag> BestFirst = Comparer<ImageTag>.Create((x, y) => string.CompareOrdinal(y.Tag, x.Tag));

        public UpdateStrategy Strategy => UpdateStrategy.Alphabetical;

        public string Name => "alphabetical";

        public IReadOnlyList<string> DeprecatedNames { get; } = new[] { "name" };

        public string Description => "The last tag in lexical order";

        public bool NeedsMetadata => false;

        public string? OnlyTag(string? constraint) => null;

        // Any tag of the repository may sort after the pushed one: the listing decides.
        public bool AcceptsPushedTag(ImageTag pushed, string? constraint) => false;

        public string? CheckConstraint(string? constraint, string image) => null;

        public bool IsUpdate(string? currentTag, string? currentDigest, ImageTag winner) => !string.Equals(currentTag, winner.Tag, StringComparison.Ordinal);

        public string? DigestToWrite(ImageTag winner) => null;

        public StrategyOutcome Rank(ImageTag[] tags, int count, TagSelectionOptions options)
        {
            var outcome = StrategyOutcome.Sorted(tags, count, BestFirst);
            var ordered = outcome.Ordered;
            if (!string.IsNullOrWhiteSpace(options.Constraint))
            {
                outcome.AddNote("the constraint " + options.Constraint + " is ignored by alphabetical");
            }

            if (ordered.Count > 0)
            {
                outcome.WinnerPhrase = "last alphabetically " + ordered[0].Tag;
            }

            return outcome;
        }
    }
}
