using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text.Json;
using ImageUpdater.Core.Argo;

namespace ImageUpdater.PS.Completion
{
    /// <summary>Completes application -Name from the Argo CD server of the Connect-ArgoCD session (or -Server with the session's token), within -Project when given.</summary>
    public sealed class ArgoApplicationNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var apps = CompletionText.ServerApplications(fakeBoundParameters, CompletionText.Text(fakeBoundParameters, "Project"));
            if (apps is null)
            {
                return Enumerable.Empty<CompletionResult>();
            }

            var projects = new Dictionary<string, string>();
            foreach (var app in apps)
            {
                var name = Read(app, "metadata", "name");
                if (name is not null)
                {
                    projects[name] = Read(app, "spec", "project") ?? "default";
                }
            }

            return CompletionText.Matching(projects.Keys.OrderBy(n => n, System.StringComparer.OrdinalIgnoreCase), wordToComplete, n => $"{n} (project {projects[n]})");
        }

        private static string? Read(JsonElement app, string section, string field) =>
            app.ValueKind == JsonValueKind.Object && app.TryGetProperty(section, out var s) && s.ValueKind == JsonValueKind.Object && s.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()
                : null;
    }
}
