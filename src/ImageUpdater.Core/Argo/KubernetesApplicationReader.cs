using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Kubernetes;

namespace ImageUpdater.Core.Argo
{
    /// <summary>
    /// Reads Application resources (argoproj.io/v1alpha1) through the Kubernetes API, with a kubeconfig file and context, as
    /// upstream's default <c>--applications-api=kubernetes</c> does.
    /// </summary>
    public sealed class KubernetesApplicationReader : IDisposable
    {
        private const string Group = "argoproj.io";
        private const string Version = "v1alpha1";
        private const string Plural = "applications";
        private const int PageSize = 500;

        private readonly KubernetesConnection connection;

        /// <param name="kubeconfigPath">The kubeconfig file; null = KUBECONFIG or ~/.kube/config.</param>
        /// <param name="context">The context to use; null = the file's current-context.</param>
        public KubernetesApplicationReader(string? kubeconfigPath, string? context)
        {
            connection = KubernetesConnection.Open(kubeconfigPath, context,
                "Reading Applications through the Kubernetes API (-Kubeconfig)", "Use -Server (the Argo CD API) or -Path in Windows PowerShell.");
        }

        /// <summary>The cluster's API server URL, the Origin of the Applications read.</summary>
        public string Origin => connection.Origin;

        /// <summary>Lists the Applications of a namespace, filtered by the API server on a label selector, page by page.</summary>
        public Task<IReadOnlyList<JsonElement>> ListAsync(string ns, string? labelSelector, CancellationToken cancellationToken = default) =>
            Call(() => connection.ListAllCustomObjectsAsync(Group, Version, ns, Plural, labelSelector, PageSize, cancellationToken), ns, "list", "*");

        /// <summary>One Application by name.</summary>
        public async Task<JsonElement> GetAsync(string ns, string name, CancellationToken cancellationToken = default)
        {
            var item = await Call(() => connection.GetCustomObjectAsync(Group, Version, ns, Plural, name, cancellationToken), ns, "get", name).ConfigureAwait(false);
            return item.Clone();
        }

        public void Dispose() => connection.Dispose();

        private Task<T> Call<T>(Func<Task<T>> call, string ns, string verb, string name) =>
            connection.Call(call, name, $"{verb} applications in '{ns}'",
                detail => $"denied '{verb}' on applications.argoproj.io in namespace '{ns}' ({detail}). Grant the kubeconfig's user a Role with get and list on applications.argoproj.io there.",
                detail => ("ArgoApplicationNotFound", name == "*"
                    ? $"The Kubernetes API at {Origin} has no applications.argoproj.io in namespace '{ns}' ({detail}): is Argo CD installed there (-Namespace)?"
                    : $"There is no Application '{name}' in namespace '{ns}' at {Origin} ({detail}). Check the name and -Namespace."));
    }
}
