using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ImageUpdater.Core.WriteBack.Hosts
{
    /// <summary>
    /// GitHub's Git data API: GET git/ref, git/commits, git/trees, git/blobs; POST git/blobs, git/trees (base_tree), git/commits; the
    /// branch moves by PATCH git/refs without force (a fast-forward only: 422 "not a fast forward" when it moved) or POST git/refs for a
    /// new branch. Author given, committer left to GitHub, which signs the commit.
    /// </summary>
    internal sealed class GitHubCommitApi : HostCommitApi
    {
        private readonly Dictionary<string, string> treeOfCommit = new Dictionary<string, string>(StringComparer.Ordinal);
        private readonly Dictionary<string, IReadOnlyList<HostEntry>> trees = new Dictionary<string, IReadOnlyList<HostEntry>>(StringComparer.Ordinal);

        public GitHubCommitApi(GitHostApi api)
            : base(api)
        {
        }

        public override string WritePermission => "contents: write";

        public override string ReadPermission => "contents: read";

        public override bool SignsCommits => true;

        private string Repo => "repos/" + Api.Endpoint.Repository;

        public override async Task<string> DefaultBranchAsync(CancellationToken cancellationToken)
        {
            var (json, _) = await Api.SendAsync(HttpMethod.Get, Repo, null, ReadPermission, cancellationToken).ConfigureAwait(false);
            return json.GetProperty("default_branch").GetString()!;
        }

        public override async Task<string?> HeadAsync(string branch, CancellationToken cancellationToken)
        {
            try
            {
                var (json, _) = await Api.SendAsync(HttpMethod.Get, Repo + "/git/ref/heads/" + Escaped(branch), null, ReadPermission, cancellationToken).ConfigureAwait(false);
                return json.GetProperty("object").GetProperty("sha").GetString();
            }
            catch (GitHostApiException e) when (e.Status == 404)
            {
                return null;
            }
        }

        public override async Task<IReadOnlyList<HostEntry>?> ListAsync(string commit, string directory, CancellationToken cancellationToken)
        {
            var entries = await TreeAsync(await TreeOfAsync(commit, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            foreach (var part in directory.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries))
            {
                var next = entries.FirstOrDefault(e => e.Name == part);
                if (next is null || next.Kind != HostEntryKind.Directory)
                {
                    return null;
                }

                entries = await TreeAsync(next.Id, cancellationToken).ConfigureAwait(false);
            }

            return entries;
        }

        public override async Task<byte[]> ReadAsync(string commit, string path, HostEntry entry, CancellationToken cancellationToken)
        {
            var (json, _) = await Api.SendAsync(HttpMethod.Get, Repo + "/git/blobs/" + entry.Id, null, ReadPermission, cancellationToken).ConfigureAwait(false);
            return Convert.FromBase64String(json.GetProperty("content").GetString()!.Replace("\n", string.Empty));
        }

        public override async Task<string?> CommitAsync(HostCommit commit, CancellationToken cancellationToken)
        {
            var entries = new List<object>();
            foreach (var change in commit.Changes)
            {
                var (blob, _) = await Api.SendAsync(HttpMethod.Post, Repo + "/git/blobs", new { content = Convert.ToBase64String(change.Content), encoding = "base64" }, WritePermission, cancellationToken).ConfigureAwait(false);
                entries.Add(new { path = change.Path, mode = change.Existing?.Mode == "100755" ? "100755" : "100644", type = "blob", sha = Sha(blob) });
            }

            var baseTree = await TreeOfAsync(commit.Parent, cancellationToken).ConfigureAwait(false);
            var (tree, _) = await Api.SendAsync(HttpMethod.Post, Repo + "/git/trees", new { base_tree = baseTree, tree = entries }, WritePermission, cancellationToken).ConfigureAwait(false);
            var author = new { name = commit.AuthorName, email = commit.AuthorEmail, date = commit.When.ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture) };
            var (created, _) = await Api.SendAsync(HttpMethod.Post, Repo + "/git/commits", new { message = commit.Message, tree = Sha(tree), parents = new[] { commit.Parent }, author }, WritePermission, cancellationToken).ConfigureAwait(false);
            var sha = Sha(created);
            try
            {
                if (commit.NewBranch)
                {
                    await Api.SendAsync(HttpMethod.Post, Repo + "/git/refs", new { @ref = "refs/heads/" + commit.Branch, sha }, WritePermission, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    // Without force GitHub moves the ref only as a fast-forward: the compare-and-swap on the head the commit was built on.
                    await Api.SendAsync(new HttpMethod("PATCH"), Repo + "/git/refs/heads/" + Escaped(commit.Branch), new { sha, force = false }, WritePermission, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (GitHostApiException e) when (e.Status == 422 && Says(e, "fast forward", "fast-forward", "already exists"))
            {
                return null;
            }

            return sha;
        }

        private static string Sha(JsonElement json) => json.GetProperty("sha").GetString()!;

        private async Task<string> TreeOfAsync(string commit, CancellationToken cancellationToken)
        {
            if (!treeOfCommit.TryGetValue(commit, out var tree))
            {
                var (json, _) = await Api.SendAsync(HttpMethod.Get, Repo + "/git/commits/" + commit, null, ReadPermission, cancellationToken).ConfigureAwait(false);
                treeOfCommit[commit] = tree = json.GetProperty("tree").GetProperty("sha").GetString()!;
            }

            return tree;
        }

        private async Task<IReadOnlyList<HostEntry>> TreeAsync(string sha, CancellationToken cancellationToken)
        {
            if (!trees.TryGetValue(sha, out var entries))
            {
                var (json, _) = await Api.SendAsync(HttpMethod.Get, Repo + "/git/trees/" + sha, null, ReadPermission, cancellationToken).ConfigureAwait(false);
                trees[sha] = entries = json.GetProperty("tree").EnumerateArray().Select(e =>
                {
                    var mode = e.GetProperty("mode").GetString();
                    var kind = mode == "120000" ? HostEntryKind.Link : e.GetProperty("type").GetString() switch { "blob" => HostEntryKind.File, "tree" => HostEntryKind.Directory, _ => HostEntryKind.Other };
                    return new HostEntry(e.GetProperty("path").GetString()!, kind, e.GetProperty("sha").GetString()!, mode);
                }).ToList();
            }

            return entries;
        }
    }
}
