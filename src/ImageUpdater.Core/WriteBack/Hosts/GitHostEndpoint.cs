using System;
using System.Linq;
using ImageUpdater.Core.Security;

namespace ImageUpdater.Core.WriteBack.Hosts
{
    /// <summary>The Git hosts whose APIs open pull requests.</summary>
    public enum GitHostKind
    {
        GitHub,
        GitLab,
        AzureDevOps,
    }

    /// <summary>
    /// Where a repository's host API lives: the kind, the API base and the repository as the API names it
    /// (owner/name, group/project, or organization/project/repository). Recognised from the clone URL unless set explicitly.
    /// </summary>
    public sealed class GitHostEndpoint
    {
        public GitHostEndpoint(GitHostKind kind, Uri apiBase, string repository)
        {
            Kind = kind;
            ApiBase = new Uri(apiBase.AbsoluteUri.TrimEnd('/') + "/");
            Repository = repository;
        }

        public GitHostKind Kind { get; }

        /// <summary>Ends in '/': https://api.github.com/, https://ghe.example/api/v3/, https://gitlab.com/api/v4/, https://dev.azure.com/.</summary>
        public Uri ApiBase { get; }

        /// <summary>owner/name (GitHub), group/sub/project (GitLab), organization/project/repository (Azure DevOps).</summary>
        public string Repository { get; }

        /// <summary>
        /// The endpoint for <paramref name="repositoryUrl"/> (https or scp-like ssh). <paramref name="kind"/> and <paramref name="apiBase"/>
        /// override recognition for self-hosted servers; the API base defaults to the host's public one.
        /// </summary>
        public static GitHostEndpoint Recognise(string repositoryUrl, GitHostKind? kind = null, string? apiBase = null)
        {
            var (host, path) = Split(repositoryUrl);
            var recognised = kind ?? KindOf(host)
                ?? throw new ArgumentException($"Cannot tell the Git host of repository '{Shown(repositoryUrl)}'; set the host kind (GitHub, GitLab or AzureDevOps) and its API base URL.");
            path = path.Trim('/');
            if (path.EndsWith(".git", StringComparison.OrdinalIgnoreCase))
            {
                path = path.Substring(0, path.Length - 4);
            }

            string repository;
            if (recognised == GitHostKind.AzureDevOps)
            {
                // https://dev.azure.com/org/project/_git/repo, ssh v3/org/project/repo, or a server's collection/project/_git/repo.
                var parts = path.Replace("/_git/", "/").Split('/');
                if (parts.Length >= 1 && parts[0] == "v3")
                {
                    parts = parts.Skip(1).ToArray();
                }

                if (parts.Length < 3)
                {
                    throw new ArgumentException($"Repository '{Shown(repositoryUrl)}' is not an Azure DevOps organization/project/_git/repository URL.");
                }

                repository = string.Join("/", parts[parts.Length - 3], parts[parts.Length - 2], parts[parts.Length - 1]);
                if (apiBase is null && parts.Length > 3)
                {
                    apiBase = "https://" + host + "/" + string.Join("/", parts, 0, parts.Length - 3);
                }
            }
            else
            {
                if (path.IndexOf('/') < 0)
                {
                    throw new ArgumentException($"Repository '{Shown(repositoryUrl)}' names no owner/repository path.");
                }

                repository = path;
            }

            var api = apiBase ?? DefaultApi(recognised, host);
            if (!Uri.TryCreate(api, UriKind.Absolute, out var apiUri) || (apiUri.Scheme != "https" && apiUri.Scheme != "http"))
            {
                throw new ArgumentException($"Git host API base URL '{Shown(api)}' is not an http(s) URL.");
            }

            return new GitHostEndpoint(recognised, apiUri, repository);
        }

        private static string Shown(string url) => UrlRedaction.Redact(url) ?? string.Empty;

        private static GitHostKind? KindOf(string host)
        {
            host = host.ToLowerInvariant();
            if (host == "github.com" || host == "ssh.github.com")
            {
                return GitHostKind.GitHub;
            }

            if (host == "gitlab.com")
            {
                return GitHostKind.GitLab;
            }

            if (host == "dev.azure.com" || host == "ssh.dev.azure.com" || host == "vs-ssh.visualstudio.com" || host.EndsWith(".visualstudio.com", StringComparison.Ordinal))
            {
                return GitHostKind.AzureDevOps;
            }

            return null;
        }

        private static string DefaultApi(GitHostKind kind, string host) => kind switch
        {
            GitHostKind.GitHub => host.Equals("github.com", StringComparison.OrdinalIgnoreCase) || host.Equals("ssh.github.com", StringComparison.OrdinalIgnoreCase) ? "https://api.github.com/" : "https://" + host + "/api/v3/",
            GitHostKind.GitLab => "https://" + host + "/api/v4/",
            _ => "https://dev.azure.com/",
        };

        private static (string Host, string Path) Split(string url)
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Host))
            {
                return (uri.Host, Uri.UnescapeDataString(uri.AbsolutePath));
            }

            // scp-like: git@github.com:owner/name.git
            var at = url.IndexOf('@');
            var colon = url.IndexOf(':', at + 1);
            if (colon > 0)
            {
                return (url.Substring(at + 1, colon - at - 1), url.Substring(colon + 1));
            }

            throw new ArgumentException($"Repository '{Shown(url)}' is not a URL.");
        }
    }
}
