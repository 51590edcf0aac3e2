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

namespace ImageUpdater.Core.Kubernetes
{
    /// <summary>
    /// A Kubernetes API client from a kubeconfig file and context, with the one mapping of API failures to errors that say what
    /// to do. The KubernetesClient package exists for .NET 8+ only, so this is the one place that decides it.
    /// </summary>
    public sealed class KubernetesConnection : IDisposable
    {
#if NET8_0_OR_GREATER
        private KubernetesConnection(k8s.Kubernetes client, string origin)
        {
            Client = client;
            Origin = origin;
        }

        private k8s.Kubernetes Client { get; }
#else
        private KubernetesConnection()
        {
        }
#endif

        /// <summary>The cluster's API server URL.</summary>
        public string Origin { get; } = string.Empty;

        /// <param name="kubeconfigPath">The kubeconfig file; null = KUBECONFIG or ~/.kube/config.</param>
        /// <param name="context">The context to use; null = the file's current-context.</param>
        /// <param name="purpose">What needs the cluster, for the Windows PowerShell message ("Reading Applications through the Kubernetes API (-Kubeconfig)").</param>
        /// <param name="alternative">What to use instead in Windows PowerShell.</param>
        public static KubernetesConnection Open(string? kubeconfigPath, string? context, string purpose, string alternative)
        {
#if NET8_0_OR_GREATER
            var path = kubeconfigPath ?? Environment.GetEnvironmentVariable("KUBECONFIG")?.Split(Path.PathSeparator)[0] ?? KubernetesClientConfiguration.KubeConfigDefaultLocation;
            if (!File.Exists(path))
            {
                throw new ImageUpdaterException("KubeconfigNotFound", FailureKind.ObjectNotFound, $"Cannot find the kubeconfig '{path}': pass -Kubeconfig with the path of a kubeconfig file.", path);
            }

            KubernetesClientConfiguration config;
            try
            {
                config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path, context);
            }
            catch (KubeConfigException ex)
            {
                throw new ImageUpdaterException("KubeconfigInvalid", FailureKind.InvalidArgument, $"Cannot use the kubeconfig '{path}'{(context is null ? string.Empty : " with context '" + context + "'")}: {ex.Message}", path, ex);
            }

            return new KubernetesConnection(new k8s.Kubernetes(config), config.Host);
#else
            throw new ImageUpdaterException("KubernetesNotSupported", FailureKind.NotImplemented, $"{purpose} needs PowerShell 7: the KubernetesClient library has no .NET Framework build. {alternative}", kubeconfigPath);
#endif
        }

        /// <summary>A page of a namespaced custom resource list (the raw answer, with items and metadata.continue).</summary>
        public Task<JsonElement> ListCustomObjectsAsync(string group, string version, string ns, string plural, string? labelSelector, string? continueToken, int limit, CancellationToken cancellationToken) =>
#if NET8_0_OR_GREATER
            Client.CustomObjects.ListNamespacedCustomObjectAsync<JsonElement>(group, version, ns, plural, continueParameter: continueToken, labelSelector: labelSelector, limit: limit, cancellationToken: cancellationToken);
#else
            throw new PlatformNotSupportedException();
#endif

        /// <summary>Every item of a namespaced custom resource list, page by page (the API server filters on the label selector).</summary>
        public async Task<IReadOnlyList<JsonElement>> ListAllCustomObjectsAsync(string group, string version, string ns, string plural, string? labelSelector, int pageSize, CancellationToken cancellationToken)
        {
            var items = new List<JsonElement>();
            string? next = null;
            do
            {
                var page = await ListCustomObjectsAsync(group, version, ns, plural, labelSelector, next, pageSize, cancellationToken).ConfigureAwait(false);
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
        }

        /// <summary>One namespaced custom resource.</summary>
        public Task<JsonElement> GetCustomObjectAsync(string group, string version, string ns, string plural, string name, CancellationToken cancellationToken) =>
#if NET8_0_OR_GREATER
            Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>(group, version, ns, plural, name, cancellationToken);
#else
            throw new PlatformNotSupportedException();
#endif

        /// <summary>The data of a secret (null when it has none).</summary>
        public async Task<IDictionary<string, byte[]>?> ReadSecretDataAsync(string ns, string name, CancellationToken cancellationToken)
        {
#if NET8_0_OR_GREATER
            return (await Client.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false)).Data;
#else
            await Task.CompletedTask.ConfigureAwait(false);
            throw new PlatformNotSupportedException();
#endif
        }

