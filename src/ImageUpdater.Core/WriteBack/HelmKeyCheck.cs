using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using YamlDotNet.RepresentationModel;

namespace ImageUpdater.Core.WriteBack
{
    /// <summary>
    /// Checks an application's Helm keys against the values file its helmvalues target names in a checkout: a key the file lacks is
    /// created on write (as upstream does), so it is reported here with the nearest key the file has ("did you mean image.tag?").
    /// </summary>
    public static class HelmKeyCheck
    {
        public static IEnumerable<AnnotationDiagnostic> Check(ArgoApplication app, string repositoryRoot)
        {
            if (app.WriteBack.Method != WriteBackMethod.Git || app.WriteBack.Target.Kind != WriteBackTargetKind.HelmValues || app.Images.Count == 0)
            {
                yield break;
            }

            var target = GitTarget.Resolve(repositoryRoot, app, app.AnnotatedSource, RepositoryFiles.WorkingTree);
            if (!File.Exists(target.FullPath))
            {
                yield return new AnnotationDiagnostic(app.Name, AnnotationKeys.WriteBackTarget, DiagnosticSeverity.Warning, $"The values file '{target.RelativePath}' does not exist in {repositoryRoot}; the write-back would create it (as upstream does). Check the path if the chart's values file is elsewhere.");
                yield break;
            }

            var paths = KeyPaths(File.ReadAllText(target.FullPath));
            foreach (var spec in app.Images)
            {
                var keys = HelmImageKeys.For(spec);
                var checks = keys.Spec is not null
                    ? new[] { (AnnotationKeys.HelmImageSpec, keys.Spec) }
                    : new[] { (AnnotationKeys.HelmImageName, keys.Name), (AnnotationKeys.HelmImageTag, keys.Tag) };
                foreach (var (option, key) in checks)
                {
                    if (paths.Contains(key))
                    {
                        continue;
                    }

                    var nearest = Nearest(key, paths);
                    var hint = nearest is null ? string.Empty : $" Did you mean {nearest}?";
                    yield return new AnnotationDiagnostic(app.Name, spec.KeyAlias + "." + option, DiagnosticSeverity.Warning,
                        $"'{target.RelativePath}' has no key '{key}'; the write-back would create it.{hint}");
                }
            }
        }

        /// <summary>The dotted paths of every scalar in a YAML document (<c>image.tag</c>, <c>images[0].name</c>).</summary>
        public static HashSet<string> KeyPaths(string yaml)
        {
            var paths = new HashSet<string>(StringComparer.Ordinal);
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            foreach (var document in stream.Documents)
            {
                Walk(document.RootNode, string.Empty, paths);
            }

            return paths;
        }

        private static void Walk(YamlNode node, string path, HashSet<string> paths)
        {
            switch (node)
            {
                case YamlMappingNode mapping:
                    foreach (var entry in mapping.Children)
                    {
                        if (entry.Key is YamlScalarNode key && key.Value is not null)
                        {
                            Walk(entry.Value, path.Length == 0 ? key.Value : path + "." + key.Value, paths);
                        }
                    }

                    break;
                case YamlSequenceNode sequence:
                    for (var i = 0; i < sequence.Children.Count; i++)
                    {
                        Walk(sequence.Children[i], path + "[" + i + "]", paths);
                    }

                    break;
                default:
                    if (path.Length > 0)
                    {
                        paths.Add(path);
                    }

                    break;
            }
        }

        /// <summary>The existing key closest to <paramref name="key"/> by edit distance, if close enough to be a typo.</summary>
        public static string? Nearest(string key, IEnumerable<string> paths)
        {
            var best = paths.Select(p => (Path: p, Distance: Distance(key, p))).OrderBy(p => p.Distance).ThenBy(p => p.Path, StringComparer.Ordinal).FirstOrDefault();
            return best.Path is not null && best.Distance <= Math.Max(2, key.Length / 3) ? best.Path : null;
        }

        private static int Distance(string a, string b)
        {
            var row = Enumerable.Range(0, b.Length + 1).ToArray();
            for (var i = 1; i <= a.Length; i++)
            {
                var diagonal = row[0];
                row[0] = i;
                for (var j = 1; j <= b.Length; j++)
                {
                    var above = row[j];
                    row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                    diagonal = above;
                }
            }

            return row[b.Length];
        }
    }
}
