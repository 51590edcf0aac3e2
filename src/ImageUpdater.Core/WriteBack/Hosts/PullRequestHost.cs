using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ImageUpdater.Core.WriteBack.Hosts
{
    /// <summary>
    /// Opens a pull/merge request from the write branch into the base branch, or updates the open one for the same
    /// branches (title, body) so a second run never duplicates; closed or merged requests are left alone and a new one opened.
    /// Runs after the git push of <see cref="GitWriteBack"/>.
    /// </summary>
    public sealed class PullRequestHost
    {
        private const int PageSize = 100;

        // Bounded paging: a branch pair has one open request; more pages than this means the filter was ignored.
        private const int MaxPages = 20;

        private readonly GitHostApi api;

        public PullRequestHost(GitHostApi api)
        {
            this.api = api;
        }

        /// <summary>The permission each host asks of a token to open and edit requests, for messages and help.</summary>
        public static string WritePermission(GitHostKind kind) => kind switch
        {
            GitHostKind.GitHub => "pull_requests: write (fine-grained) or the repo scope (classic)",
            GitHostKind.GitLab => "the api scope and at least the Developer role",
            _ => "the Code (Read & write) scope and 'Contribute to pull requests'",
        };

        private static string ReadPermission(GitHostKind kind) => kind switch
        {
            GitHostKind.GitHub => "pull_requests: read",
            GitHostKind.GitLab => "the read_api scope",
            _ => "the Code (Read) scope",
        };

        /// <summary>
        /// Before the push: the token may read the repository's requests and, where the host says what it may do (GitHub
        /// <c>permissions.push</c>, GitLab's access level), write them. Azure DevOps tells only when a request is created.
        /// Returns the number of the open request for the branch pair, or null.
        /// </summary>
        public async Task<int?> PreflightAsync(PullRequestRequest request, CancellationToken cancellationToken)
        {
            var kind = api.Endpoint.Kind;
            var write = WritePermission(kind);
            if (kind != GitHostKind.AzureDevOps)
            {
                var (json, _) = await api.SendAsync(HttpMethod.Get, Repo(), null, ReadPermission(kind), cancellationToken).ConfigureAwait(false);
                if (!MayWrite(kind, json))
                {
                    throw new GitHostApiException($"{kind} says the token may read but not change {api.Endpoint.Repository}. The token lacks {write}.", 403, write);
                }
            }

            return await FindOpenAsync(request, cancellationToken).ConfigureAwait(false);
        }

        // Absent fields (a GitHub App's token, an older GitLab) leave the answer to the write itself.
        private static bool MayWrite(GitHostKind kind, JsonElement repository)
        {
            if (repository.ValueKind != JsonValueKind.Object || !repository.TryGetProperty("permissions", out var permissions) || permissions.ValueKind != JsonValueKind.Object)
            {
                return true;
            }

            if (kind == GitHostKind.GitHub)
            {
                return !permissions.TryGetProperty("push", out var push) || push.ValueKind != JsonValueKind.False;
            }

            var level = -1;
            foreach (var name in new[] { "project_access", "group_access" })
            {
                if (permissions.TryGetProperty(name, out var access) && access.ValueKind == JsonValueKind.Object && access.TryGetProperty("access_level", out var l) && l.TryGetInt32(out var n))
                {
                    level = Math.Max(level, n);
                }
            }

            // 30 is Developer, the least role that may push a branch and open a merge request.
            return level < 0 || level >= 30;
        }

        public async Task<PullRequestOutcome> OpenOrUpdateAsync(PullRequestRequest request, CancellationToken cancellationToken)
        {
            if (string.Equals(request.Head, request.Base, StringComparison.Ordinal))
            {
                throw new ArgumentException($"A pull request needs a write branch other than the base branch '{request.Base}' (git.branch base:write).");
            }

            var kind = api.Endpoint.Kind;
            var existing = await FindOpenAsync(request, cancellationToken).ConfigureAwait(false);
            var write = WritePermission(kind);
            JsonElement json;
            if (existing is int number)
            {
                (json, _) = kind switch
                {
                    GitHostKind.GitHub => await api.SendAsync(new HttpMethod("PATCH"), Repo() + "/pulls/" + number, new Dictionary<string, string> { ["title"] = request.Title, ["body"] = request.Body }, write, cancellationToken).ConfigureAwait(false),
                    GitHostKind.GitLab => await api.SendAsync(HttpMethod.Put, Repo() + "/merge_requests/" + number, new Dictionary<string, string> { ["title"] = request.Title, ["description"] = request.Body }, write, cancellationToken).ConfigureAwait(false),
                    _ => await api.SendAsync(new HttpMethod("PATCH"), Repo() + "/pullrequests/" + number + "?api-version=7.1", new Dictionary<string, string> { ["title"] = request.Title, ["description"] = request.Body }, write, cancellationToken).ConfigureAwait(false),
                };
                return new PullRequestOutcome(kind, false, number, WebUrl(json));
            }

            (json, _) = kind switch
            {
                GitHostKind.GitHub => await api.SendAsync(HttpMethod.Post, Repo() + "/pulls", new Dictionary<string, string> { ["title"] = request.Title, ["head"] = request.Head, ["base"] = request.Base, ["body"] = request.Body }, write, cancellationToken).ConfigureAwait(false),
                GitHostKind.GitLab => await api.SendAsync(HttpMethod.Post, Repo() + "/merge_requests", new Dictionary<string, string> { ["source_branch"] = request.Head, ["target_branch"] = request.Base, ["title"] = request.Title, ["description"] = request.Body }, write, cancellationToken).ConfigureAwait(false),
                _ => await api.SendAsync(HttpMethod.Post, Repo() + "/pullrequests?api-version=7.1", new Dictionary<string, string> { ["sourceRefName"] = "refs/heads/" + request.Head, ["targetRefName"] = "refs/heads/" + request.Base, ["title"] = request.Title, ["description"] = request.Body }, write, cancellationToken).ConfigureAwait(false),
            };
            return new PullRequestOutcome(kind, true, Number(json), WebUrl(json));
        }

        /// <summary>The number of the open request from head into base, following the host's pagination; null when none.</summary>
        private async Task<int?> FindOpenAsync(PullRequestRequest request, CancellationToken cancellationToken)
        {
            var kind = api.Endpoint.Kind;
            for (var page = 1; page <= MaxPages; page++)
            {
                var relative = kind switch
                {
                    GitHostKind.GitHub => Repo() + "/pulls?state=open&head=" + Uri.EscapeDataString(Owner() + ":" + request.Head) + "&base=" + Uri.EscapeDataString(request.Base) + "&per_page=" + PageSize + "&page=" + page,
                    GitHostKind.GitLab => Repo() + "/merge_requests?state=opened&source_branch=" + Uri.EscapeDataString(request.Head) + "&target_branch=" + Uri.EscapeDataString(request.Base) + "&per_page=" + PageSize + "&page=" + page,
                    _ => Repo() + "/pullrequests?searchCriteria.status=active&searchCriteria.sourceRefName=" + Uri.EscapeDataString("refs/heads/" + request.Head) + "&searchCriteria.targetRefName=" + Uri.EscapeDataString("refs/heads/" + request.Base) + "&$top=" + PageSize + "&$skip=" + ((page - 1) * PageSize) + "&api-version=7.1",
                };
                var (json, headers) = await api.SendAsync(HttpMethod.Get, relative, null, ReadPermission(kind), cancellationToken).ConfigureAwait(false);
                var items = kind == GitHostKind.AzureDevOps && json.ValueKind == JsonValueKind.Object && json.TryGetProperty("value", out var value) ? value : json;
                if (items.ValueKind != JsonValueKind.Array)
                {
                    throw new GitHostApiException($"{kind} answered a pull request listing on {api.Endpoint.Repository} with no list.", 200, null);
                }

                var count = 0;
                foreach (var item in items.EnumerateArray())
                {
                    count++;
                    if (Matches(kind, item, request))
                    {
                        return Number(item);
                    }
                }

                var more = kind switch
                {
                    GitHostKind.GitHub => headers.TryGetValues("Link", out var link) && string.Join(",", link).IndexOf("rel=\"next\"", StringComparison.Ordinal) >= 0,
                    GitHostKind.GitLab => headers.TryGetValues("x-next-page", out var next) && !string.IsNullOrEmpty(string.Join(string.Empty, next)),
                    _ => count == PageSize,
                };
                if (!more)
                {
                    return null;
                }
            }

            return null;
        }

        // Checked again here: a host that ignores a filter must not make us edit another branch's request.
        private static bool Matches(GitHostKind kind, JsonElement item, PullRequestRequest request) => kind switch
        {
            GitHostKind.GitHub => Text(item, "state") == "open" && item.TryGetProperty("head", out var h) && Text(h, "ref") == request.Head && item.TryGetProperty("base", out var b) && Text(b, "ref") == request.Base,
            GitHostKind.GitLab => Text(item, "state") == "opened" && Text(item, "source_branch") == request.Head && Text(item, "target_branch") == request.Base,
            _ => Text(item, "status") == "active" && Text(item, "sourceRefName") == "refs/heads/" + request.Head && Text(item, "targetRefName") == "refs/heads/" + request.Base,
        };

        private static string? Text(JsonElement item, string name) => item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        private int Number(JsonElement item)
        {
            var name = api.Endpoint.Kind switch { GitHostKind.GitHub => "number", GitHostKind.GitLab => "iid", _ => "pullRequestId" };
            return item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out var v) && v.TryGetInt32(out var n) ? n : 0;
        }

        private string? WebUrl(JsonElement item) => Text(item, api.Endpoint.Kind switch { GitHostKind.GitHub => "html_url", GitHostKind.GitLab => "web_url", _ => "url" });

        private string Owner() => api.Endpoint.Repository.Split('/')[0];

        private string Repo()
        {
            var repository = api.Endpoint.Repository;
            switch (api.Endpoint.Kind)
            {
                case GitHostKind.GitHub:
                    return "repos/" + repository;
                case GitHostKind.GitLab:
                    return "projects/" + Uri.EscapeDataString(repository);
                default:
                    var parts = repository.Split('/');
                    return Uri.EscapeDataString(parts[0]) + "/" + Uri.EscapeDataString(parts[1]) + "/_apis/git/repositories/" + Uri.EscapeDataString(parts[2]);
            }
        }
    }
}
