using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using ImageUpdater.Core.Registries.Oci;

namespace ImageUpdater.Core.Registries
{
    /// <summary>
    /// The images of a manifest list or OCI index (the <c>manifests</c> array), as both the OCI and the ECR client read them:
    /// an entry counts when it has a digest and a platform with an os and an architecture, and is not an attestation (buildx writes those as <c>unknown/unknown</c>).
    /// </summary>
    public static class ManifestIndex
    {
        /// <summary>The runnable entries of an index (empty when <paramref name="root"/> has no <c>manifests</c> array).</summary>
        public static IReadOnlyList<IndexEntry> Entries(JsonElement root)
        {
            var result = new List<IndexEntry>();
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("manifests", out var entries) || entries.ValueKind != JsonValueKind.Array)
            {
                return result;
            }

            foreach (var entry in entries.EnumerateArray())
            {
                var platform = entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("platform", out var p) ? PlatformOf(p) : null;
                if (platform is null || IsAttestation(platform))
                {
                    continue;
                }

                if (entry.TryGetProperty("digest", out var digest) && digest.GetString() is { Length: > 0 } text)
                {
                    result.Add(new IndexEntry { Digest = text, Platform = platform });
                }
            }

            return result;
        }

        /// <summary>The <c>os/arch[/variant]</c> of an index's runnable entries; empty for text that is not an index.</summary>
        public static IReadOnlyList<string> Platforms(string manifest)
        {
            try
            {
                using var doc = JsonDocument.Parse(manifest);
                return Entries(doc.RootElement).Select(e => e.Platform).ToList();
            }
            catch (JsonException)
            {
                return Array.Empty<string>();
            }
        }

        /// <summary><c>os/arch[/variant]</c> of a platform object or an image config; null without an os or an architecture.</summary>
        public static string? PlatformOf(JsonElement element)
        {
            var os = Text(element, "os");
            var arch = Text(element, "architecture");
            if (string.IsNullOrEmpty(os) || string.IsNullOrEmpty(arch))
            {
                return null;
            }

            var variant = Text(element, "variant");
            return os + "/" + arch + (string.IsNullOrEmpty(variant) ? string.Empty : "/" + variant);
        }

        /// <summary>Attestation manifests (provenance, SBOM) declare os <c>unknown</c>; they are not images to run.</summary>
        public static bool IsAttestation(string platform) => platform.StartsWith("unknown/", StringComparison.Ordinal);

        private static string? Text(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
