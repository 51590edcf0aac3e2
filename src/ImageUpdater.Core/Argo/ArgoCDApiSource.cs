using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace ImageUpdater.Core.Argo
{
    /// <summary>Applications from the Argo CD REST API: projects, selector and app namespace are filtered by the server.</summary>
    public sealed class ArgoCDApiSource : IApplicationSource
    {
        private readonly ArgoCDClient client;

        /// <param name="client">The client; the source disposes it.</param>
        public ArgoCDApiSource(ArgoCDClient client)
        {
            this.client = client;
        }

        public IEnumerable<ApplicationRead> Read(ApplicationQuery query, CancellationToken cancellationToken = default)
        {
            var server = client.Connection.Server;
            var project = query.SingleProject;
            var filters = new List<string>();
            if (query.Projects is { Count: > 0 })
            {
                filters.Add("projects=" + string.Join(",", query.Projects));
            }

            if (query.Selector is not null)
            {
                filters.Add("selector=" + query.Selector);
            }

            if (query.AppNamespace is not null)
            {
                filters.Add("appNamespace=" + query.AppNamespace);
            }

            var api = new ApplicationApi(
                client.Origin,
                (name, ct) => client.GetApplicationAsync(name, query.AppNamespace, project, ct),
                ct => client.ListApplicationsAsync(query.Projects, query.Selector, query.AppNamespace, ct),
                name => $"GET {server}api/v1/applications/{name}" + (project is null ? string.Empty : " in project " + project),
                $"GET {server}api/v1/applications" + (filters.Count == 0 ? "." : " (" + string.Join(", ", filters) + ")."),
                server.ToString(),
                $"at {server}" + (query.AppNamespace is null ? string.Empty : " in namespace '" + query.AppNamespace + "'"));
            return query.Fetch(api, cancellationToken);
        }

        public void Dispose() => client.Dispose();
    }
}
