using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;

namespace ImageUpdater.Core.Argo
{
    /// <summary>
    /// Which Applications to read: names (wildcards), projects, a label selector, and the namespace of the Application
    /// resources (<see cref="AppNamespace"/> for the Argo CD API, <see cref="Namespace"/> for the Kubernetes API). It owns the
    /// rule "exact names are fetched one by one, anything else is one listing filtered here" and the name and project filters.
    /// </summary>
    public sealed class ApplicationQuery
    {
        public const string DefaultNamespace = "argocd";

        private readonly NamePattern[]? patterns;

        public ApplicationQuery(IEnumerable<string>? names = null, IEnumerable<string>? projects = null, string? selector = null, string? appNamespace = null, string? @namespace = null)
        {
            Names = names?.ToArray();
            Projects = projects?.ToArray();
            Selector = string.IsNullOrEmpty(selector) ? null : selector;
            AppNamespace = string.IsNullOrEmpty(appNamespace) ? null : appNamespace;
            Namespace = string.IsNullOrEmpty(@namespace) ? DefaultNamespace : @namespace!;
            patterns = Names?.Select(n => new NamePattern(n)).ToArray();
        }

        /// <summary>Every Application.</summary>
        public static ApplicationQuery All { get; } = new ApplicationQuery();

        /// <summary>Names or wildcard patterns (case-insensitive); null = any name.</summary>
        public IReadOnlyList<string>? Names { get; }

        /// <summary>Projects (exact); null = any project.</summary>
        public IReadOnlyList<string>? Projects { get; }

        /// <summary>A Kubernetes label selector, applied by the server.</summary>
        public string? Selector { get; }

        /// <summary>Argo CD API: only Applications of this namespace (apps-in-any-namespace); null = all the server shows.</summary>
        public string? AppNamespace { get; }

        /// <summary>Kubernetes API: the namespace holding the Application resources.</summary>
        public string Namespace { get; }

        /// <summary>True when every name is exact: each is fetched by name instead of listing everything.</summary>
        public bool IsExactNames => Names is { Count: > 0 } && Names.All(n => !NamePattern.HasWildcards(n));

        /// <summary>The one project a GET can name (Argo CD then answers 404 instead of an ambiguous 403), or null.</summary>
        public string? SingleProject => Projects is { Count: 1 } ? Projects[0] : null;

        public bool Matches(ArgoApplication app) => MatchesName(app.Name) && MatchesProject(app.Project);

        public bool MatchesName(string name) => patterns is null || patterns.Any(p => p.IsMatch(name));

        public bool MatchesProject(string? project) => Projects is null || Projects.Contains(project ?? string.Empty, StringComparer.Ordinal);

        /// <summary>The filters in words, for messages: "name 'web*', project 'shop'"; empty when there are none.</summary>
        public string Describe()
        {
            var parts = new List<string>();
            if (Names is { Count: > 0 })
            {
                parts.Add((Names.Count == 1 ? "name " : "names ") + Quote(Names));
            }

            if (Projects is { Count: > 0 })
            {
                parts.Add((Projects.Count == 1 ? "project " : "projects ") + Quote(Projects));
            }

            if (Selector is not null)
            {
                parts.Add("selector '" + Selector + "'");
            }

            return string.Join(", ", parts);
        }

        /// <summary>
        /// Why nothing came back, and which of several projects matched nothing: warnings after a read that raised no error.
        /// <paramref name="where"/> is "under '/apps'" or "at https://argocd/"; <paramref name="read"/> counts what was read before filtering.
        /// </summary>
        public IEnumerable<ApplicationRead> Explain(string where, int read, IReadOnlyCollection<ArgoApplication> found, string? hint = null)
        {
            if (found.Count == 0)
            {
                var filters = Describe();
                yield return ApplicationRead.Warning(read == 0
                    ? $"No Applications {where}{(Selector is null ? string.Empty : " with selector '" + Selector + "'")}.{hint}"
                    : $"None of the {read} Application(s) {where} matched {filters}.");
                yield break;
            }

            if (Projects is { Count: > 1 })
            {
                foreach (var project in Projects.Where(p => !found.Any(a => string.Equals(a.Project, p, StringComparison.Ordinal))))
                {
                    yield return ApplicationRead.Warning($"Project '{project}' matched no Application {where}.");
                }
            }
        }

        /// <summary>
        /// The API rule: exact names → one GET each (a missing one is an error for that name); else one listing, mapped and filtered
        /// by name and project here. Each call's failure is one error; each item that cannot be mapped is one error.
        /// </summary>
        internal IEnumerable<ApplicationRead> Fetch(ApplicationApi api, CancellationToken cancellationToken)
        {
            if (IsExactNames)
            {
                foreach (var name in Names!.Select(NamePattern.Unescape))
                {
                    yield return ApplicationRead.Verbose(api.DescribeGet(name));
                    foreach (var read in Map(() => new[] { api.Get(name, cancellationToken).GetAwaiter().GetResult() }, api.Origin, name).Reads)
                    {
                        yield return read;
                    }
                }

                yield break;
            }

            yield return ApplicationRead.Verbose(api.DescribeList);
            var listed = Map(() => api.List(cancellationToken).GetAwaiter().GetResult(), api.Origin, api.ListTarget);
            foreach (var read in listed.Reads)
            {
                yield return read;
            }

            if (!listed.Failed)
            {
                var found = listed.Reads.Where(r => r.Kind == ApplicationReadKind.Application).Select(r => r.Application!).ToList();
                foreach (var warning in Explain(api.Where, listed.Count, found))
                {
                    yield return warning;
                }
            }
        }

        private (List<ApplicationRead> Reads, bool Failed, int Count) Map(Func<IReadOnlyList<JsonElement>> call, string origin, string target)
        {
            var reads = new List<ApplicationRead>();
            IReadOnlyList<JsonElement> items;
            try
            {
                items = call();
            }
            catch (ImageUpdaterException ex)
            {
                reads.Add(ApplicationRead.Failed(ex, target));
                return (reads, true, 0);
            }

            var failed = false;
            foreach (var item in items)
            {
                try
                {
                    var app = ApplicationMapper.FromJson(item, origin);
                    if (Matches(app))
                    {
                        reads.Add(ApplicationRead.Found(app));
                    }
                }
                catch (ImageUpdaterException ex)
                {
                    failed = true;
                    reads.Add(ApplicationRead.Failed(ex, target));
                }
            }

            return (reads, failed, items.Count);
        }

        private static string Quote(IEnumerable<string> values) => string.Join(", ", values.Select(v => "'" + v + "'"));
    }
}
