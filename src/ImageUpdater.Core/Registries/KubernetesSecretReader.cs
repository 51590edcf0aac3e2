using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Argo;
#if NET8_0_OR_GREATER
using k8s;
using k8s.Autorest;
#endif

namespace ImageUpdater.Core.Registries
{
    /// <summary>
    /// Reads the secrets behind <c>secret:</c> and <c>pullsecret:</c> credentials through the Kubernetes API of a kubeconfig,
    /// as upstream does in-cluster. KubernetesClient exists for .NET 8+ only.
    /// </summary>
    public sealed class KubernetesSecretReader : ISecretReader, IDisposable
    {
#if NET8_0_OR_GREATER
        private readonly Kubernetes client;
#endif

        /// <param name="kubeconfigPath">The kubeconfig file; null = KUBECONFIG or ~/.kube/config.</param>
        /// <param name="context">The context to use; null = the file's current-context.</param>
        public KubernetesSecretReader(string? kubeconfigPath, string? context)
        {
#if NET8_0_OR_GREATER
            var config = KubernetesApplicationReader.LoadKubeconfig(kubeconfigPath, context);
            Origin = config.Host;
            client = new Kubernetes(config);
#else
            throw new ImageUpdaterException("KubernetesNotSupported", FailureKind.NotImplemented, "Reading registry credentials from Kubernetes secrets (-Kubeconfig) needs PowerShell 7: the KubernetesClient library has no .NET Framework build. Use env: or ext: credentials, or -Credential, in Windows PowerShell.", kubeconfigPath);
#endif
        }

        /// <summary>The cluster's API server URL.</summary>
        public string Origin { get; } = string.Empty;

        public async Task<IReadOnlyDictionary<string, byte[]>> ReadSecretAsync(string ns, string name, CancellationToken cancellationToken)
        {
#if NET8_0_OR_GREATER
            try
            {
                var secret = await client.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
                return new Dictionary<string, byte[]>(secret.Data ?? new Dictionary<string, byte[]>(), StringComparer.Ordinal);
            }
            catch (HttpOperationException ex)
            {
                var status = (int)ex.Response.StatusCode;
                var detail = KubernetesApplicationReader.KubernetesMessage(ex.Response.Content) ?? ex.Message;
                throw status switch
                {
                    401 => new ImageUpdaterException("KubernetesAuthenticationFailed", FailureKind.AuthenticationError, $"The Kubernetes API at {Origin} rejected the kubeconfig's credentials ({detail}). Refresh the kubeconfig and try again.", ns + "/" + name, ex),
                    403 => new ImageUpdaterException("KubernetesPermissionDenied", FailureKind.PermissionDenied, $"The Kubernetes API at {Origin} denied reading secret {ns}/{name} ({detail}). Grant the kubeconfig's user 'get' on secrets in namespace '{ns}'.", ns + "/" + name, ex),
                    404 => new ImageUpdaterException("RegistryCredentialMissing", FailureKind.ObjectNotFound, $"There is no secret {ns}/{name} at {Origin} ({detail}). Check the registries.conf credentials.", ns + "/" + name, ex),
                    _ => new ImageUpdaterException("KubernetesApiError", status >= 500 ? FailureKind.ResourceUnavailable : FailureKind.InvalidOperation, $"The Kubernetes API at {Origin} failed to read secret {ns}/{name} (HTTP {status}): {detail}", ns + "/" + name, ex),
                };
            }
            catch (System.Net.Http.HttpRequestException ex)
            {
                throw new ImageUpdaterException("KubernetesUnreachable", FailureKind.ConnectionError, $"Cannot reach the Kubernetes API at {Origin}: {ex.Message} Check the kubeconfig's cluster address and -Context.", ns + "/" + name, ex);
            }
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
    }
}
