using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ImageUpdater.Core.Yaml;

namespace ImageUpdater.Core.Argo
{
    /// <summary>The context names of a kubeconfig (for -Context completion); readable on .NET Framework too, unlike KubernetesClient.</summary>
    public static class KubeconfigContexts
    {
        /// <summary>The kubeconfig file: the given path, else the first entry of KUBECONFIG, else ~/.kube/config (as the Kubernetes readers choose it).</summary>
        public static string FileFor(string? path)
        {
            if (!string.IsNullOrEmpty(path))
            {
                return path!;
            }

            var variable = Environment.GetEnvironmentVariable("KUBECONFIG");
            var first = variable?.Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            return first ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
        }

        /// <summary>Context names in file order, the current context first; none when the file is missing or not a kubeconfig.</summary>
        public static IReadOnlyList<string> Names(string? path) =>
            Read(path, (root, contexts, current) => contexts
                .Select(c => ObjectTree.Text(c, "name"))
                .Where(n => !string.IsNullOrEmpty(n))
                .Select(n => n!)
                .OrderBy(n => n == current ? 0 : 1)
                .ToList());

        /// <summary>
        /// Namespaces worth offering for -Namespace: the one set on <paramref name="context"/> (else the current context) first,
        /// then the other contexts' namespaces, then Argo CD's default <c>argocd</c>.
        /// </summary>
        public static IReadOnlyList<string> Namespaces(string? path, string? context)
        {
            var found = Read(path, (root, contexts, current) =>
            {
                var chosen = context ?? current;
                return contexts
                    .OrderBy(c => ObjectTree.Text(c, "name") == chosen ? 0 : 1)
                    .Select(c => ObjectTree.Text(c, "context.namespace"))
                    .Where(n => !string.IsNullOrEmpty(n))
                    .Select(n => n!)
                    .ToList();
            });
            return found.Concat(new[] { ApplicationQuery.DefaultNamespace }).Distinct(StringComparer.Ordinal).ToList();
        }

        private static IReadOnlyList<string> Read(string? path, Func<object?, IList<object?>, string?, IReadOnlyList<string>> pick)
        {
            try
            {
                var file = FileFor(path);
                if (!File.Exists(file) || new FileInfo(file).Length > 4 * 1024 * 1024)
                {
                    return Array.Empty<string>();
                }

                var documents = YamlObjectReader.Read(File.ReadAllText(file), file);
                var root = documents.Count > 0 ? documents[0] : null;
                return pick(root, ObjectTree.List(root, "contexts") ?? new List<object?>(), ObjectTree.Text(root, "current-context"));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is YamlDotNet.Core.YamlException || e is InvalidCastException || e is ImageUpdaterException)
            {
                return Array.Empty<string>();
            }
        }
    }
}
