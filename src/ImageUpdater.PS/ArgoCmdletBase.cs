using System;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using System.Threading;
using ImageUpdater.Core.Argo;

namespace ImageUpdater.PS
{
    /// <summary>The Argo CD session that Connect-ArgoCD stores for later cmdlets in this process (the Connect-AzAccount pattern).</summary>
    internal static class ArgoCDSession
    {
        private static ArgoCDConnection? current;

        // A reference is read and written whole: Volatile is all the cross-runspace visibility it needs.
        public static ArgoCDConnection? Current
        {
            get => Volatile.Read(ref current);
            set => Volatile.Write(ref current, value);
        }
    }

    /// <summary>Base of the cmdlets that talk to an Argo CD API server: the shared -Server, -Token and -SkipCertificateCheck.</summary>
    public abstract class ArgoCmdletBase : ImageUpdaterCmdlet
    {
        protected const string ServerSet = "Server";

        /// <summary>Argo CD API server: a host name (https) or a URL. Default: the Connect-ArgoCD session, else ARGOCD_SERVER.</summary>
        [Parameter(ParameterSetName = ServerSet)]
        [ValidateNotNullOrEmpty]
        public string? Server { get; set; }

        /// <summary>API token. Default: the Connect-ArgoCD session (for the same server), else ARGOCD_AUTH_TOKEN.</summary>
        [Parameter(ParameterSetName = ServerSet)]
        [SecureStringTransformation]
        public SecureString? Token { get; set; }

        /// <summary>Accept any TLS certificate; for test servers only.</summary>
        [Parameter(ParameterSetName = ServerSet)]
        public SwitchParameter SkipCertificateCheck { get; set; }

        /// <summary>A connection from Connect-ArgoCD -PassThru, used instead of the process-wide session (runbooks sharing a process).</summary>
        [Parameter(ParameterSetName = ServerSet)]
        [ValidateNotNull]
        public ArgoCDConnection? Connection { get; set; }

        /// <summary>
        /// The server and token to use: parameters first, then <paramref name="connection"/> (-Connection) or else the Connect-ArgoCD
        /// session, then ARGOCD_SERVER and ARGOCD_AUTH_TOKEN.
        /// </summary>
        internal static ArgoCDConnection ResolveConnection(string? serverParameter, SecureString? tokenParameter, bool skipCertificateCheck, ArgoCDConnection? connection = null) =>
            ArgoCDConnection.Resolve(serverParameter, tokenParameter is null ? null : ToPlainText(tokenParameter), skipCertificateCheck, connection ?? ArgoCDSession.Current);

        internal static string ToPlainText(SecureString secure)
        {
            var pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
            try
            {
                return Marshal.PtrToStringUni(pointer) ?? string.Empty;
            }
            finally
            {
                Marshal.ZeroFreeGlobalAllocUnicode(pointer);
            }
        }
    }
}
