using System;
using System.Net.Http;
using ImageUpdater.Core.Http;

namespace ImageUpdater.Core.WriteBack.Hosts
{
    /// <summary>
    /// The host API write-back transport (-WriteBackTransport HostApi): commits without a clone. Which API and token serve a repository
    /// is <see cref="GitHostSettings.Resolve"/>'s rule (the operator's host, never one a manifest names); this holds the HTTP client.
    /// </summary>
    public sealed class HostCommitSettings
    {
        /// <param name="client">Null: one built on the shared <see cref="RetryHandler"/>, so rate-limit answers are retried.</param>
        public HostCommitSettings(HttpClient? client = null, TimeSpan? budget = null)
        {
            Client = client ?? new HttpClient(new RetryHandler(new RetryPolicy { Budget = budget ?? TimeSpan.FromSeconds(60) }, new HttpClientHandler())) { Timeout = TimeSpan.FromSeconds(100) };
        }

        public HttpClient Client { get; }

        /// <summary>-WriteBackTransport's values: Git (a clone and a push; null) or HostApi (these settings).</summary>
        public static HostCommitSettings? For(string? transport, TimeSpan budget) =>
            string.Equals(transport, "HostApi", StringComparison.OrdinalIgnoreCase) ? new HostCommitSettings(null, budget) : null;
    }
}
