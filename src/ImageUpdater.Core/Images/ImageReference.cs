using System;

namespace ImageUpdater.Core.Images
{
    /// <summary>An image reference split into registry, repository, tag and digest: <c>[registry/]repository[:tag][@digest]</c>.</summary>
    public sealed class ImageReference
    {
        public const string DockerHub = ImageName.DockerHub;

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
        public string ApiRepository => ImageName.ApiRepository(Registry, Repository);

        /// <summary>Parses a reference. The part after ':' is kept verbatim, so constraints such as <c>~1.26</c> or <c>&gt;=1.2 &lt;2</c> survive.</summary>
        /// <exception cref="ImageReferenceParseException">The text is empty or has no repository name.</exception>
        public static ImageReference Parse(string value)
        {
            if (value is null)
            {
                throw new ArgumentNullException(nameof(value));
            }

            return TryParse(value, out var reference, out var error) ? reference : throw new ImageReferenceParseException(value, error);
        }

        /// <summary>Parses a reference; false with a one-sentence <paramref name="error"/> when the text is empty or has no repository name.</summary>
        public static bool TryParse(string? value, out ImageReference reference, out string error)
        {
            reference = null!;
            error = string.Empty;
            var text = value?.Trim() ?? string.Empty;
            if (text.Length == 0)
            {
                error = "An image reference cannot be empty.";
                return false;
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

            var registry = ImageName.RegistryOf(text, out text);
            string? tag = null;
            var colon = text.IndexOf(':');
            if (colon >= 0)
            {
                tag = text.Substring(colon + 1);
                text = text.Substring(0, colon);
            }

            if (text.Length == 0)
            {
                error = $"'{value}' has no repository name.";
                return false;
            }

            reference = new ImageReference(value!, registry, text, string.IsNullOrEmpty(tag) ? null : tag, string.IsNullOrEmpty(digest) ? null : digest);
            return true;
        }

        /// <summary>True when both name the same image (registry and repository; docker.io and library/ normalised).</summary>
        public bool SameImageAs(ImageReference other) => ImageName.SameImage(Name, other.Name);

        public override string ToString() => Original;
    }

    /// <summary>Text that is not an image reference (<c>ImageReferenceInvalid</c>, InvalidArgument); the message says why.</summary>
    public sealed class ImageReferenceParseException : ImageUpdaterException
    {
        public ImageReferenceParseException(string text, string reason)
            : base("ImageReferenceInvalid", FailureKind.InvalidArgument, $"'{text}' is not an image reference: {reason}", text)
        {
            Reason = reason;
        }

        /// <summary>Why the text is not a reference, without the text itself.</summary>
        public string Reason { get; }
    }
}
