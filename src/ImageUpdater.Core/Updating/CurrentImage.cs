using System;
using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Images;

namespace ImageUpdater.Core.Updating
{
    /// <summary>The tag (and digest) an application uses now for one of its images, and where that was read.</summary>
    public sealed class CurrentImage
    {
        public CurrentImage(string? tag, string? digest, string source)
        {
            Tag = tag;
            Digest = digest;
            Source = source;
        }

        public string? Tag { get; }

        public string? Digest { get; }

        /// <summary><c>status.summary.images</c>, <c>helm parameter image.tag</c>, <c>kustomize images</c>.</summary>
        public string Source { get; }

        /// <summary>True when the image runs in the application (status.summary.images), matched by registry and repository or by its kustomize image name.</summary>
        public static bool IsLive(ArgoApplication app, ImageSpec spec) => Live(app, spec) is not null;

        /// <summary>
        /// What the application runs now: the live image when the Application has a status, else the Helm parameter the
        /// spec names (helm.image-spec, helm.image-tag, default image.tag), else the kustomize images override, else (no status) the
        /// value at the write-back target that <paramref name="checkout"/> reads (the manifest's git checkout). Null when unknown.
        /// </summary>
        public static CurrentImage? Find(ArgoApplication app, ImageSpec spec, ICurrentTagSource? checkout = null) => Find(app, spec, null, checkout);

        /// <summary>As <see cref="Find(ArgoApplication, ImageSpec, ICurrentTagSource)"/>; <paramref name="winner"/> (the digest strategy's tag) picks this alias's own container among several running the image.</summary>
        public static CurrentImage? Find(ArgoApplication app, ImageSpec spec, Tags.ImageTag? winner, ICurrentTagSource? checkout = null)
        {
            var live = Live(app, spec, winner);
            if (live is not null)
            {
                return new CurrentImage(live.Tag, live.Digest, "status.summary.images");
            }

            var keys = HelmImageKeys.For(spec);
            foreach (var source in app.Sources)
            {
                if (keys.Spec is not null)
                {
                    var full = source.HelmParameters.FirstOrDefault(p => p.Name == keys.Spec)?.Value;
                    if (!string.IsNullOrEmpty(full) && ImageReference.TryParse(full, out var reference, out _))
                    {
                        return new CurrentImage(reference.Tag, reference.Digest, "helm parameter " + keys.Spec);
                    }

                    continue;
                }

                var value = source.HelmParameters.FirstOrDefault(p => p.Name == keys.Tag)?.Value;
                if (!string.IsNullOrEmpty(value))
                {
                    // A digest-strategy write is tag@sha256:…
                    TagText.Parse(value, out var tag, out var digest);
                    return new CurrentImage(tag, digest, "helm parameter " + keys.Tag);
                }
            }

            var names = Names(spec).ToList();
            foreach (var source in app.Sources)
            {
                foreach (var text in source.KustomizeImages)
                {
                    var entry = KustomizeImageEntry.Parse(text);
                    if ((entry.Tag is not null || entry.Digest is not null) && names.Any(n => ImageName.SameImage(n, entry.Name) || ImageName.SameImage(n, entry.NewName)))
                    {
                        return new CurrentImage(entry.Tag, entry.Digest, "kustomize images");
                    }
                }
            }

            // An application read from a file has no status: what its write-back target holds is what an update replaces.
            return app.LiveImages is null ? checkout?.Read(app, spec) : null;
        }

        private static ImageReference? Live(ArgoApplication app, ImageSpec spec, Tags.ImageTag? winner = null)
        {
            if (app.LiveImages is null)
            {
                return null;
            }

            var names = Names(spec).ToList();
            var matches = new System.Collections.Generic.List<ImageReference>();
            foreach (var text in app.LiveImages)
            {
                if (ImageReference.TryParse(text, out var live, out _) && names.Any(n => ImageName.SameImage(n, live.Name)))
                {
                    matches.Add(live);
                }
            }

            if (matches.Count <= 1 || spec.UpdateStrategy != Tags.UpdateStrategy.Digest)
            {
                return matches.FirstOrDefault();
            }

            // Several containers run the image (status.summary.images has no alias): the digest strategy compares this alias with the
            // containers on its own tracked tag, and with one still behind the newest digest if any is, so none is missed or rewritten every cycle.
            var own = matches.Where(m => string.Equals(m.Tag, spec.Constraint, StringComparison.Ordinal)).ToList();
            if (own.Count == 0)
            {
                own = matches;
            }

            return own.FirstOrDefault(m => winner?.Digest is not null && !string.Equals(m.Digest, winner.Digest, StringComparison.Ordinal)) ?? own[0];
        }

        /// <summary>The kustomize image name first (upstream tries it first), then the image itself.</summary>
        private static System.Collections.Generic.IEnumerable<string> Names(ImageSpec spec)
        {
            if (!string.IsNullOrEmpty(spec.KustomizeImageName))
            {
                yield return spec.KustomizeImageName!;
            }

            yield return spec.Image;
        }

        public override string ToString() => (Tag ?? string.Empty) + (Digest is null ? string.Empty : "@" + Digest) + " (" + Source + ")";
    }
}
