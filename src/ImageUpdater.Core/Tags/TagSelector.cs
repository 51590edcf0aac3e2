using System;
using System.Collections.Generic;
using System.Linq;
using ImageUpdater.Core.Annotations;

namespace ImageUpdater.Core.Tags
{
    /// <summary>What to select: a strategy and the filters of one image (from its ImageSpec or from cmdlet parameters).</summary>
    public sealed class TagSelectionOptions
    {
        public UpdateStrategy Strategy { get; set; } = UpdateStrategy.Semver;

        /// <summary>semver: a Masterminds constraint; digest: the tag to track; ignored by the others.</summary>
        public string? Constraint { get; set; }

        /// <summary><c>any</c>, <c>regexp:…</c>, or null.</summary>
        public string? AllowTags { get; set; }

        public IReadOnlyList<string> IgnoreTags { get; set; } = Array.Empty<string>();

        /// <summary><c>os/arch[/variant]</c>; only applied to tags whose Platforms are known.</summary>
        public IReadOnlyList<string> Platforms { get; set; } = Array.Empty<string>();

        public static TagSelectionOptions FromSpec(ImageSpec spec) => new TagSelectionOptions
        {
            Strategy = spec.UpdateStrategy,
            Constraint = spec.Constraint,
            AllowTags = spec.AllowTags,
            IgnoreTags = spec.IgnoreTags,
            Platforms = spec.Platforms,
        };
    }

    /// <summary>The outcome of a selection: the allowed tags best first, the winner, and why.</summary>
    public sealed class TagSelectionResult
    {
        public TagSelectionResult(IReadOnlyList<ImageTag> ordered, string reason)
        {
            Ordered = ordered;
            Reason = reason;
        }

        /// <summary>Tags that passed every filter, best first.</summary>
        public IReadOnlyList<ImageTag> Ordered { get; }

        public ImageTag? Winner => Ordered.Count > 0 ? Ordered[0] : null;

        /// <summary>Which tag won and why, or why none did (counts per filter).</summary>
        public string Reason { get; }

        /// <summary>The text to write for the winner: the tag, or <c>tag@sha256:…</c> for the digest strategy.</summary>
        public string? WinnerText { get; set; }
    }
}
