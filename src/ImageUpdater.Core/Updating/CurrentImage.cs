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

        public const string DefaultHelmTagParameter = "image.tag";

        /// <summary>True when the image runs in the application (status.summary.images), matched by registry and repository or by its kustomize image name.</summary>
        public static bool IsLive(ArgoApplication app, ImageSpec spec) => Live(app, spec) is not null;

        /// <summary>
        /// What the application runs now: the live image when the Application has a status, else the Helm parameter the
        /// spec names (helm.image-spec, helm.image-tag, default image.tag), else the kustomize images override. Null when unknown.
        /// </summary>
        public static CurrentImage? Find(ArgoApplication app, ImageSpec spec)
        {
            var live = Live(app, spec);
            if (live is not null)
            {
                return new CurrentImage(live.Tag, live.Digest, "status.summary.images");
            }

            foreach (var source in app.Sources)
            {
                if (spec.HelmImageSpec is not null)
                {
                    var full = source.HelmParameters.FirstOrDefault(p => p.Name == spec.HelmImageSpec)?.Value;
                    if (!string.IsNullOrEmpty(full) && TryParse(full!, out var reference))
                    {
                        return new CurrentImage(reference.Tag, reference.Digest, "helm parameter " + spec.HelmImageSpec);
                    }

                    continue;
                }

                var tagName = spec.HelmImageTag ?? DefaultHelmTagParameter;
                var value = source.HelmParameters.FirstOrDefault(p => p.Name == tagName)?.Value;
                if (!string.IsNullOrEmpty(value))
                {
                    // A digest-strategy write is tag@sha256:…
                    var at = value!.IndexOf('@');
                    return at < 0
                        ? new CurrentImage(value, null, "helm parameter " + tagName)
                        : new CurrentImage(at == 0 ? null : value.Substring(0, at), value.Substring(at + 1), "helm parameter " + tagName);
                }
            }

            foreach (var source in app.Sources)
            {
                foreach (var entry in source.KustomizeImages)
                {
                    var eq = entry.IndexOf('=');
                    var name = eq < 0 ? entry : entry.Substring(0, eq);
                    var target = eq < 0 ? entry : entry.Substring(eq + 1);
                    if (!TryParse(name, out var named) || !TryParse(target, out var reference))
                    {
                        continue;
                    }

                    if (Names(spec).Any(n => n.SameImageAs(named) || n.SameImageAs(reference)) && (reference.Tag is not null || reference.Digest is not null))
                    {
                        return new CurrentImage(reference.Tag, reference.Digest, "kustomize images");
                    }
                }
            }

            return null;
        }

        private static ImageReference? Live(ArgoApplication app, ImageSpec spec)
        {
            if (app.LiveImages is null)
            {
                return null;
            }

            var names = Names(spec).ToList();
            foreach (var text in app.LiveImages)
            {
                if (TryParse(text, out var live) && names.Any(n => n.SameImageAs(live)))
                {
                    return live;
                }
            }

            return null;
        }

        /// <summary>The kustomize image name first (upstream tries it first), then the image itself.</summary>
        private static System.Collections.Generic.IEnumerable<ImageReference> Names(ImageSpec spec)
        {
            if (!string.IsNullOrEmpty(spec.KustomizeImageName) && TryParse(spec.KustomizeImageName!, out var kustomize))
            {
                yield return kustomize;
            }

            yield return spec.Reference;
        }

        private static bool TryParse(string text, out ImageReference reference)
        {
            try
            {
                reference = ImageReference.Parse(text);
                return true;
            }
            catch (FormatException)
            {
                reference = null!;
                return false;
            }
        }

        public override string ToString() => (Tag ?? string.Empty) + (Digest is null ? string.Empty : "@" + Digest) + " (" + Source + ")";
    }
}
