using System;
using System.Collections.Generic;
using System.Threading;

namespace ImageUpdater.Core.Argo
{
    /// <summary>
    /// Where Applications come from: manifest files, the Argo CD API or the Kubernetes API. Synchronous, because cmdlets
    /// consume it on the pipeline thread (an IAsyncEnumerable would add a package to the net472 build).
    /// </summary>
    public interface IApplicationSource : IDisposable
    {
        /// <summary>The Applications the query selects, with errors, warnings and verbose lines in the order they happen.</summary>
        IEnumerable<ApplicationRead> Read(ApplicationQuery query, CancellationToken cancellationToken = default);
    }
}
