using System;
using System.Net.Http;
using ImageUpdater.Core.Security;

namespace ImageUpdater.Core.WriteBack.Hosts
{
    /// <summary>
    /// The operator's host API for commits without a clone: the token, and optionally the host kind and API base. The token is bound to
    /// that host: a repository URL from a manifest picks the repository on it, never where the token goes.
    /// </summary>
    public sealed class HostCommitSettings
    {
        private static readonly string[] PublicApis = { "api.github.com", "gitlab.com", "dev.azure.com" };

        public HostCommitSettings(IGitHostToken token, HttpClient client, GitHostKind? kind = null, string? apiBase = null)
        {
            Token = token;
            Client = client;
            Kind = kind;
            ApiBase = apiBase;
        }

        public IGitHostToken Token { get; }

        /// <summary>Built on the shared <see cref="Http.RetryHandler"/>: rate-limit answers are retried there.</summary>
        public HttpClient Client { get; }

        public GitHostKind? Kind { get; }

        /// <summary>The operator's API base (GitHub Enterprise, self-hosted GitLab, Azure DevOps Server); null for the public hosts.</summary>
        public string? ApiBase { get; }

        /// <summary>
        /// The API endpoint of <paramref name="repositoryUrl"/>, or an error when the token must not go there: without an API base only
        /// github.com, gitlab.com and dev.azure.com; with one, only repositories on its host; http only on loopback.
        /// </summary>
        public GitHostEndpoint EndpointFor(string repositoryUrl)
        {
            GitHostEndpoint endpoint;
            try
            {
                endpoint = GitHostEndpoint.Recognise(repositoryUrl, Kind, ApiBase);
            }
            catch (ArgumentException e)
            {
                throw new ImageUpdaterException("GitHostUnknown", FailureKind.InvalidArgument, e.Message + " Commits through the host API need a repository on the configured host (-GitHost, -GitHostUrl).", repositoryUrl, e);
            }

            var api = endpoint.ApiBase;
            var repositoryHost = Host(repositoryUrl);
            var bound = ApiBase is null
                ? Array.IndexOf(PublicApis, api.Host.ToLowerInvariant()) >= 0
                : string.Equals(api.Host, repositoryHost, StringComparison.OrdinalIgnoreCase)
                  || (api.Host.Equals("api.github.com", StringComparison.OrdinalIgnoreCase) && string.Equals(repositoryHost, "github.com", StringComparison.OrdinalIgnoreCase));
            if (!bound)
            {
                throw new ImageUpdaterException("GitCredentialNotBound", FailureKind.SecurityError, $"Repository '{UrlRedaction.Redact(repositoryUrl)}' is not on the Git host the host API token is configured for ({api.Host}); the token is not sent. Set -GitHostUrl to that host's API base, or write back to this repository with -WriteBackTransport Git.", repositoryUrl);
            }

            if (api.Scheme != Uri.UriSchemeHttps && !api.IsLoopback)
            {
                throw new ImageUpdaterException("GitCredentialNotBound", FailureKind.SecurityError, $"The Git host API base '{UrlRedaction.Redact(api.AbsoluteUri)}' is not https; the token is only sent over https (or to this machine).", repositoryUrl);
            }

            return endpoint;
        }

        private static string? Host(string url)
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Host))
            {
                return uri.Host;
            }

            var at = url.IndexOf('@');
            var colon = url.IndexOf(':', at + 1);
            return colon > 0 ? url.Substring(at + 1, colon - at - 1) : null;
        }
    }
}
