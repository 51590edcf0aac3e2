using System;
using System.Net;
using ImageUpdater.Core.Security;
using ImageUpdater.Core.WriteBack.Git;

namespace ImageUpdater.Core.WriteBack.Hosts
{
    /// <summary>
    /// The operator's Git host configuration (-GitHost, -GitHostUrl, -GitHostToken, -PullRequest): which host API serves a
    /// repository and which token goes there. A token goes only where the operator sent it: -GitHostToken to -GitHostUrl (or,
    /// without one, to the public API of the service -GitHost names); a git credential or GitHub App only to the API of the
    /// host it is already bound to. A repository URL from a manifest never chooses where a token goes.
    /// </summary>
    public sealed class GitHostSettings
    {
        /// <summary>The host kind; null = recognised from the repository URL (-GitHost Auto).</summary>
        public GitHostKind? Kind { get; set; }

        /// <summary>The API base of a self-hosted server (GitHub Enterprise https://host/api/v3, GitLab https://host/api/v4, Azure DevOps Server https://host/collection).</summary>
        public Uri? ApiUrl { get; set; }

        /// <summary>-GitHostToken: a PAT, project access token, Azure DevOps PAT or Entra ID bearer token (the password of the credential).</summary>
        public NetworkCredential? Token { get; set; }

        /// <summary>-PullRequest: every git write to a branch other than its base opens or updates a pull request.</summary>
        public bool PullRequest { get; set; }

        /// <summary>Title and body templates (<see cref="PullRequestText"/>); null = the defaults.</summary>
        public string? PullRequestTitle { get; set; }

        public string? PullRequestBody { get; set; }

        /// <summary>-GitHost's values: Auto (null) or a <see cref="GitHostKind"/> name.</summary>
        public static GitHostKind? ParseKind(string? text) =>
            string.IsNullOrWhiteSpace(text) || string.Equals(text, "Auto", StringComparison.OrdinalIgnoreCase) ? null
            : (GitHostKind)Enum.Parse(typeof(GitHostKind), text!, ignoreCase: true);

        /// <summary>The public API of each service: where -GitHostToken may go without -GitHostUrl.</summary>
        public static Uri PublicApi(GitHostKind kind) => new Uri(kind switch
        {
            GitHostKind.GitHub => "https://api.github.com/",
            GitHostKind.GitLab => "https://gitlab.com/api/v4/",
            _ => "https://dev.azure.com/",
        });

