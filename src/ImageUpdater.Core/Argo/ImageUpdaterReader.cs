using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using ImageUpdater.Core.Kubernetes;
using ImageUpdater.Core.Yaml;

namespace ImageUpdater.Core.Argo
{
    /// <summary>
    /// Reads ImageUpdater resources from YAML files and folders (multi-document, other kinds ignored) or from the Kubernetes
    /// API (<c>/apis/argocd-image-updater.argoproj.io/v1alpha1/namespaces/{ns}/imageupdaters</c>).
    /// </summary>
    public static class ImageUpdaterReader
    {
        private const int PageSize = 500;

        /// <summary>The ImageUpdaters of the files under the paths, in file order; an unreadable file or a refused document is one error, the rest still come.</summary>
        public static IEnumerable<(ImageUpdaterResource? Resource, ImageUpdaterException? Error)> ReadFiles(IEnumerable<string> paths, bool recurse)
        {
            foreach (var path in paths)
            {
                string[] files;
                ImageUpdaterException? listError = null;
                try
                {
                    files = ApplicationManifestReader.EnumerateFiles(path, recurse).ToArray();
                }
                catch (ImageUpdaterException ex)
                {
                    files = Array.Empty<string>();
                    listError = ex;
                }

                if (listError is not null)
                {
                    yield return (null, listError);
                    continue;
                }

                foreach (var file in files)
                {
                    var errors = new List<ImageUpdaterException>();
                    IReadOnlyList<ImageUpdaterResource> found;
                    try
                    {
                        found = ReadText(ReadFile(file), file, errors.Add);
                    }
                    catch (ImageUpdaterException ex)
                    {
                        found = Array.Empty<ImageUpdaterResource>();
                        errors.Add(ex);
                    }

                    foreach (var resource in found)
                    {
                        yield return (resource, null);
                    }

                    foreach (var error in errors)
                    {
                        yield return (null, error);
                    }
                }
            }
        }

        /// <summary>The ImageUpdaters of one YAML text; a document that cannot be mapped goes to <paramref name="onError"/>.</summary>
        public static IReadOnlyList<ImageUpdaterResource> ReadText(string text, string origin, Action<ImageUpdaterException> onError)
        {
            var result = new List<ImageUpdaterResource>();
            foreach (var document in YamlObjectReader.Read(text, origin))
            {
                if (document is IDictionary<string, object?> manifest && ImageUpdaterMapper.IsImageUpdater(manifest))
                {
                    try
                    {
                        result.Add(ImageUpdaterMapper.FromObject(manifest, origin));
                    }
                    catch (ImageUpdaterException ex)
                    {
                        onError(ex);
                    }
                }
            }

            return result;
        }

        /// <summary>The ImageUpdaters of a namespace through the Kubernetes API (a refused item is one error, the rest still come).</summary>
        public static IEnumerable<(ImageUpdaterResource? Resource, ImageUpdaterException? Error)> ReadCluster(string? kubeconfig, string? context, string ns, string? labelSelector, CancellationToken cancellationToken)
        {
            using var connection = KubernetesConnection.Open(kubeconfig, context,
                "Reading ImageUpdater resources through the Kubernetes API (-Kubeconfig)", "Use -Path with the resources' YAML files in Windows PowerShell.");
            var items = connection.Call(
                () => connection.ListAllCustomObjectsAsync(ImageUpdaterResource.Group, ImageUpdaterResource.Version, ns, ImageUpdaterResource.Plural, labelSelector, PageSize, cancellationToken),
                ns,
                $"list imageupdaters in '{ns}'",
                detail => $"denied 'list' on imageupdaters.{ImageUpdaterResource.Group} in namespace '{ns}' ({detail}). Grant the kubeconfig's user a Role with list on imageupdaters.{ImageUpdaterResource.Group} there.",
                detail => ("ImageUpdaterResourceNotFound", $"The Kubernetes API at {connection.Origin} serves no imageupdaters.{ImageUpdaterResource.Group} in namespace '{ns}' ({detail}): is Argo CD Image Updater v1 (its CRD) installed?"))
                .GetAwaiter().GetResult();
            foreach (var item in items)
            {
                ImageUpdaterResource? resource = null;
                ImageUpdaterException? error = null;
                try
                {
                    resource = ImageUpdaterMapper.FromJson(item, connection.Origin);
                }
                catch (ImageUpdaterException ex)
                {
                    error = ex;
                }

                yield return (resource, error);
            }
        }

        private static string ReadFile(string file)
        {
            try
            {
                return YamlObjectReader.ReadFile(file);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new ImageUpdaterException("FileUnreadable", FailureKind.ReadError, $"Cannot read '{file}': {ex.Message}", file, ex);
            }
        }
    }
}
