using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace ImageUpdater.Core.WriteBack.Hosts
{
    /// <summary>
    /// GitLab's repository API: branches, tree (paged), files (base64 with the file's last_commit_id) and POST repository/commits with
    /// actions. GitLab has no ref compare-and-swap: each update carries its file's last_commit_id (a file changed since → 400) and a new
    /// branch starts at start_sha (a branch created meanwhile → 400); a change to other files lands under ours, as a rebase would.
    /// </summary>
    internal sealed class GitLabCommitApi : HostCommitApi
    {
        private readonly Dictionary<string, string?> lastCommits = new Dictionary<string, string?>(StringComparer.Ordinal);

        public GitLabCommitApi(GitHostApi api)
            : base(api)
        {
        }

        public override string WritePermission => "the Developer role (or push rights on the branch) and a token with the api scope";

        public override string ReadPermission => "the Reporter role and a token with the read_api scope";

        private string Project => "projects/" + Uri.EscapeDataString(Api.Endpoint.Repository);

        public override async Task<string> DefaultBranchAsync(CancellationToken cancellationToken)
        {
            var (json, _) = await Api.SendAsync(HttpMethod.Get, Project, null, ReadPermission, cancellationToken).ConfigureAwait(false);
            return json.GetProperty("default_branch").GetString()!;
        }

        public override async Task<string?> HeadAsync(string branch, CancellationToken cancellationToken)
        {
            try
            {
                var (json, _) = await Api.SendAsync(HttpMethod.Get, Project + "/repository/branches/" + Uri.EscapeDataString(branch), null, ReadPermission, cancellationToken).ConfigureAwait(false);
                return json.GetProperty("commit").GetProperty("id").GetString();
            }
            catch (GitHostApiException e) when (e.Status == 404 && Says(e, "Branch Not Found"))
            {
                return null;
            }
        }

        public override async Task<IReadOnlyList<HostEntry>?> ListAsync(string commit, string directory, CancellationToken cancellationToken)
        {
            var entries = new List<HostEntry>();
            for (var page = "1"; page.Length > 0;)
            {
                var query = "?ref=" + commit + "&per_page=100&page=" + page + (directory.Length == 0 ? string.Empty : "&path=" + Uri.EscapeDataString(directory));
                try
                {
                    var (json, headers) = await Api.SendAsync(HttpMethod.Get, Project + "/repository/tree" + query, null, ReadPermission, cancellationToken).ConfigureAwait(false);
                    foreach (var e in json.EnumerateArray())
                    {
                        var mode = e.GetProperty("mode").GetString();
                        var kind = mode == "120000" ? HostEntryKind.Link : e.GetProperty("type").GetString() switch { "blob" => HostEntryKind.File, "tree" => HostEntryKind.Directory, _ => HostEntryKind.Other };
                        entries.Add(new HostEntry(e.GetProperty("name").GetString()!, kind, e.GetProperty("id").GetString()!, mode));
                    }

                    page = headers.TryGetValues("x-next-page", out var next) ? next.FirstOrDefault() ?? string.Empty : string.Empty;
                }
                catch (GitHostApiException e) when (e.Status == 404 && Says(e, "Tree Not Found"))
                {
                    return null;
                }
            }

            // git stores no empty folder: an empty listing of a path is no folder.
            return entries.Count == 0 && directory.Length > 0 ? null : entries;
        }

        public override async Task<byte[]> ReadAsync(string commit, string path, HostEntry entry, CancellationToken cancellationToken)
        {
            var (json, _) = await Api.SendAsync(HttpMethod.Get, Project + "/repository/files/" + Uri.EscapeDataString(path) + "?ref=" + commit, null, ReadPermission, cancellationToken).ConfigureAwait(false);
            lastCommits[commit + ":" + path] = json.TryGetProperty("last_commit_id", out var last) ? last.GetString() : null;
            return Convert.FromBase64String(json.GetProperty("content").GetString()!);
        }

        public override async Task<string?> CommitAsync(HostCommit commit, CancellationToken cancellationToken)
        {
            var actions = commit.Changes.Select(c =>
            {
                var action = new Dictionary<string, object?> { ["action"] = c.Existing is null ? "create" : "update", ["file_path"] = c.Path, ["content"] = Convert.ToBase64String(c.Content), ["encoding"] = "base64" };
                if (c.Existing is not null && lastCommits.TryGetValue(commit.Parent + ":" + c.Path, out var last) && last is not null)
                {
                    action["last_commit_id"] = last;
                }

                return action;
            }).ToList();
            var body = new Dictionary<string, object?>
            {
                ["branch"] = commit.Branch,
                ["commit_message"] = commit.Message,
                ["author_name"] = commit.AuthorName,
                ["author_email"] = commit.AuthorEmail,
                ["actions"] = actions,
            };
            if (commit.NewBranch)
            {
                body["start_sha"] = commit.Parent;
            }

            try
            {
                var (json, _) = await Api.SendAsync(HttpMethod.Post, Project + "/repository/commits", body, WritePermission, cancellationToken).ConfigureAwait(false);
                return json.GetProperty("id").GetString();
            }
            catch (GitHostApiException e) when ((e.Status == 400 || e.Status == 409) && Says(e, "changed since", "already exists", "doesn't exist", "refresh and try again"))
            {
                return null;
            }
        }
    }
}
