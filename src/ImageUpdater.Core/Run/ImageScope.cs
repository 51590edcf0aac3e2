using System;
using System.Collections.Generic;
using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Tags;
using ImageUpdater.Core.Updating;

namespace ImageUpdater.Core.Run
{
    /// <summary>
    /// The pushed images a run is limited to (<c>Invoke-ImageUpdater -Image</c>, registry events): only annotated images naming one
    /// of them are planned, and where the strategy allows it the pushed tag, with the running one, stands for the listing — no registry
    /// request. Otherwise that one repository is listed. The pushed tag still passes the constraint, allow-tags and ignore-tags.
    /// </summary>
    public sealed class ImageScope
    {
        private readonly List<(ImageReference Reference, DateTimeOffset? PushedAt)> pushes;

        private ImageScope(List<(ImageReference, DateTimeOffset?)> pushes)
        {
            this.pushes = pushes;
        }

        /// <summary>The pushed images as given (<c>registry/repository[:tag][@digest]</c>).</summary>
        public IReadOnlyList<string> Images => pushes.Select(p => p.Reference.Original).ToList();

        /// <summary>A scope from references and, where known, their push times.</summary>
        /// <exception cref="ImageUpdaterException">ImageScopeInvalid: a reference that does not parse, or names a tag or digest that is not OCI text.</exception>
        public static ImageScope For(IEnumerable<(string Image, DateTimeOffset? PushedAt)> images)
        {
            var list = new List<(ImageReference, DateTimeOffset?)>();
            foreach (var (image, pushedAt) in images)
            {
                if (!ImageReference.TryParse(image, out var reference, out var error))
                {
                    throw Invalid(image, error);
                }

                if ((reference.Tag is not null && !OciName.IsValidTag(reference.Tag)) || (reference.Digest is not null && !OciName.IsValidDigest(reference.Digest)))
                {
                    throw Invalid(image, "its tag or digest is not valid OCI text");
                }

                list.Add((reference, pushedAt));
            }

            return new ImageScope(list);
        }

        /// <summary>True when <paramref name="spec"/> names a pushed image (Docker Hub names compared as the registry resolves them).</summary>
        public bool Includes(ImageSpec spec) => pushes.Any(p => ImageName.SameImage(p.Reference.Name, spec.Image));

        /// <summary>
        /// The tags that stand for the repository's listing for this image — the pushed tags the strategy accepts, plus the running tag
        /// for semver — or null when the repository must be listed (a push without a tag, a strategy that ranks against every tag, platforms).
        /// </summary>
        public IReadOnlyList<ImageTag>? CandidatesFor(ArgoApplication app, ImageSpec spec)
        {
            if (spec.Platforms.Count > 0)
            {
                return null;
            }

            var strategy = TagSelector.For(spec.UpdateStrategy);
            var tags = new List<ImageTag>();
            foreach (var (reference, pushedAt) in pushes.Where(p => ImageName.SameImage(p.Reference.Name, spec.Image)))
            {
                if (reference.Tag is null)
                {
                    return null;
                }

                // An age is measured from the push time: without one the repository is listed.
                if (pushedAt is null && spec.MinimumAge > TimeSpan.Zero)
                {
                    return null;
                }

                var tag = new ImageTag(reference.Tag) { Registry = spec.Registry, Repository = spec.Repository, Digest = reference.Digest, PushedAt = pushedAt };
                if (!strategy.AcceptsPushedTag(tag, spec.Constraint))
                {
                    return null;
                }

                tags.Add(tag);
            }

            if (tags.Count == 0)
            {
                return null;
            }

            // semver compares versions: the running tag competes, so an older push never moves an image back.
            var running = CurrentImage.Find(app, spec)?.Tag;
            if (spec.UpdateStrategy == UpdateStrategy.Semver && running is not null && OciName.IsValidTag(running) && tags.All(t => t.Tag != running))
            {
                tags.Add(new ImageTag(running) { Registry = spec.Registry, Repository = spec.Repository });
            }

            return tags;
        }

        private static ImageUpdaterException Invalid(string image, string why) =>
            new ImageUpdaterException("ImageScopeInvalid", FailureKind.InvalidArgument, $"-Image '{image}' is not an image reference: {why}.", image);
    }
}
