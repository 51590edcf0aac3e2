namespace ImageUpdater.Core.Images
{
    /// <summary>
    /// The text of a tag with an optional digest, as written in tag fields, <c>name:tag</c> values and the Argo CD API:
    /// <c>tag</c>, <c>tag@sha256:…</c>, and <c>latest@sha256:…</c> for a digest without a tag.
    /// </summary>
    /// <remarks>
    /// Upstream's GetTagWithDigest writes <c>latest@digest</c> when there is no tag, and a bare <c>sha256:…</c> in a tag field would render
    /// as the invalid <c>repo:sha256:…</c>; files and the API path both follow that one rule.
    /// </remarks>
    public static class TagText
    {
        /// <summary>The tag written when only a digest is known.</summary>
        public const string DigestOnlyTag = "latest";

        /// <summary><c>tag</c>, <c>tag@digest</c> or <c>latest@digest</c>; empty when there is neither.</summary>
        public static string Format(string? tag, string? digest)
        {
            var hasTag = !string.IsNullOrEmpty(tag);
            if (string.IsNullOrEmpty(digest))
            {
                return hasTag ? tag! : string.Empty;
            }

            return (hasTag ? tag : DigestOnlyTag) + "@" + digest;
        }

        /// <summary><c>name:tag@digest</c> (or <c>name</c> alone when there is neither tag nor digest).</summary>
        public static string Reference(string name, string? tag, string? digest)
        {
            var text = Format(tag, digest);
            return text.Length == 0 ? name : name + ":" + text;
        }

        /// <summary>Splits <c>tag@digest</c>, <c>tag</c> or <c>@digest</c>; a part that is not written comes back null.</summary>
        public static void Parse(string? text, out string? tag, out string? digest)
        {
            tag = null;
            digest = null;
            if (string.IsNullOrEmpty(text))
            {
                return;
            }

            var at = text!.IndexOf('@');
            var tagPart = at < 0 ? text : text.Substring(0, at);
            tag = tagPart.Length == 0 ? null : tagPart;
            if (at >= 0 && at + 1 < text.Length)
            {
                digest = text.Substring(at + 1);
            }
        }

        /// <summary>The name of <c>name[:tag][@digest]</c> (a ':' before the last '/' is a registry port); null for null or empty text.</summary>
        public static string? NameOf(string? reference)
        {
            if (string.IsNullOrEmpty(reference))
            {
                return null;
            }

            var at = reference!.IndexOf('@');
            var name = at >= 0 ? reference.Substring(0, at) : reference;
            var colon = name.LastIndexOf(':');
            return colon > name.LastIndexOf('/') ? name.Substring(0, colon) : name;
        }

        /// <summary>The <c>tag[@digest]</c> of <c>name[:tag][@digest]</c> (the bare digest when there is no tag), or null when there is neither.</summary>
        public static string? Of(string? reference)
        {
            var name = NameOf(reference);
            if (name is null || name.Length == reference!.Length)
            {
                return null;
            }

            var rest = reference.Substring(name.Length);
            return rest.Substring(1);
        }
    }
}
