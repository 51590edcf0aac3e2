using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace ImageUpdater.Core.Registries.Oci
{
    /// <summary>What a manifest digest resolves to: a platform image (platform, build time) or an index (its platform manifests).</summary>
    public sealed class ManifestMetadata
    {
        public string? MediaType { get; set; }

        /// <summary><c>os/arch[/variant]</c> of a platform image (from its config).</summary>
        public string? Platform { get; set; }

        /// <summary>Config <c>created</c> of a platform image.</summary>
        public DateTimeOffset? Created { get; set; }

        /// <summary>Config labels of a platform image; null in entries cached before labels were kept (they are read again).</summary>
        public Dictionary<string, string>? Labels { get; set; }

        /// <summary>Platform manifests of an index or manifest list.</summary>
        public List<IndexEntry>? Manifests { get; set; }
    }

    /// <summary>One platform manifest named by an index.</summary>
    public sealed class IndexEntry
    {
        public string Digest { get; set; } = string.Empty;

        public string Platform { get; set; } = string.Empty;
    }

    /// <summary>
    /// Manifest metadata keyed by digest, kept in a JSON file between runs. Digests name content, so entries never go stale:
    /// a later run re-resolves tags with HEAD and fetches only digests it has not seen.
    /// </summary>
    public sealed class ImageMetadataCache
    {
        private readonly ConcurrentDictionary<string, ManifestMetadata> entries = new ConcurrentDictionary<string, ManifestMetadata>(StringComparer.Ordinal);
        private int added;

        /// <summary>A cache kept in memory only (<paramref name="path"/> null) or loaded from and saved to a file.</summary>
        public ImageMetadataCache(string? path = null)
        {
            Path = path;
            if (path is not null && File.Exists(path))
            {
                try
                {
                    var loaded = JsonSerializer.Deserialize<Dictionary<string, ManifestMetadata>>(File.ReadAllText(path));
                    foreach (var pair in loaded ?? new Dictionary<string, ManifestMetadata>())
                    {
                        entries[pair.Key] = pair.Value;
                    }
                }
                catch (JsonException)
                {
                    // A damaged cache only costs refetching.
                }
            }
        }

        /// <summary>The default file: the user's cache folder, ImageUpdater.PS/oci-metadata.json.</summary>
        public static string DefaultPath
        {
            get
            {
                var root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
                if (string.IsNullOrEmpty(root))
                {
                    root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
                }

                if (string.IsNullOrEmpty(root))
                {
                    root = System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
                }

                return System.IO.Path.Combine(root!, "ImageUpdater.PS", "oci-metadata.json");
            }
        }

        public string? Path { get; }

        public int Count => entries.Count;

        /// <summary>Entries added since load.</summary>
        public int Added => added;

        public bool TryGet(string digest, out ManifestMetadata metadata) => entries.TryGetValue(digest, out metadata!);

        public void Set(string digest, ManifestMetadata metadata)
        {
            // A re-read entry (labels added) replaces the older one.
            entries.AddOrUpdate(digest, metadata, (_, _) => metadata);
            System.Threading.Interlocked.Increment(ref added);
        }

        /// <summary>Writes the file (merged with what another process may have saved meanwhile) through a temporary file.</summary>
        public void Save()
        {
            if (Path is null || added == 0)
            {
                return;
            }

            var merged = new ImageMetadataCache(Path);
            foreach (var pair in entries)
            {
                merged.entries[pair.Key] = pair.Value;
            }

            var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            var temp = Path + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp";
            File.WriteAllText(temp, JsonSerializer.Serialize(new SortedDictionary<string, ManifestMetadata>(merged.entries, StringComparer.Ordinal)));
            if (File.Exists(Path))
            {
                File.Replace(temp, Path, null);
            }
            else
            {
                File.Move(temp, Path);
            }
        }
    }
}
