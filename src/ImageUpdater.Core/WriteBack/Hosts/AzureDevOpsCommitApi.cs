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
    /// Azure DevOps' Git API: refs (filtered), items (a folder one level deep, or a file's bytes) and POST pushes with one refUpdate whose
    /// oldObjectId is the head the commit was built on (the compare-and-swap: 409 TF401028 when the branch moved; for a new branch the
    /// start commit, as the published example sends it).
    /// </summary>
    internal sealed class AzureDevOpsCommitApi : HostCommitApi
    {
        private const string Version = "api-version=7.1";

        public AzureDevOpsCommitApi(GitHostApi api)
            : base(api)
        {
        }

        public override string WritePermission => "the Contribute permission on the repository (and Create branch for a new branch), with a token scoped Code (Read & write)";

        public override string ReadPermission => "the Read permission on the repository, with a token scoped Code (Read)";

        private string Repo
        {
            get
            {
                var parts = Api.Endpoint.Repository.Split('/');
                return Uri.EscapeDataString(parts[0]) + "/" + Uri.EscapeDataString(parts[1]) + "/_apis/git/repositories/" + Uri.EscapeDataString(parts[2]);
            }
        }

        public override async Task<string> DefaultBranchAsync(CancellationToken cancellationToken)
        {
            var (json, _) = await Api.SendAsync(HttpMethod.Get, Repo + "?" + Version, null, ReadPermission, cancellationToken).ConfigureAwait(false);
            var name = json.GetProperty("defaultBranch").GetString()!;
            return name.StartsWith("refs/heads/", StringComparison.Ordinal) ? name.Substring("refs/heads/".Length) : name;
        }

        public override async Task<string?> HeadAsync(string branch, CancellationToken cancellationToken)
        {
            var (json, _) = await Api.SendAsync(HttpMethod.Get, Repo + "/refs?filter=" + Uri.EscapeDataString("heads/" + branch) + "&" + Version, null, ReadPermission, cancellationToken).ConfigureAwait(false);
            // The filter is a prefix: only the exact name counts.
            return json.GetProperty("value").EnumerateArray().Where(r => r.GetProperty("name").GetString() == "refs/heads/" + branch).Select(r => r.GetProperty("objectId").GetString()).FirstOrDefault();
        }

        public override async Task<IReadOnlyList<HostEntry>?> ListAsync(string commit, string directory, CancellationToken cancellationToken)
        {
            JsonElement json;
            try
            {
                (json, _) = await Api.SendAsync(HttpMethod.Get, Repo + "/items?scopePath=" + Uri.EscapeDataString("/" + directory) + "&recursionLevel=OneLevel" + At(commit), null, ReadPermission, cancellationToken).ConfigureAwait(false);
            }
            catch (GitHostApiException e) when (e.Status == 404)
            {
                return null;
            }

            var items = json.GetProperty("value").EnumerateArray().ToList();
            if (items.Count == 0 || items[0].GetProperty("gitObjectType").GetString() != "tree")
            {
                return null;
            }

            return items.Skip(1).Select(i =>
            {
                var path = i.GetProperty("path").GetString()!;
                var link = i.TryGetProperty("isSymLink", out var l) && l.ValueKind == JsonValueKind.True;
                var kind = link ? HostEntryKind.Link : i.GetProperty("gitObjectType").GetString() switch { "blob" => HostEntryKind.File, "tree" => HostEntryKind.Directory, _ => HostEntryKind.Other };
                return new HostEntry(path.Substring(path.LastIndexOf('/') + 1), kind, i.GetProperty("objectId").GetString()!, null);
            }).ToList();
        }

        public override Task<byte[]> ReadAsync(string commit, string path, HostEntry entry, CancellationToken cancellationToken) =>
            Api.GetBytesAsync(Repo + "/items?path=" + Uri.EscapeDataString("/" + path) + At(commit), ReadPermission, cancellationToken);

        public override async Task<string?> CommitAsync(HostCommit commit, CancellationToken cancellationToken)
        {
            var changes = commit.Changes.Select(c => new
            {
                changeType = c.Existing is null ? "add" : "edit",
                item = new { path = "/" + c.Path },
                newContent = new { content = Convert.ToBase64String(c.Content), contentType = "base64encoded" },
            }).ToList();
            var author = new { name = commit.AuthorName, email = commit.AuthorEmail, date = commit.When.ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture) };
            var push = new
            {
                refUpdates = new[] { new { name = "refs/heads/" + commit.Branch, oldObjectId = commit.Parent } },
                commits = new[] { new { comment = commit.Message, author, changes } },
            };
            try
            {
                var (json, _) = await Api.SendAsync(HttpMethod.Post, Repo + "/pushes?" + Version, push, WritePermission, cancellationToken).ConfigureAwait(false);
                return json.GetProperty("commits")[0].GetProperty("commitId").GetString();
            }
            catch (GitHostApiException e) when (e.Status == 409 && Says(e, "TF401028", "already been updated"))
            {
                return null;
            }
        }

        private static string At(string commit) => "&versionDescriptor.version=" + commit + "&versionDescriptor.versionType=commit&" + Version;
    }
}
