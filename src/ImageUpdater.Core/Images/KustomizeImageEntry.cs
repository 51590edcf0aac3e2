namespace ImageUpdater.Core.Images
{
    /// <summary>
    /// A kustomize image override as Argo CD stores it (<c>spec.source.kustomize.images</c>, <c>.argocd-source</c> files):
    /// <c>[original=]name[:tag][@digest]</c>. The entry applies to <see cref="Name"/>: the original when one is written, else the new name.
    /// </summary>
    public sealed class KustomizeImageEntry
    {
        public KustomizeImageEntry(string? original, string newName, string? tag, string? digest)
        {
            Original = string.IsNullOrEmpty(original) ? null : original;
            NewName = newName;
            Tag = string.IsNullOrEmpty(tag) ? null : tag;
            Digest = string.IsNullOrEmpty(digest) ? null : digest;
        }

        /// <summary>The image name the entry overrides (before '='), or null.</summary>
        public string? Original { get; }

        /// <summary>The image name written after '=' (or the whole name when there is no '=').</summary>
        public string NewName { get; }

        public string? Tag { get; }

        public string? Digest { get; }

        /// <summary>The image the entry applies to.</summary>
        public string Name => Original ?? NewName;

        /// <summary>True when the entry applies to <paramref name="image"/>: the same repository, with or without a registry written (<see cref="ImageName.SameRepository"/>).</summary>
        public bool Matches(string image) => ImageName.SameRepository(Name, image);

        /// <summary>
        /// True when <paramref name="wanted"/> replaces this entry rather than joining it: the entry applies to the name the new one applies to,
        /// or, having no original of its own, it already writes the same repository (upstream: an alias-less entry matches by ImageName;
        /// two entries with different originals never collide).
        /// </summary>
        public bool IsReplacedBy(KustomizeImageEntry wanted) =>
            Matches(wanted.Name) || (Original is null && ImageName.SameRepository(NewName, wanted.NewName));

        /// <summary>Reads an entry; the text after '=' is split as <c>name[:tag][@digest]</c>.</summary>
        public static KustomizeImageEntry Parse(string entry)
        {
            var text = entry.Trim();
            var equals = text.IndexOf('=');
            var original = equals >= 0 ? text.Substring(0, equals) : null;
            var reference = equals >= 0 ? text.Substring(equals + 1) : text;
            var name = TagText.NameOf(reference) ?? string.Empty;
            var at = reference.IndexOf('@');
            var digest = at >= 0 ? reference.Substring(at + 1) : null;
            var tagEnd = at >= 0 ? at : reference.Length;
            var tag = tagEnd > name.Length ? reference.Substring(name.Length + 1, tagEnd - name.Length - 1) : null;
            return new KustomizeImageEntry(original, name, tag, digest);
        }

        /// <summary>The entry as written: <c>original=</c> only when it differs from the new name; the tag by <see cref="TagText.Format"/>.</summary>
        public override string ToString() =>
            (Original is null || Original == NewName ? string.Empty : Original + "=") + TagText.Reference(NewName, Tag, Digest);
    }
}
