using System.Collections.Generic;

namespace ImageUpdater.Core.Tags.Strategies
{
    /// <summary>
    /// One update strategy and everything about it: its names, what a listing must read for it, its constraint check, how it ranks tags
    /// and when its winner is an update. Adding a strategy is one class implementing this, one line in <see cref="TagSelector"/>'s registry
    /// and its <see cref="UpdateStrategy"/> value.
    /// </summary>
    internal interface ITagStrategy
    {
        UpdateStrategy Strategy { get; }

        /// <summary>The annotation and parameter spelling (<c>newest-build</c>).</summary>
        string Name { get; }

        /// <summary>Older spellings still accepted with a warning (<c>latest</c>).</summary>
        IReadOnlyList<string> DeprecatedNames { get; }

        /// <summary>What the strategy picks, in one line (tab completion).</summary>
        string Description { get; }

        /// <summary>True when ranking needs push or build times and digests, so a listing reads manifests.</summary>
        bool NeedsMetadata { get; }

        /// <summary>The one tag a listing needs metadata for, or null for every tag.</summary>
        string? OnlyTag(string? constraint);

        /// <summary>True when a pushed tag (with the running tag) can stand for the whole listing: its ranking needs no other tag of the repository.</summary>
        bool AcceptsPushedTag(ImageTag pushed, string? constraint);

        /// <summary>Why <paramref name="constraint"/> cannot work for <paramref name="image"/>, in one sentence, or null when it can.</summary>
        string? CheckConstraint(string? constraint, string image);

        /// <summary>True when <paramref name="winner"/> differs from what runs now (<paramref name="currentTag"/>, <paramref name="currentDigest"/>).</summary>
        bool IsUpdate(string? currentTag, string? currentDigest, ImageTag winner);

        /// <summary>The digest written with the winner's tag, or null when only the tag is written.</summary>
        string? DigestToWrite(ImageTag winner);

        /// <summary>Ranks the first <paramref name="count"/> of <paramref name="tags"/> (already filtered; a pooled array); throws <see cref="ImageUpdaterException"/> for an unusable constraint.</summary>
        StrategyOutcome Rank(ImageTag[] tags, int count, TagSelectionOptions options);
    }

    /// <summary>What a strategy did: the tags it kept best first, how many it set aside and why, and how to describe and write the winner.</summary>
    internal sealed class StrategyOutcome
    {
        public StrategyOutcome(List<ImageTag> ordered)
        {
            Ordered = ordered;
        }

        public List<ImageTag> Ordered { get; }

        /// <summary>An outcome holding the first <paramref name="count"/> tags sorted best first by <paramref name="bestFirst"/>.</summary>
        public static StrategyOutcome Sorted(ImageTag[] tags, int count, IComparer<ImageTag> bestFirst)
        {
            var ordered = new List<ImageTag>(count);
            for (int i = 0; i < count; i++)
            {
                ordered.Add(tags[i]);
            }

            ordered.Sort(bestFirst);
            return new StrategyOutcome(ordered);
        }

        /// <summary>"19 outside ~1.4"-style phrases, in the order the checks ran.</summary>
        public List<string> Rejections { get; } = new List<string>();

        /// <summary>How the winner is described ("newest 1.4.7"); used only when there is one.</summary>
        public string? WinnerPhrase { get; set; }

        /// <summary>What to write for the winner when it is not just the tag (digest: <c>tag@sha256:…</c>).</summary>
        public string? WinnerText { get; set; }

        /// <summary>What the user should know regardless of the outcome ("constraint ignored"), or null.</summary>
        public string? Note { get; private set; }

        public void AddNote(string note) => Note = Note is null ? note : Note + "; " + note;

        public void Reject(int count, string why)
        {
            if (count > 0)
            {
                Rejections.Add(count + " " + why);
            }
        }
    }
}
