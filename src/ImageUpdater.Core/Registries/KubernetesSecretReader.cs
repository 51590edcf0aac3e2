using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Kubernetes;

namespace ImageUpdater.Core.Registries
{
    /// <summary>
    /// Reads the secrets behind <c>secret:</c> and <c>pullsecret:</c> credentials through the Kubernetes API of a kubeconfig,
    /// as upstream does in-cluster.
    /// </summary>
    public sealed class KubernetesSecretReader : ISecretReader, ISecretLister, IDisposable
    {
        private readonly KubernetesConnection connection;

        /// <param name="kubeconfigPath">The kubeconfig file; null = KUBECONFIG or ~/.kube/config.</param>
        /// <param name="context">The context to use; null = the file's current-context.</param>
        public KubernetesSecretReader(string? kubeconfigPath, string? context)
        {
            connection = KubernetesConnection.Open(kubeconfigPath, context,
                "Reading registry credentials from Kubernetes secrets (-Kubeconfig)", "Use env: or ext: credentials, or -Credential, in Windows PowerShell.");
        }

        /// <summary>The cluster's API server URL.</summary>
        public string Origin => connection.Origin;

        public async Task<IReadOnlyDictionary<string, byte[]>> ReadSecretAsync(string ns, string name, CancellationToken cancellationToken)
        {
            var target = ns + "/" + name;
            var data = await connection.Call(
                () => connection.ReadSecretDataAsync(ns, name, cancellationToken),
                target, $"read secret {target}",
                detail => $"denied reading secret {target} ({detail}). Grant the kubeconfig's user 'get' on secrets in namespace '{ns}'.",
                detail => ("RegistryCredentialMissing", $"There is no secret {target} at {Origin} ({detail}). Check the registries.conf credentials.")).ConfigureAwait(false);
            return new Dictionary<string, byte[]>(data ?? new Dictionary<string, byte[]>(), StringComparer.Ordinal);
        }

        public async Task<IReadOnlyList<KeyValuePair<string, IReadOnlyDictionary<string, byte[]>>>> ListSecretsAsync(string ns, string labelSelector, CancellationToken cancellationToken)
        {
            var items = await connection.Call(
                () => connection.ListSecretsAsync(ns, labelSelector, cancellationToken),
                ns, $"list secrets in '{ns}'",
                detail => $"denied listing the secrets of namespace '{ns}' ({detail}). Argo CD's repository credentials (git:repocreds) are secrets labelled {labelSelector} there: grant the kubeconfig's user 'list' on secrets in namespace '{ns}', pass -ArgoCDNamespace if Argo CD runs elsewhere, or pass -GitCredential.",
                detail => ("GitRepoCredsNamespaceNotFound", $"There is no namespace '{ns}' at {Origin} ({detail}). Pass -ArgoCDNamespace with the namespace Argo CD runs in.")).ConfigureAwait(false);
            return items.Select(i => new KeyValuePair<string, IReadOnlyDictionary<string, byte[]>>(i.Key, new Dictionary<string, byte[]>(i.Value ?? new Dictionary<string, byte[]>(), StringComparer.Ordinal))).ToList();
        }

        public void Dispose() => connection.Dispose();
    }
}
