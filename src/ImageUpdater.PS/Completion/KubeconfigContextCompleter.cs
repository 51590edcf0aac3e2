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
                kubeconfig = CompletionText.ProviderPath(kubeconfig);
            }

            return CompletionText.Matching(KubeconfigContexts.Names(kubeconfig), wordToComplete, name => "kubeconfig context " + name);
        }
    }
}
