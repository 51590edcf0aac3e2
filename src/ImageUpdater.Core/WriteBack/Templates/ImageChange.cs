using ImageUpdater.Core.Tags;
using ImageUpdater.Core.Updating;

namespace ImageUpdater.Core.WriteBack.Templates
{
    /// <summary>One image change as templates see it (upstream's change entry).</summary>
    public sealed class ImageChange
    {
        public ImageChange(string name, string? alias, string? oldTag, string? newTag)
        {
            Name = name;
            Alias = alias;
            OldTag = oldTag;
            NewTag = newTag;
        }

        /// <summary>Image name without the registry, as upstream's <c>ImageName</c>.</summary>
        public string Name { get; }

        public string? Alias { get; }

        public string? OldTag { get; }

        /// <summary>OCI labels of the new image (upstream's <c>.Labels</c>); empty when they were not read.</summary>
        public System.Collections.Generic.IReadOnlyDictionary<string, string> Labels { get; init; } = ImageTag.NoLabels;

        /// <summary>The new tag, or the digest under the digest strategy (upstream's <c>ImageTag.String()</c>; other strategies carry no digest there).</summary>
        public string? NewTag { get; }

        /// <summary>Under the digest strategy both sides are digests (the old one when known): "tag 'latest' to 'sha256:…'" would hide what changed.</summary>
        public static ImageChange From(ImageUpdateCandidate candidate)
        {
            var digest = candidate.Spec.UpdateStrategy == UpdateStrategy.Digest && !string.IsNullOrEmpty(candidate.NewDigest);
            return new ImageChange(
                candidate.Spec.Repository,
                candidate.Alias,
                digest && !string.IsNullOrEmpty(candidate.CurrentDigest) ? candidate.CurrentDigest : candidate.OldTag,
                digest ? candidate.NewDigest : candidate.NewTag)
            {
                Labels = candidate.NewLabels,
            };
        }
    }
}
