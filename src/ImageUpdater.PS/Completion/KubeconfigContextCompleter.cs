using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using ImageUpdater.Core.Argo;

namespace ImageUpdater.PS.Completion
{
    /// <summary>Completes -Context with the contexts of -Kubeconfig (else KUBECONFIG or ~/.kube/config), the current one first.</summary>
    public sealed class KubeconfigContextCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var kubeconfig = CompletionText.Text(fakeBoundParameters, "Kubeconfig");
            if (kubeconfig is not null)
            {
                kubeconfig = ProviderPath(kubeconfig);
            }

            return CompletionText.Matching(KubeconfigContexts.Names(kubeconfig), wordToComplete, name => "kubeconfig context " + name);
        }

        /// <summary>A path as typed, relative to PowerShell's current location (not the process's), as the cmdlet will resolve it.</summary>
        private static string ProviderPath(string path)
        {
            try
            {
                using var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
                var resolved = ps.AddCommand("Microsoft.PowerShell.Management\\Resolve-Path").AddParameter("LiteralPath", path).AddParameter("ErrorAction", "Ignore").Invoke<PathInfo>();
                return resolved.Count > 0 ? resolved[0].ProviderPath : path;
            }
            catch (System.Exception)
            {
                return path;
            }
        }
    }
}
