using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Threading;
using System.Threading.Tasks;

namespace ImageUpdater.PS.Completion
{
    /// <summary>What the completers share: the word typed so far without quotes, results quoted when needed, bound values, a time limit.</summary>
    internal static class CompletionText
    {
        /// <summary>A server that does not answer within this time gives no completions rather than a frozen prompt.</summary>
        public static readonly TimeSpan ServerTimeout = TimeSpan.FromSeconds(5);

        public static string Unquote(string? word) => (word ?? string.Empty).Trim('\'', '"');

        /// <summary>Completion results, in the given order, for names starting with the typed word (wildcards allowed), quoted as typed or where PowerShell needs it.</summary>
        public static IEnumerable<CompletionResult> Matching(IEnumerable<string> names, string? wordToComplete, Func<string, string>? toolTip = null)
        {
            var pattern = new WildcardPattern(WildcardPattern.Escape(Unquote(wordToComplete)).Replace("`*", "*").Replace("`?", "?") + "*", WildcardOptions.IgnoreCase);
            var quote = wordToComplete is { Length: > 0 } && (wordToComplete[0] == '\'' || wordToComplete[0] == '"') ? wordToComplete[0] : (char?)null;
            return names
                .Where(n => !string.IsNullOrEmpty(n) && pattern.IsMatch(n))
                .Distinct(StringComparer.Ordinal)
                .Select(n => new CompletionResult(Quote(n, quote), n, CompletionResultType.ParameterValue, toolTip?.Invoke(n) ?? n));
        }

        /// <summary>A bound parameter's value as text (strings as typed, the first of an array), or null.</summary>
        public static string? Text(IDictionary bound, string name)
        {
            var value = bound.Contains(name) ? bound[name] : null;
            if (value is PSObject pso)
            {
                value = pso.BaseObject;
            }

            if (value is IEnumerable items && value is not string)
            {
                value = items.Cast<object?>().FirstOrDefault();
            }

            return value is null ? null : value is PSObject inner ? inner.BaseObject?.ToString() : value.ToString();
        }

        public static SecureString? Secure(IDictionary bound, string name)
        {
            var value = bound.Contains(name) ? bound[name] : null;
            value = value is PSObject pso ? pso.BaseObject : value;
            return value is string text ? SecureStringTransformationAttribute.ToSecureString(text) : value as SecureString;
        }

        /// <summary>The work's result, or null when it fails or takes longer than <see cref="ServerTimeout"/>: a completer never throws or hangs.</summary>
        public static T? Within<T>(Func<CancellationToken, Task<T>> start)
            where T : class => Core.Updating.BoundedConcurrency.ResultWithin(start, ServerTimeout);

        private static string Quote(string name, char? typed)
        {
            if (typed == '"')
            {
                return "\"" + name.Replace("\"", "`\"").Replace("$", "`$") + "\"";
            }

            var needs = typed == '\'' || name.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', '(', ')', '{', '}', ';', ',', '&', '|', '@', '#' }) >= 0;
            return needs ? "'" + name.Replace("'", "''") + "'" : name;
        }

        /// <summary>A path as typed, relative to PowerShell's current location (not the process's), as the cmdlet will resolve it.</summary>
        public static string ProviderPath(string path)
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

        /// <summary>
        /// The Applications of the Connect-ArgoCD server (or -Server with the session's token), within <paramref name="project"/>;
        /// null when reading files or the Kubernetes API, when not connected, or when the server does not answer in time.
        /// </summary>
        public static IReadOnlyList<System.Text.Json.JsonElement>? ServerApplications(IDictionary bound, string? project)
        {
            if (bound.Contains("Path") || bound.Contains("Kubeconfig"))
            {
                return null;
            }

            Core.Argo.ArgoCDConnection connection;
            try
            {
                connection = ArgoCmdletBase.ResolveConnection(Text(bound, "Server"), Secure(bound, "Token"), bound.Contains("SkipCertificateCheck"));
            }
            catch (Core.ImageUpdaterException)
            {
                return null;
            }

            return Within(async cancel =>
            {
                using var client = new Core.Argo.ArgoCDClient(connection);
                return await client.ListApplicationsAsync(project is null ? null : new[] { project }, null, null, cancel).ConfigureAwait(false);
            });
        }
    }
}
