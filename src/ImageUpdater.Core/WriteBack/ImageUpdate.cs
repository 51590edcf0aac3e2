using ImageUpdater.Core.Images;
using ImageUpdater.Core.Updating;

namespace ImageUpdater.Core.WriteBack
{
    /// <summary>One image's new tag (and digest) as a write-back target writes it, with the keys that say where.</summary>
    public sealed class ImageUpdate
    {
        public ImageUpdate(string? image, string newTag)
        {
            Image = image;
            NewTag = newTag;
        }

        /// <summary>registry/repository as the application names it (<c>ghcr.io/org/app</c>); null when only a tag is known.</summary>
        public string? Image { get; }

        /// <summary>The tag to write; may be empty when only a digest is written.</summary>
        public string NewTag { get; }

        /// <summary><c>sha256:…</c> for the digest strategy, else null.</summary>
        public string? Digest { get; set; }

        public string? Application { get; set; }

        public string? Alias { get; set; }

        /// <summary>The tag the application runs now, if known (the file's own value is reported when this is null).</summary>
        public string? OldTag { get; set; }

        /// <summary>The image name to write where a name is written (Helm image-name, kustomize newName); defaults to <see cref="Image"/>.</summary>
        public string? NewName { get; set; }

        /// <summary>Helm key path of the image name (<c>image.repository</c>).</summary>
        public string? HelmImageNameKey { get; set; }

        /// <summary>
        /// True when the name key is the default <c>image.name</c> only because helm.image-tag alone was set: a values file gets it where it
        /// has that key or is being created, never as a new key in a chart that keeps the name elsewhere (the .argocd-source and API paths always write it).
        /// </summary>
        public bool HelmImageNameIfPresent { get; set; }

        /// <summary>Helm key path of the tag (<c>image.tag</c>).</summary>
        public string? HelmImageTagKey { get; set; }

        /// <summary>Helm key path of a full <c>name:tag</c> value (<c>image</c>).</summary>
        public string? HelmImageSpecKey { get; set; }

        /// <summary>The name a kustomization's <c>images</c> entry matches (upstream's kustomize.image-name); defaults to <see cref="Image"/>.</summary>
        public string? KustomizeImageName { get; set; }

        /// <summary>Why the candidate chose the new tag (shown in a pull request's table).</summary>
        public string? Reason { get; set; }

        /// <summary>What a tag field holds: <c>tag</c>, <c>tag@sha256:…</c> or <c>latest@sha256:…</c> (<see cref="TagText.Format"/>).</summary>
        public string TagValue => TagText.Format(NewTag, Digest);

        /// <summary>The update a candidate asks for, with the Helm keys of its image spec (upstream's defaults filled in, as on every target) and its Kustomize name.</summary>
        public static ImageUpdate From(ImageUpdateCandidate candidate)
        {
            var keys = Annotations.HelmImageKeys.For(candidate.Spec);
            return new ImageUpdate(candidate.Image, candidate.NewTag ?? string.Empty)
            {
                Digest = string.IsNullOrEmpty(candidate.NewDigest) ? null : candidate.NewDigest,
                Application = candidate.Application,
                Alias = candidate.Alias,
                OldTag = candidate.CurrentTag,
                Reason = candidate.Reason,
                // Only helm.image-tag set: the name still goes to the default image.name, as upstream v1 writes it (in a values file only where that key exists).
                HelmImageNameKey = keys.Spec is null ? keys.Name : null,
                HelmImageNameIfPresent = keys.Spec is null && string.IsNullOrEmpty(candidate.Spec.HelmImageName) && !string.IsNullOrEmpty(candidate.Spec.HelmImageTag),
                HelmImageTagKey = keys.Spec is null ? keys.Tag : null,
                HelmImageSpecKey = keys.Spec,
                KustomizeImageName = candidate.Spec.KustomizeImageName,
            };
        }

        public override string ToString() => (Image ?? "(image)") + ":" + TagValue;
    }
}