        /// <summary>
        /// The API and token for <paramref name="repositoryUrl"/>, given the git credentials chosen for it (<see cref="GitCredentials.For"/>,
        /// a GitHub App already in them). Token order: -GitHostToken, the GitHub App, the HTTPS git credential's password.
        /// Throws <see cref="ImageUpdaterException"/> (GitHostUnknown, GitHostTokenNotBound, GitHostTokenRequired) naming the repository.
        /// </summary>
        public GitHostAccess Resolve(string repositoryUrl, GitCredentials credentials, GitWriteBackOptions options, bool credentialFromUrl = false)
        {
            var shown = UrlRedaction.Redact(repositoryUrl) ?? repositoryUrl;
            var app = credentials.GitHubApp;
            var appApi = app is null ? null : (string.IsNullOrWhiteSpace(app.EnterpriseBaseUrl) ? GitHubAppToken.DefaultApi : app.EnterpriseBaseUrl!.Trim());
            GitHostEndpoint endpoint;
            try
            {
                var kind = Kind;
                var api = ApiUrl?.AbsoluteUri;
                if (Token is null && api is null && app is not null && (kind ?? KindOf(repositoryUrl)) is null or GitHostKind.GitHub)
                {
                    // A GitHub App names its own API (githubAppEnterpriseBaseUrl): the pull request goes there.
                    kind = GitHostKind.GitHub;
                    api = appApi;
                }

                endpoint = GitHostEndpoint.Recognise(repositoryUrl, kind, api);
            }
            catch (ArgumentException e)
            {
                throw new ImageUpdaterException("GitHostUnknown", FailureKind.InvalidArgument, $"Cannot open a pull request for {shown}: {e.Message} (-GitHost, -GitHostUrl).", repositoryUrl, e);
            }

            var apiText = endpoint.ApiBase.AbsoluteUri;
            if (Token is not null)
            {
                var bound = ApiUrl ?? (Kind is GitHostKind k ? PublicApi(k) : null);
                var problem = bound is null
                    ? "-GitHostToken is sent only to -GitHostUrl, or to the public API of the service -GitHost names; with -GitHost Auto and no -GitHostUrl the repository URL would choose where it goes"
                    : new CredentialScope(new[] { bound.AbsoluteUri }, credentials.AllowHttp).Problem(apiText);
                if (problem is not null)
                {
                    throw NotBound(shown, repositoryUrl, apiText, problem);
                }

                return new GitHostAccess(endpoint, new StaticGitHostToken(Token.Password), "-GitHostToken");
            }

            if (app is not null && endpoint.Kind == GitHostKind.GitHub)
            {
                if (new CredentialScope(new[] { appApi! }, credentials.AllowHttp).Problem(apiText) is { } problem)
                {
                    throw NotBound(shown, repositoryUrl, apiText, $"the GitHub App's token is sent only to its own API ({appApi}): {problem}");
                }

                return new GitHostAccess(endpoint, new AppToken(app, options, repositoryUrl), app.ToString());
            }

            if (credentials.Https is { } https && !credentialFromUrl && !string.IsNullOrEmpty(https.Password))
            {
                // The git credential is bound to the repository's host already; its API lives on that host (api.github.com for github.com).
                var home = ApiUrl?.AbsoluteUri ?? HomeApi(repositoryUrl);
                var problem = home is null
                    ? $"the git credential is bound to the repository's host, and {apiText} is another host; set -GitHostUrl or -GitHostToken"
                    : new CredentialScope(new[] { home }, credentials.AllowHttp).Problem(apiText);
                if (problem is not null)
                {
                    throw NotBound(shown, repositoryUrl, apiText, problem);
                }

                return new GitHostAccess(endpoint, new StaticGitHostToken(https.Password), "the git credential (" + (credentials.Source ?? "password") + ")");
            }

            throw new ImageUpdaterException(
                "GitHostTokenRequired",
                FailureKind.AuthenticationError,
                $"Opening a pull request on {shown} needs a {endpoint.Kind} token with {PullRequestHost.WritePermission(endpoint.Kind)}: pass -GitHostToken, an HTTPS -GitCredential (its password is the token), a git:secret: or repository secret with a password, or a GitHub App.",
                repositoryUrl);
        }

        /// <summary>The host the repository URL names, as an https prefix, with GitHub's API host for github.com; null when it names none.</summary>
        private static string? HomeApi(string repositoryUrl)
        {
            if (!Uri.TryCreate(repositoryUrl.Trim(), UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host) || !RepositoryUrl.IsHttp(repositoryUrl.Trim()))
            {
                return null;
            }

            return uri.Host.Equals("github.com", StringComparison.OrdinalIgnoreCase) ? "https://api.github.com" : uri.GetLeftPart(UriPartial.Authority);
        }

        private static GitHostKind? KindOf(string repositoryUrl)
        {
            try
            {
                return GitHostEndpoint.Recognise(repositoryUrl).Kind;
            }
            catch (ArgumentException)
            {
                return null;
            }
        }

        private static ImageUpdaterException NotBound(string shown, string repositoryUrl, string api, string problem) =>
            new ImageUpdaterException("GitHostTokenNotBound", FailureKind.SecurityError, $"No token is sent to {UrlRedaction.Redact(api)} for {shown}: {problem}. Set -GitHostUrl to the API the token is for (and -GitHost to its kind).", repositoryUrl);

        /// <summary>A GitHub App's installation token, fetched (or taken from the cache) when a call needs it.</summary>
        private sealed class AppToken : IGitHostToken
        {
            private readonly GitHubAppCredential app;
            private readonly GitWriteBackOptions options;
            private readonly string url;

            public AppToken(GitHubAppCredential app, GitWriteBackOptions options, string url)
            {
                this.app = app;
                this.options = options;
                this.url = url;
            }

            public System.Threading.Tasks.Task<string> GetAsync(System.Threading.CancellationToken cancellationToken) =>
                System.Threading.Tasks.Task.FromResult(GitHubAppToken.Credential(app, options, url).Password);
        }
    }

    /// <summary>A repository's host API and the token the operator allowed to go there.</summary>
    public sealed class GitHostAccess
    {
        public GitHostAccess(GitHostEndpoint endpoint, IGitHostToken token, string tokenSource)
        {
            Endpoint = endpoint;
            Token = token;
            TokenSource = tokenSource;
        }

        public GitHostEndpoint Endpoint { get; }

        public IGitHostToken Token { get; }

        /// <summary>Where the token came from (named in messages; never the token).</summary>
        public string TokenSource { get; }
    }
}