        /// <summary>The name and data of every secret of <paramref name="ns"/> matching <paramref name="labelSelector"/>.</summary>
        public async Task<IReadOnlyList<KeyValuePair<string, IDictionary<string, byte[]>?>>> ListSecretsAsync(string ns, string labelSelector, CancellationToken cancellationToken)
        {
#if NET8_0_OR_GREATER
            var list = await Client.CoreV1.ListNamespacedSecretAsync(ns, labelSelector: labelSelector, cancellationToken: cancellationToken).ConfigureAwait(false);
            var result = new List<KeyValuePair<string, IDictionary<string, byte[]>?>>();
            foreach (var item in list.Items)
            {
                result.Add(new KeyValuePair<string, IDictionary<string, byte[]>?>(item.Metadata?.Name ?? string.Empty, item.Data));
            }

            return result;
#else
            await Task.CompletedTask.ConfigureAwait(false);
            throw new PlatformNotSupportedException();
#endif
        }

        /// <summary>
        /// Runs one API call; an HTTP failure becomes an <see cref="ImageUpdaterException"/> whose message names the cluster and
        /// what to do. <paramref name="denied"/> and <paramref name="notFound"/> give the texts that depend on the resource.
        /// </summary>
        /// <param name="target">The object the error concerns (a name, namespace/name).</param>
        /// <param name="operation">"list applications in 'argocd'", "read secret ns/name": for the generic failure.</param>
        /// <param name="denied">The 403 message, given the API's detail.</param>
        /// <param name="notFound">The 404 error id and message, given the API's detail.</param>
        public async Task<T> Call<T>(Func<Task<T>> call, string target, string operation, Func<string, string> denied, Func<string, (string ErrorId, string Message)> notFound)
        {
#if NET8_0_OR_GREATER
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (HttpOperationException ex)
            {
                var status = (int)ex.Response.StatusCode;
                var detail = Message(ex.Response.Content) ?? ex.Message;
                throw status switch
                {
                    401 => new ImageUpdaterException("KubernetesAuthenticationFailed", FailureKind.AuthenticationError, $"The Kubernetes API at {Origin} rejected the kubeconfig's credentials: token expired or invalid ({detail}). Refresh the kubeconfig (e.g. aws eks update-kubeconfig) and try again.", target, ex),
                    403 => new ImageUpdaterException("KubernetesPermissionDenied", FailureKind.PermissionDenied, $"The Kubernetes API at {Origin} {denied(detail)}", target, ex),
                    404 => NotFound(notFound(detail), target, ex),
                    _ => new ImageUpdaterException("KubernetesApiError", status >= 500 ? FailureKind.ResourceUnavailable : FailureKind.InvalidOperation, $"The Kubernetes API at {Origin} failed to {operation} (HTTP {status}): {detail}", target, ex),
                };
            }
            catch (System.Net.Http.HttpRequestException ex)
            {
                throw new ImageUpdaterException("KubernetesUnreachable", FailureKind.ConnectionError, $"Cannot reach the Kubernetes API at {Origin}: {ex.Message} Check the kubeconfig's cluster address and -Context.", target, ex);
            }
#else
            await Task.CompletedTask.ConfigureAwait(false);
            throw new PlatformNotSupportedException();
#endif
        }

        private static ImageUpdaterException NotFound((string ErrorId, string Message) error, string target, Exception inner) =>
            new ImageUpdaterException(error.ErrorId, FailureKind.ObjectNotFound, error.Message, target, inner);

        /// <summary>The <c>message</c> of a Kubernetes Status body, or null.</summary>
        internal static string? Message(string? body)
        {
            if (string.IsNullOrWhiteSpace(body))
            {
                return null;
            }

            try
            {
                using var doc = JsonDocument.Parse(body!);
                return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        public void Dispose()
        {
#if NET8_0_OR_GREATER
            Client.Dispose();
#endif
        }
    }
}
