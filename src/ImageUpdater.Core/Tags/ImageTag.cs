using System;
using System.Collections.Generic;

namespace ImageUpdater.Core.Tags
{
    /// <summary>One tag of an image repository, with whatever metadata the registry gave (PSTypeName ImageUpdater.ImageTag).</summary>
    public sealed class ImageTag
    {
        public ImageTag(string tag)
        {
            Tag = tag;
        }

        public string? Registry { get; set; }

        public string? Repository { get; set; }

        public string Tag { get; }

        /// <summary>Manifest digest (<c>sha256:…</c>) when known.</summary>
        public string? Digest { get; set; }

        /// <summary>When the image was pushed (ECR imagePushedAt).</summary>
        public DateTimeOffset? PushedAt { get; set; }

        /// <summary>When the image was built (OCI config <c>created</c>).</summary>
        public DateTimeOffset? CreatedAt { get; set; }

        public long? SizeBytes { get; set; }

        public string? MediaType { get; set; }

        /// <summary>Platforms (<c>os/arch[/variant]</c>) the image is built for, when manifests were read.</summary>
        // Kept as PlatformList whatever is assigned, so Export-Csv writes the platforms instead of a type name.
        public IReadOnlyList<string> Platforms
        {
            get => platforms;
            set => platforms = value as PlatformList ?? new PlatformList(value ?? Array.Empty<string>());
        }

        private PlatformList platforms = PlatformList.Empty;

        /// <summary>OCI labels of the image's config (of the newest wanted platform image of an index), when its config was read; else empty.</summary>
        public IReadOnlyDictionary<string, string> Labels { get; set; } = NoLabels;

        /// <summary>No labels (upstream's empty map).</summary>
        public static IReadOnlyDictionary<string, string> NoLabels { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

        public override string ToString() => Tag;
    }
}
