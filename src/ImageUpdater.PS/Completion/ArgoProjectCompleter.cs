using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using ImageUpdater.Core.Argo;

namespace ImageUpdater.PS.Completion
{
    /// <summary>Completes -Project with the projects that hold Applications on the Connect-ArgoCD server (or -Server with the session's token).</summary>
    public sealed class ArgoProjectCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            // Projects are read from the Applications the token may list: a token that can read no project object still completes.
            var apps = CompletionText.ServerApplications(fakeBoundParameters, null);
            if (apps is null)
            {
                return Enumerable.Empty<CompletionResult>();
            }

            var counts = apps
                .Select(app => ObjectTree.Text(ObjectTree.FromJson(app), "spec.project") ?? "default")
                .GroupBy(p => p, System.StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count(), System.StringComparer.Ordinal);
            return CompletionText.Matching(counts.Keys.OrderBy(p => p, System.StringComparer.OrdinalIgnoreCase), wordToComplete, p => $"project {p} ({counts[p]} application(s))");
        }
    }
}
