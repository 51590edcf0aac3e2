using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Tags;

namespace ImageUpdater.Core.Updating
{
    /// <summary>Which tag of an image would win under given update options, and why (PSTypeName ImageUpdater.TagTestResult).</summary>
    public sealed class TagTestResult
    {
        public TagTestResult(ImageReference image, TagSelectionOptions options, IReadOnlyList<ImageTag> listed, TagSelectionResult selection)
        {
            Image = image.Name;
            Registry = image.EffectiveRegistry;
            Repository = image.Repository;
            Strategy = options.Strategy.ToAnnotationValue();
            Constraint = options.Constraint;
            AllowTags = options.AllowTags;
            IgnoreTags = options.IgnoreTags;
            Platforms = options.Platforms;
            Considered = listed.Count;
            Qualified = selection.Ordered;
            WinnerTag = selection.Winner;
            Winner = selection.Winner is null ? null : selection.WinnerText ?? selection.Winner.Tag;
            Reason = selection.Reason;
        }

        /// <summary>registry/repository, as given (without the constraint).</summary>
        public string Image { get; }

        public string Registry { get; }

        public string Repository { get; }

        public string Strategy { get; }

        public string? Constraint { get; }

        public string? AllowTags { get; }

        public IReadOnlyList<string> IgnoreTags { get; }

        public IReadOnlyList<string> Platforms { get; }

        /// <summary>The text an update would write: the tag, or <c>tag@sha256:…</c> for the digest strategy; null when no tag qualifies.</summary>
        public string? Winner { get; }

        public ImageTag? WinnerTag { get; }

        /// <summary>Tags the registry listed.</summary>
        public int Considered { get; }

        /// <summary>Tags that passed every filter, best first.</summary>
        public IReadOnlyList<ImageTag> Qualified { get; }

        /// <summary>Why the winner won, or why no tag did (counts per filter).</summary>
        public string Reason { get; }

        public override string ToString() => $"{Image}: {Winner ?? "(none)"} ({Strategy})";
    }

    /// <summary>The tag test of <c>argocd-image-updater test</c>: list the repository once and run the selection; nothing is written.</summary>
    public static class TagTest
    {
        public static async Task<TagTestResult> RunAsync(IRegistryClient registry, ImageReference image, TagSelectionOptions options, CancellationToken cancellationToken = default)
        {
            if (registry is null)
            {
                throw new ArgumentNullException(nameof(registry));
            }

            var listing = TagListOptions.For(options.Strategy, options.Constraint, options.Platforms);
            var tags = await registry.ListTagsAsync(image.Registry, RegistryRouter.RepositoryNameFor(image), listing, cancellationToken).ConfigureAwait(false);
            return new TagTestResult(image, options, tags, ImageUpdatePlanner.DefaultSelect(tags, options));
        }
    }
}
