using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace ImageUpdater.Core.Argo
{
    /// <summary>Reads Argo CD Application manifests from YAML files and folders (multi-document; other kinds ignored).</summary>
    public static class ApplicationManifestReader
    {
        private static readonly string[] Extensions = { ".yaml", ".yml" };

        // Building a deserializer costs far more than using one (type inspectors, node deserializers): one per thread, reused
        // for every file that thread reads (Get-ArgoApplication parses files on every core).
        private static readonly ThreadLocal<IDeserializer> Deserializer = new ThreadLocal<IDeserializer>(() => new DeserializerBuilder().Build());

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

            throw new ImageUpdaterException("PathNotFound", FailureKind.ObjectNotFound, $"'{path}' is neither a file nor a folder.", path);
        }

        /// <summary>
        /// The Applications in one file. A document that cannot be mapped is reported through <paramref name="onError"/> and the
        /// others are still read; invalid YAML stops the file (the parser cannot resynchronise) with file, line and column.
        /// </summary>
        public static IReadOnlyList<ArgoApplication> ReadFile(string file, Action<ImageUpdaterException> onError)
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (IOException ex)
            {
                throw new ImageUpdaterException("FileUnreadable", FailureKind.ReadError, $"Cannot read '{file}': {ex.Message}", file, ex);
            }

            return ReadText(text, file, onError);
        }

        public static IReadOnlyList<ArgoApplication> ReadText(string text, string origin, Action<ImageUpdaterException> onError)
        {
            var result = new List<ArgoApplication>();
            var deserializer = Deserializer.Value!;
            var documents = new List<object?>();
            try
            {
                var parser = new Parser(new StringReader(text));
                parser.Consume<StreamStart>();
                while (parser.Accept<DocumentStart>(out _))
                {
                    documents.Add(deserializer.Deserialize(parser));
                }
            }
            catch (YamlException ex)
            {
                throw new ImageUpdaterException("InvalidYaml", FailureKind.InvalidData,
                    $"{origin}:{ex.Start.Line}:{ex.Start.Column}: not valid YAML: {Innermost(ex).Message}", origin, ex);
            }

            foreach (var document in documents)
            {
                if (ObjectTree.FromYaml(document) is not IDictionary<string, object?> manifest || !ApplicationMapper.IsApplication(manifest))
                {
                    continue;
                }

                try
                {
                    result.Add(ApplicationMapper.FromObject(manifest, origin));
                }
                catch (ImageUpdaterException ex)
                {
                    onError(ex);
                }
            }

            return result;
        }

        private static Exception Innermost(Exception ex)
        {
            while (ex.InnerException is YamlException inner)
            {
                ex = inner;
            }

            return ex;
        }
    }
}
