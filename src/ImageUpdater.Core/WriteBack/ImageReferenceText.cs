using System;

namespace ImageUpdater.Core.WriteBack
{
    /// <summary>The name and tag parts of <c>registry/repository:tag@digest</c> text as written in files.</summary>
    internal static class ImageReferenceText
    {
        public static string Join(string name, string tag, string? digest) =>
            name + (tag.Length == 0 ? string.Empty : ":" + tag) + (digest is null ? string.Empty : "@" + digest);

        /// <summary>The name without tag and digest; null for null or empty text.</summary>
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

        /// <summary>The tag part (with @digest when there is one), or null.</summary>
        public static string? TagOf(string? reference)
        {
            var name = NameOf(reference);
            if (name is null || name.Length == reference!.Length)
            {
                return null;
            }

            var rest = reference.Substring(name.Length);
            return rest.StartsWith(":", StringComparison.Ordinal) ? rest.Substring(1) : rest.Substring(1);
        }

        /// <summary>Whether <paramref name="written"/> names <paramref name="image"/> without its registry (<c>bitnami/nginx</c> for <c>docker.io/bitnami/nginx</c>).</summary>
        public static bool IsShortFormOf(string written, string image) =>
            string.Equals(written, image, StringComparison.Ordinal) || image.EndsWith("/" + written, StringComparison.Ordinal);

        /// <summary>A name compared the way registries do: <c>docker.io/</c>, <c>index.docker.io/</c> and <c>library/</c> dropped.</summary>
        public static string Canonical(string name)
        {
            foreach (var prefix in new[] { "docker.io/", "index.docker.io/", "registry-1.docker.io/" })
            {
                if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    name = name.Substring(prefix.Length);
                    break;
                }
            }

            return name.StartsWith("library/", StringComparison.Ordinal) ? name.Substring("library/".Length) : name;
        }
    }
}
