using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;

namespace ImageUpdater.Emulators.GitHosts
{
    /// <summary>
    /// GitLab's repository API over the backing bare repository (gitlab-rest-excerpt.json): GET repository/branches/:branch,
    /// repository/tree (paged: per_page at most 100, x-next-page), repository/files/:path (ref required, base64, last_commit_id);
    /// POST repository/commits with actions (create must not exist, update must, a stale last_commit_id is 400) onto the branch's
    /// current head, or a new branch from start_sha/start_branch. Writes need the Developer role (403 otherwise).
    /// </summary>
    public sealed partial class GitLabEmulator
    {
        private async Task<bool> ServeRepositoryAsync(HttpListenerRequest request, HttpListenerResponse response, string raw, string text)
        {
            var repo = Backing!;
            var prefix = "/api/v4/projects/" + Uri.EscapeDataString(Repository);
            if (!raw.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || raw.Substring(prefix.Length).StartsWith("/merge_requests", StringComparison.Ordinal))
            {
                return false;
            }

            var rest = raw.Substring(prefix.Length).TrimStart('/');
            var method = request.HttpMethod;
            if (method != "GET" && ReadOnly)
            {
                await Message(response, 403, "403 Forbidden").ConfigureAwait(false);
                return true;
            }

            if (rest.StartsWith("repository/branches/", StringComparison.Ordinal) && method == "GET")
            {
                var branch = Uri.UnescapeDataString(rest.Substring("repository/branches/".Length));
                await (repo.Head(branch) is { } sha
                    ? WriteJsonAsync(response, 200, new JsonObject { ["name"] = branch, ["commit"] = new JsonObject { ["id"] = sha } })
                    : Message(response, 404, "404 Branch Not Found")).ConfigureAwait(false);
            }
            else if (rest == "repository/tree" && method == "GET")
            {
                await TreeAsync(request, response).ConfigureAwait(false);
            }
            else if (rest.StartsWith("repository/files/", StringComparison.Ordinal) && method == "GET")
            {
                await FileAsync(request, response, Uri.UnescapeDataString(rest.Substring("repository/files/".Length))).ConfigureAwait(false);
            }
            else if (rest == "repository/commits" && method == "POST")
            {
                await CommitAsync(response, text).ConfigureAwait(false);
            }
            else
            {
                await Message(response, 404, "404 Not Found").ConfigureAwait(false);
            }

            return true;
        }

        private async Task TreeAsync(HttpListenerRequest request, HttpListenerResponse response)
        {
            var repo = Backing!;
            var reference = request.QueryString["ref"] ?? repo.DefaultBranch;
            var path = (request.QueryString["path"] ?? string.Empty).Trim('/');
            var commit = repo.IsCommit(reference) ? reference : repo.Head(reference);
            var entries = commit is null ? null : repo.Tree(commit + ":" + path);
            if (entries is null)
            {
                await Message(response, 404, "404 Tree Not Found").ConfigureAwait(false);
                return;
            }

            var perPage = int.TryParse(request.QueryString["per_page"], out var pp) ? Math.Min(Math.Max(pp, 1), 100) : 20;
            var page = int.TryParse(request.QueryString["page"], out var pg) ? Math.Max(pg, 1) : 1;
            var list = new JsonArray();
            foreach (var e in entries.Skip((page - 1) * perPage).Take(perPage))
            {
                list.Add(new JsonObject { ["id"] = e.Sha, ["name"] = e.Name, ["type"] = e.Type, ["path"] = path.Length == 0 ? e.Name : path + "/" + e.Name, ["mode"] = e.Mode });
            }

            response.Headers["x-page"] = page.ToString(CultureInfo.InvariantCulture);
            response.Headers["x-per-page"] = perPage.ToString(CultureInfo.InvariantCulture);
            response.Headers["x-next-page"] = page * perPage < entries.Count ? (page + 1).ToString(CultureInfo.InvariantCulture) : string.Empty;
            await WriteJsonAsync(response, 200, list).ConfigureAwait(false);
        }

        private async Task FileAsync(HttpListenerRequest request, HttpListenerResponse response, string path)
        {
            var repo = Backing!;
            var reference = request.QueryString["ref"];
            if (reference is null)
            {
                await WriteJsonAsync(response, 400, new JsonObject { ["error"] = "ref is missing" }).ConfigureAwait(false);
                return;
            }

            var commit = repo.IsCommit(reference) ? reference : repo.Head(reference);
            var entry = commit is null ? null : repo.Entry(commit, path);
            if (entry is null || entry.Type != "blob")
            {
                await Message(response, 404, "404 File Not Found").ConfigureAwait(false);
                return;
            }

            var bytes = repo.Blob(entry.Sha)!;
            var last = repo.LastCommitFor(commit!, path, isCommit: true);
            await WriteJsonAsync(response, 200, new JsonObject
            {
                ["file_name"] = path.Substring(path.LastIndexOf('/') + 1), ["file_path"] = path, ["size"] = bytes.Length, ["encoding"] = "base64",
                ["content"] = Base64(bytes), ["ref"] = reference, ["blob_id"] = entry.Sha, ["commit_id"] = commit, ["last_commit_id"] = last,
                ["execute_filemode"] = entry.Mode == "100755",
            }).ConfigureAwait(false);
        }

