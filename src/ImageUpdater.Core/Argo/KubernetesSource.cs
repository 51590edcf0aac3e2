using System.Collections.Generic;
using System.Threading;

namespace ImageUpdater.Core.Argo
{
    /// <summary>Applications from the Kubernetes API (the namespace and selector are the server's; projects are filtered here).</summary>
    public sealed class KubernetesSource : IApplicationSource
    {
        private readonly KubernetesApplicationReader reader;

        /// <param name="reader">The reader; the source disposes it.</param>
        public KubernetesSource(KubernetesApplicationReader reader)
        {
            this.reader = reader;
        }

        public IEnumerable<ApplicationRead> Read(ApplicationQuery query, CancellationToken cancellationToken = default)
        {
            var ns = query.Namespace;
            var api = new ApplicationApi(
                reader.Origin,
                (name, ct) => reader.GetAsync(ns, name, ct),
                ct => reader.ListAsync(ns, query.Selector, ct),
                name => $"GET application {ns}/{name} from the Kubernetes API at {reader.Origin}.",
                $"LIST applications in namespace {ns} from the Kubernetes API at {reader.Origin}" + (query.Selector is null ? "." : " (labelSelector=" + query.Selector + ")."),
                ns,
                $"in namespace '{ns}' at {reader.Origin}");
            return query.Fetch(api, cancellationToken);
        }

        public void Dispose() => reader.Dispose();
    }
}
