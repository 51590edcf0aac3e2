using System;
using System.Collections.Generic;

namespace ImageUpdater.Core.Tags.Strategies
{
    /// <summary>digest: the constraint names one mutable tag (e.g. <c>latest</c>); the result is that tag pinned to its current digest, <c>tag@sha256:…</c>.</summary>
    internal sealed class DigestStrategy : ITagStrategy
    {
        public UpdateStrategy Strategy => UpdateStrategy.Digest;

        public string Name => "digest";

        public IReadOnlyList<string> DeprecatedNames { get; } = Array.Empty<string>();

        public string Description => "The newest digest of the tag named by the constraint";

        public bool NeedsMetadata => true;

        public string? OnlyTag(string? constraint) => constraint;

        // The tracked tag's new digest is all the strategy reads.
        public bool AcceptsPushedTag(ImageTag pushed, string? constraint) => pushed.Digest is not null && string.Equals(pushed.Tag, constraint, System.StringComparison.Ordinal);

        public string? CheckConstraint(string? constraint, string image) =>
            string.IsNullOrEmpty(constraint) ? $"Image '{image}' uses the digest strategy without a tag to track; write '{image}:<tag>' in image-list." : null;

        public bool IsUpdate(string? currentTag, string? currentDigest, ImageTag winner) =>
            currentDigest is null || !string.Equals(currentDigest, winner.Digest, StringComparison.Ordinal);

        public string? DigestToWrite(ImageTag winner) => winner.Digest;

        public StrategyOutcome Rank(ImageTag[] tags, int count, TagSelectionOptions options)
        {
            var tracked = options.Constraint?.Trim();
            if (string.IsNullOrEmpty(tracked))
            {
                throw new ImageUpdaterException(
                    "DigestNeedsTag",
                    FailureKind.InvalidArgument,
                    "The digest strategy needs the tag to track as its constraint: write it in the image-list (e.g. 'app=my/app:latest') or pass -Constraint latest.");
            }

            var ordered = new List<ImageTag>(1);
            for (int i = 0; i < count; i++)
            {
                if (string.Equals(tags[i].Tag, tracked, StringComparison.Ordinal))
                {
                    ordered.Add(tags[i]);
                    break;
                }
            }

            var outcome = new StrategyOutcome(ordered);
            outcome.Reject(count - ordered.Count, "not the tracked tag " + tracked);
            if (ordered.Count > 0)
            {
                var winner = ordered[0];
                if (string.IsNullOrEmpty(winner.Digest))
                {
                    outcome.WinnerPhrase = "tracking " + winner.Tag + " but the registry gave no digest for it";
                    outcome.WinnerText = winner.Tag;
                }
                else
                {
                    outcome.WinnerPhrase = "tracking " + winner.Tag + " at " + winner.Digest;
                    outcome.WinnerText = winner.Tag + "@" + winner.Digest;
                }
            }

            return outcome;
        }
    }
}
