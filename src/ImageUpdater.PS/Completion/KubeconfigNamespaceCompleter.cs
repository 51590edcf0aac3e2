using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using ImageUpdater.Core.Argo;

namespace ImageUpdater.PS.Completion
{
    /// <summary>Completes -Namespace with the namespaces the kubeconfig's contexts name (-Context's, else the current one's, first) and argocd.</summary>
    public sealed class KubeconfigNamespaceCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var kubeconfig = CompletionText.Text(fakeBoundParameters, "Kubeconfig");
            var names = KubeconfigContexts.Namespaces(kubeconfig is null ? null : CompletionText.ProviderPath(kubeconfig), CompletionText.Text(fakeBoundParameters, "Context"));
            return CompletionText.Matching(names, wordToComplete, name => "namespace " + name);
        }
    }
}
