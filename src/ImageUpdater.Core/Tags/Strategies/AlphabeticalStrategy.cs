using System.Collections.Generic;

namespace ImageUpdater.Core.Tags.Strategies
{
    /// <summary>alphabetical: the last tag in ordinal (byte) order, meant for calver and date tags; the constraint is ignored.</summary>
    internal sealed class AlphabeticalStrategy : ITagStrategy
    {
        private static readonly IComparer<ImageTag> BestFirst = Comparer<ImageTag>.Create((x, y) => string.CompareOrdinal(y.Tag, x.Tag));

        public UpdateStrategy Strategy => UpdateStrategy.Alphabetical;

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
