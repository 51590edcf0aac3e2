using System;

namespace ImageUpdater.Core.Images
{
    /// <summary>An image reference split into registry, repository, tag and digest: <c>[registry/]repository[:tag][@digest]</c>.</summary>
    public sealed class ImageReference
    {
        public const string DockerHub = "docker.io";

        private ImageReference(string original, string? registry, string repository, string? tag, string? digest)
        {
            Original = original;
            Registry = registry;
            Repository = repository;
            Tag = tag;
            Digest = digest;
        }

        /// <summary>The text as written.</summary>
        public string Original { get; }

        /// <summary>Registry host (with port), or null when none was written (Docker Hub).</summary>
        public string? Registry { get; }

        /// <summary>Repository path without registry, tag or digest (<c>library/</c> kept as written).</summary>
        public string Repository { get; }

        /// <summary>Text after the first ':' of the name part: a tag in a reference, a version constraint in an image-list entry.</summary>
        public string? Tag { get; }

        public string? Digest { get; }

        /// <summary>Registry and repository, as a user writes it (<c>ghcr.io/org/app</c>, <c>nginx</c>).</summary>
        public string Name => Registry is null ? Repository : Registry + "/" + Repository;

        /// <summary>The registry to talk to: the written one, or docker.io.</summary>
        public string EffectiveRegistry => Registry ?? DockerHub;

        /// <summary>Repository as the registry API names it (Docker Hub single names gain <c>library/</c>).</summary>
        public string ApiRepository =>
            (Registry is null || Registry == DockerHub || Registry == "index.docker.io" || Registry == "registry-1.docker.io") && !Repository.Contains("/")
                ? "library/" + Repository
                : Repository;

        /// <summary>Parses a reference. The part after ':' is kept verbatim, so constraints such as <c>~1.26</c> or <c>&gt;=1.2 &lt;2</c> survive.</summary>
        public static ImageReference Parse(string value)
        {
            if (value is null)
            {
                throw new ArgumentNullException(nameof(value));
            }

            var text = value.Trim();
            if (text.Length == 0)
            {
                throw new FormatException("An image reference cannot be empty.");
            }

            string? digest = null;
            var at = text.IndexOf("@sha", StringComparison.Ordinal);
            if (at < 0)
            {
                at = text.IndexOf('@');
            }

            if (at >= 0)
            {
                digest = text.Substring(at + 1);
                text = text.Substring(0, at);
            }

            string? registry = null;
            var slash = text.IndexOf('/');
            if (slash > 0)
            {
                var first = text.Substring(0, slash);
                if (first.Contains(".") || first.Contains(":") || first == "localhost")
                {
                    registry = first;
                    text = text.Substring(slash + 1);
                }
            }

            string? tag = null;
            var colon = text.IndexOf(':');
            if (colon >= 0)
            {
                tag = text.Substring(colon + 1);
                text = text.Substring(0, colon);
            }

            if (text.Length == 0)
            {
                throw new FormatException($"'{value}' has no repository name.");
            }

            return new ImageReference(value, registry, text, string.IsNullOrEmpty(tag) ? null : tag, string.IsNullOrEmpty(digest) ? null : digest);
        }

        /// <summary>True when both name the same image (registry and repository; docker.io and library/ normalised).</summary>
        public bool SameImageAs(ImageReference other) =>
            string.Equals(EffectiveRegistry, other.EffectiveRegistry, StringComparison.OrdinalIgnoreCase)
            && string.Equals(ApiRepository, other.ApiRepository, StringComparison.Ordinal);

        public override string ToString() => Original;
    }
}
