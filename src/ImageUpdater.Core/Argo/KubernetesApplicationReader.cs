using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
#if NET8_0_OR_GREATER
using k8s;
using k8s.Autorest;
using k8s.Exceptions;
#endif

namespace ImageUpdater.Core.Argo
{
    /// <summary>
    /// Reads Application resources (argoproj.io/v1alpha1) through the Kubernetes API, with a kubeconfig file and context, as
    /// upstream's default <c>--applications-api=kubernetes</c> does. Uses the KubernetesClient package, which exists for .NET 8+ only.
    /// </summary>
    public sealed class KubernetesApplicationReader : IDisposable
    {
        private const string Group = "argoproj.io";
        private const string Version = "v1alpha1";
        private const string Plural = "applications";
        private const int PageSize = 500;

#if NET8_0_OR_GREATER
        private readonly Kubernetes client;
#endif

        /// <param name="kubeconfigPath">The kubeconfig file; null = KUBECONFIG or ~/.kube/config.</param>
        /// <param name="context">The context to use; null = the file's current-context.</param>
        public KubernetesApplicationReader(string? kubeconfigPath, string? context)
        {
#if NET8_0_OR_GREATER
            var config = LoadKubeconfig(kubeconfigPath, context);
            Origin = config.Host;
            client = new Kubernetes(config);
#else
            throw new ImageUpdaterException("KubernetesNotSupported", FailureKind.NotImplemented, "Reading Applications through the Kubernetes API (-Kubeconfig) needs PowerShell 7: the KubernetesClient library has no .NET Framework build. Use -Server (the Argo CD API) or -Path in Windows PowerShell.", kubeconfigPath);
#endif
        }

#if NET8_0_OR_GREATER
        /// <summary>The client configuration of a kubeconfig (null = KUBECONFIG or ~/.kube/config) and context (null = current-context).</summary>
        internal static KubernetesClientConfiguration LoadKubeconfig(string? kubeconfigPath, string? context)
        {
            var path = kubeconfigPath ?? Environment.GetEnvironmentVariable("KUBECONFIG")?.Split(Path.PathSeparator)[0] ?? KubernetesClientConfiguration.KubeConfigDefaultLocation;
            if (!File.Exists(path))
            {
                throw new ImageUpdaterException("KubeconfigNotFound", FailureKind.ObjectNotFound, $"Cannot find the kubeconfig '{path}': pass -Kubeconfig with the path of a kubeconfig file.", path);
            }

            try
            {
                return KubernetesClientConfiguration.BuildConfigFromConfigFile(path, context);
            }
            catch (KubeConfigException ex)
            {
                throw new ImageUpdaterException("KubeconfigInvalid", FailureKind.InvalidArgument, $"Cannot use the kubeconfig '{path}'{(context is null ? string.Empty : " with context '" + context + "'")}: {ex.Message}", path, ex);
            }
        }
#endif

        /// <summary>The cluster's API server URL, the Origin of the Applications read.</summary>
        public string Origin { get; } = string.Empty;

        /// <summary>Lists the Applications of a namespace, filtered by the API server on a label selector, page by page.</summary>
        public async Task<IReadOnlyList<JsonElement>> ListAsync(string ns, string? labelSelector, CancellationToken cancellationToken = default)
        {
#if NET8_0_OR_GREATER
            var items = new List<JsonElement>();
            string? next = null;
            do
            {
                var page = await Call(() => client.CustomObjects.ListNamespacedCustomObjectAsync<JsonElement>(Group, Version, ns, Plural, continueParameter: next, labelSelector: labelSelector, limit: PageSize, cancellationToken: cancellationToken), ns, "list", "*").ConfigureAwait(false);
                if (page.TryGetProperty("items", out var pageItems) && pageItems.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in pageItems.EnumerateArray())
                    {
                        items.Add(item.Clone());
                    }
                }

                next = page.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("continue", out var c) && c.ValueKind == JsonValueKind.String && c.GetString()!.Length > 0 ? c.GetString() : null;
            }
            while (next is not null);
            return items;
#else
            await Task.CompletedTask.ConfigureAwait(false);
            throw new PlatformNotSupportedException();
#endif
        }

        /// <summary>One Application by name.</summary>
        public async Task<JsonElement> GetAsync(string ns, string name, CancellationToken cancellationToken = default)
        {
#if NET8_0_OR_GREATER
            var item = await Call(() => client.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>(Group, Version, ns, Plural, name, cancellationToken), ns, "get", name).ConfigureAwait(false);
            return item.Clone();
#else
            await Task.CompletedTask.ConfigureAwait(false);
            throw new PlatformNotSupportedException();
#endif
        }

        public void Dispose()
        {
#if NET8_0_OR_GREATER
            client.Dispose();
#endif
        }

#if NET8_0_OR_GREATER
        private async Task<JsonElement> Call(Func<Task<JsonElement>> call, string ns, string verb, string name)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (HttpOperationException ex)
            {
                var status = (int)ex.Response.StatusCode;
                var detail = KubernetesMessage(ex.Response.Content) ?? ex.Message;
                throw status switch
                {
                    401 => new ImageUpdaterException("KubernetesAuthenticationFailed", FailureKind.AuthenticationError, $"The Kubernetes API at {Origin} rejected the kubeconfig's credentials: token expired or invalid ({detail}). Refresh the kubeconfig (e.g. aws eks update-kubeconfig) and try again.", name, ex),
                    403 => new ImageUpdaterException("KubernetesPermissionDenied", FailureKind.PermissionDenied, $"The Kubernetes API at {Origin} denied '{verb}' on applications.argoproj.io in namespace '{ns}' ({detail}). Grant the kubeconfig's user a Role with get and list on applications.argoproj.io there.", name, ex),
                    404 => new ImageUpdaterException("ArgoApplicationNotFound", FailureKind.ObjectNotFound, name == "*"
                        ? $"The Kubernetes API at {Origin} has no applications.argoproj.io in namespace '{ns}' ({detail}): is Argo CD installed there (-Namespace)?"
                        : $"There is no Application '{name}' in namespace '{ns}' at {Origin} ({detail}). Check the name and -Namespace.", name, ex),
                    _ => new ImageUpdaterException("KubernetesApiError", status >= 500 ? FailureKind.ResourceUnavailable : FailureKind.InvalidOperation, $"The Kubernetes API at {Origin} failed to {verb} applications in '{ns}' (HTTP {status}): {detail}", name, ex),
                };
            }
            catch (System.Net.Http.HttpRequestException ex)
            {
                throw new ImageUpdaterException("KubernetesUnreachable", FailureKind.ConnectionError, $"Cannot reach the Kubernetes API at {Origin}: {ex.Message} Check the kubeconfig's cluster address and -Context.", name, ex);
            }
        }

        internal static string? KubernetesMessage(string? body)
        {
            if (string.IsNullOrWhiteSpace(body))
            {
                return null;
            }

            try
            {
                using var doc = JsonDocument.Parse(body!);
                return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("message", out var m) ? m.GetString() : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
#endif
    }
}
