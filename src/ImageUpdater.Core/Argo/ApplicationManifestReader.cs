using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ImageUpdater.Core.Yaml;

namespace ImageUpdater.Core.Argo
{
    /// <summary>Reads Argo CD Application manifests from YAML files and folders (multi-document; other kinds ignored).</summary>
    public static class ApplicationManifestReader
    {
        private static readonly string[] Extensions = { ".yaml", ".yml" };

        /// <summary>The YAML files a path names: the file itself, or the .yaml/.yml files of a folder (recursively when asked), sorted.</summary>
        public static IEnumerable<string> EnumerateFiles(string path, bool recurse)
        {
            if (File.Exists(path))
            {
                return new[] { Path.GetFullPath(path) };
            }

            if (Directory.Exists(path))
            {
                return Directory.EnumerateFiles(path, "*", recurse ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Select(Path.GetFullPath)
                    .OrderBy(f => f, StringComparer.Ordinal);
            }

            throw new ImageUpdaterException("PathNotFound", FailureKind.ObjectNotFound, $"Cannot find '{path}': no such file or folder.", path);
        }

        /// <summary>
        /// The Applications in one file. A document that cannot be mapped is reported through <paramref name="onError"/> and the
        /// others are still read; invalid or oversized YAML stops the file (the parser cannot resynchronise) with file, line and column.
        /// </summary>
        /// <param name="imageUpdaters">Receives the file's ImageUpdater resources; null = they are skipped like any other kind.</param>
        public static IReadOnlyList<ArgoApplication> ReadFile(string file, Action<ImageUpdaterException> onError, ICollection<ImageUpdaterResource>? imageUpdaters = null)
        {
            string text;
            try
            {
                text = YamlObjectReader.ReadFile(file);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new ImageUpdaterException("FileUnreadable", FailureKind.ReadError, $"Cannot read '{file}': {ex.Message}", file, ex);
            }

            return ReadText(text, file, onError, imageUpdaters);
        }

        public static IReadOnlyList<ArgoApplication> ReadText(string text, string origin, Action<ImageUpdaterException> onError, ICollection<ImageUpdaterResource>? imageUpdaters = null)
        {
            var result = new List<ArgoApplication>();
            // Only what the Application model reads is built; an ImageUpdater keeps its whole manifest, so its file is read again whole.
            var documents = YamlObjectReader.Read(text, origin, ApplicationMapper.Fields);
            List<object?>? whole = null;
            for (var i = 0; i < documents.Count; i++)
            {
                if (documents[i] is not IDictionary<string, object?> manifest)
                {
                    continue;
                }

                try
                {
                    if (ApplicationMapper.IsApplication(manifest))
                    {
                        result.Add(ApplicationMapper.FromObject(manifest, origin));
                    }
                    else if (imageUpdaters is not null && ImageUpdaterMapper.IsImageUpdater(manifest))
                    {
                        whole ??= YamlObjectReader.Read(text, origin);
                        imageUpdaters.Add(ImageUpdaterMapper.FromObject((IDictionary<string, object?>)whole[i]!, origin));
                    }
                }
                catch (ImageUpdaterException ex)
                {
                    onError(ex);
                }
            }

            return result;
        }
    }
}
