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

        /// <summary>The new tag, or the digest when the strategy tracks one (upstream's <c>ImageTag.String()</c>).</summary>
        public string? NewTag { get; }

        public static ImageChange From(ImageUpdateCandidate candidate) => new ImageChange(
            candidate.Spec.Repository,
            candidate.Alias,
            candidate.CurrentTag,
            string.IsNullOrEmpty(candidate.NewDigest) ? candidate.NewTag : candidate.NewDigest);
    }
}