        private async Task CommitAsync(HttpListenerResponse response, string text)
        {
            var repo = Backing!;
            var body = ParseObject(text);
            var branch = Text(body, "branch");
            var message = Text(body, "commit_message");
            var missing = new[] { branch is null ? "branch" : null, message is null ? "commit_message" : null, body?["actions"] is JsonArray ? null : "actions" }.Where(m => m is not null).ToList();
            if (missing.Count > 0)
            {
                await WriteJsonAsync(response, 400, new JsonObject { ["error"] = string.Join(", ", missing.Select(m => m + " is missing")) }).ConfigureAwait(false);
                return;
            }

            repo.RunRace(branch!);
            var head = repo.Head(branch!);
            var startSha = Text(body, "start_sha");
            var startBranch = Text(body, "start_branch");
            string? parent;
            if (head is not null)
            {
                if (startSha is not null || (startBranch is not null && startBranch != branch))
                {
                    await Message(response, 400, "A branch called '" + branch + "' already exists. Switch to that branch in order to make changes").ConfigureAwait(false);
                    return;
                }

                parent = head;
            }
            else
            {
                parent = startSha is not null ? (repo.IsCommit(startSha) ? startSha : null) : startBranch is not null ? repo.Head(startBranch) : null;
                if (parent is null)
                {
                    await Message(response, 400, startSha is null && startBranch is null ? "You can only create or edit files when you are on a branch" : "Invalid start_sha or start_branch").ConfigureAwait(false);
                    return;
                }
            }

            var changes = new List<(string, string, string?)>();
            foreach (var action in ((JsonArray)body!["actions"]!).OfType<JsonObject>())
            {
                var kind = Text(action, "action");
                var path = Text(action, "file_path");
                var encoding = Text(action, "encoding") ?? "text";
                var content = Text(action, "content");
                if (kind is null || path is null || (kind != "create" && kind != "update") || content is null)
                {
                    await WriteJsonAsync(response, 400, new JsonObject { ["error"] = "actions[action] does not have a valid value" }).ConfigureAwait(false);
                    return;
                }

                var existing = repo.Entry(parent, path);
                if (kind == "create" && existing is not null)
                {
                    await Message(response, 400, "A file with this name already exists").ConfigureAwait(false);
                    return;
                }

                if (kind == "update" && existing is null)
                {
                    await Message(response, 400, "A file with this name doesn't exist").ConfigureAwait(false);
                    return;
                }

                if (kind == "update" && Text(action, "last_commit_id") is { } last && last != repo.LastCommitFor(parent, path, isCommit: true))
                {
                    await Message(response, 400, "You are attempting to update a file that has changed since you started editing it.").ConfigureAwait(false);
                    return;
                }

                var bytes = encoding == "base64" ? FromBase64(content) : Encoding.UTF8.GetBytes(content);
                if (bytes is null)
                {
                    await WriteJsonAsync(response, 400, new JsonObject { ["error"] = "content is not valid base64" }).ConfigureAwait(false);
                    return;
                }

                changes.Add((path, existing?.Mode ?? "100644", repo.WriteBlob(bytes)));
            }

            var tree = repo.WriteTree(repo.TreeOf(parent), changes);
            var sha = repo.WriteCommit(tree, new[] { parent }, message!, Text(body, "author_name") ?? "token-user", Text(body, "author_email") ?? "token-user@example.com", DateTimeOffset.UtcNow, "token-user", "token-user@example.com");
            if (!repo.MoveRef("POST repository/commits", branch!, head ?? HostRepository.Zero, sha))
            {
                // GitLab serialises writes to a branch; a write that lost it is refused, never applied over the other.
                await Message(response, 409, "Could not update " + branch + ". Please refresh and try again.").ConfigureAwait(false);
                return;
            }

            await WriteJsonAsync(response, 201, new JsonObject
            {
                ["id"] = sha, ["short_id"] = sha.Substring(0, 11), ["title"] = message!.Split('\n')[0], ["message"] = message,
                ["parent_ids"] = new JsonArray(parent), ["author_name"] = Text(body, "author_name"), ["author_email"] = Text(body, "author_email"),
            }).ConfigureAwait(false);
        }
    }
}
