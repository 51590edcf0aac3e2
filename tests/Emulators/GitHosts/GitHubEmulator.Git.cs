using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;

namespace ImageUpdater.Emulators.GitHosts
{
    /// <summary>
    /// GitHub's Git data API over the backing bare repository (github-rest-excerpt.json): GET git/ref, git/commits,
    /// git/trees, git/blobs; POST git/blobs, git/trees (base_tree), git/commits, git/refs; PATCH git/refs without force only as a
    /// fast-forward from the current ref (422 "Update is not a fast forward"); writes need contents: write.
    /// </summary>
    public sealed partial class GitHubEmulator
    {
        /// <summary>Serves the repository and Git data endpoints; false when <paramref name="path"/> is not one of them.</summary>
        private async Task<bool> ServeGitAsync(HttpListenerRequest request, HttpListenerResponse response, string path, string text)
        {
            var repo = Backing!;
            var prefix = "/repos/" + Repository;
            if (!path.StartsWith(prefix, StringComparison.Ordinal) || path.StartsWith(prefix + "/pulls", StringComparison.Ordinal))
            {
                return false;
            }

            var rest = path.Substring(prefix.Length).TrimStart('/');
            var method = request.HttpMethod;
            if (method != "GET" && ReadOnly)
            {
                response.Headers["X-Accepted-GitHub-Permissions"] = "contents=write";
                await Error(response, 403, "Resource not accessible by personal access token").ConfigureAwait(false);
                return true;
            }

            var body = method == "GET" ? null : ParseObject(text);
            if (method != "GET" && body is null)
            {
                await Error(response, 400, "Problems parsing JSON").ConfigureAwait(false);
                return true;
            }

            if (rest.StartsWith("git/ref/heads/", StringComparison.Ordinal) && method == "GET")
            {
                var branch = Uri.UnescapeDataString(rest.Substring("git/ref/heads/".Length));
                await (repo.Head(branch) is { } sha ? WriteJsonAsync(response, 200, RefShape(branch, sha)) : Error(response, 404, "Not Found")).ConfigureAwait(false);
            }
            else if (rest.StartsWith("git/commits/", StringComparison.Ordinal) && method == "GET")
            {
                var sha = rest.Substring("git/commits/".Length);
                await (repo.IsCommit(sha) ? WriteJsonAsync(response, 200, CommitShape(sha)) : Error(response, 404, "Not Found")).ConfigureAwait(false);
            }
            else if (rest.StartsWith("git/trees/", StringComparison.Ordinal) && method == "GET")
            {
                var sha = rest.Substring("git/trees/".Length);
                var entries = sha.Length == 40 ? repo.Tree(sha) : null;
                await (entries is null ? Error(response, 404, "Not Found") : WriteJsonAsync(response, 200, TreeShape(sha, entries))).ConfigureAwait(false);
            }
            else if (rest.StartsWith("git/blobs/", StringComparison.Ordinal) && method == "GET")
            {
                var sha = rest.Substring("git/blobs/".Length);
                await (repo.Blob(sha) is { } bytes
                    ? WriteJsonAsync(response, 200, new JsonObject { ["sha"] = sha, ["size"] = bytes.Length, ["encoding"] = "base64", ["content"] = Base64(bytes) })
                    : Error(response, 404, "Not Found")).ConfigureAwait(false);
            }
            else if (rest == "git/blobs" && method == "POST")
            {
                await CreateBlobAsync(response, body!).ConfigureAwait(false);
            }
            else if (rest == "git/trees" && method == "POST")
            {
                await CreateTreeAsync(response, body!).ConfigureAwait(false);
            }
            else if (rest == "git/commits" && method == "POST")
            {
                await CreateCommitAsync(response, body!).ConfigureAwait(false);
            }
            else if (rest == "git/refs" && method == "POST")
            {
                await CreateRefAsync(response, body!).ConfigureAwait(false);
            }
            else if (rest.StartsWith("git/refs/heads/", StringComparison.Ordinal) && method == "PATCH")
            {
                await UpdateRefAsync(response, Uri.UnescapeDataString(rest.Substring("git/refs/heads/".Length)), body!).ConfigureAwait(false);
            }
            else
            {
                await Error(response, 404, "Not Found").ConfigureAwait(false);
            }

            return true;
        }

        private async Task CreateBlobAsync(HttpListenerResponse response, JsonObject body)
        {
            var content = Text(body, "content");
            var encoding = Text(body, "encoding") ?? "utf-8";
            var bytes = content is null ? null : encoding == "base64" ? FromBase64(content) : encoding == "utf-8" ? Encoding.UTF8.GetBytes(content) : null;
            if (bytes is null)
            {
                await Validation(response, content is null ? "missing_field" : "invalid", content is null ? "content" : "encoding", null).ConfigureAwait(false);
                return;
            }

            var sha = Backing!.WriteBlob(bytes);
            await WriteJsonAsync(response, 201, new JsonObject { ["sha"] = sha, ["url"] = Url + "repos/" + Repository + "/git/blobs/" + sha }).ConfigureAwait(false);
        }

        private async Task CreateTreeAsync(HttpListenerResponse response, JsonObject body)
        {
            var repo = Backing!;
            var baseTree = Text(body, "base_tree");
            if (body["tree"] is not JsonArray items)
            {
                await Validation(response, "missing_field", "tree", null).ConfigureAwait(false);
                return;
            }

            if (baseTree is not null && repo.Tree(baseTree) is null)
            {
                await Validation(response, "invalid", "base_tree", "base_tree is not a valid tree oid").ConfigureAwait(false);
                return;
            }

            var changes = new List<(string, string, string?)>();
            foreach (var item in items.OfType<JsonObject>())
            {
                var path = Text(item, "path");
                var mode = Text(item, "mode");
                var sha = item["sha"] is null ? null : Text(item, "sha");
                var content = Text(item, "content");
                if (path is null || mode is null || Text(item, "type") is null || (item.ContainsKey("sha") == (content is not null)))
                {
                    await Validation(response, "invalid", "tree", "tree entries need path, mode, type and exactly one of sha and content").ConfigureAwait(false);
                    return;
                }

                if (content is not null)
                {
                    sha = repo.WriteBlob(Encoding.UTF8.GetBytes(content));
                }
                else if (sha is not null && repo.Blob(sha) is null)
                {
                    await Validation(response, "invalid", "tree.sha", "tree.sha " + sha + " is not a valid blob").ConfigureAwait(false);
                    return;
                }

                changes.Add((path, mode, sha));
            }

            var tree = repo.WriteTree(baseTree, changes);
            await WriteJsonAsync(response, 201, TreeShape(tree, repo.Tree(tree)!)).ConfigureAwait(false);
        }

        private async Task CreateCommitAsync(HttpListenerResponse response, JsonObject body)
        {
            var repo = Backing!;
            var message = Text(body, "message");
            var tree = Text(body, "tree");
            if (message is null || tree is null)
            {
                await Validation(response, "missing_field", message is null ? "message" : "tree", null).ConfigureAwait(false);
                return;
            }

            var parents = (body["parents"] as JsonArray)?.Select(p => p?.GetValue<string>() ?? string.Empty).ToList() ?? new List<string>();
            if (repo.Tree(tree) is null || parents.Any(p => !repo.IsCommit(p)))
            {
                await Validation(response, "invalid", repo.Tree(tree) is null ? "tree" : "parents", null).ConfigureAwait(false);
                return;
            }

            var author = body["author"] as JsonObject;
            var when = DateTimeOffset.TryParse(Text(author, "date"), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d) ? d : DateTimeOffset.UtcNow;
            // The committer is the token's user; GitHub signs such a commit itself (verification.verified).
            var sha = repo.WriteCommit(tree, parents, message, Text(author, "name") ?? "token-user", Text(author, "email") ?? "token-user@users.noreply.github.com", when, "GitHub", "noreply@github.com");
            await WriteJsonAsync(response, 201, CommitShape(sha)).ConfigureAwait(false);
        }

        private async Task CreateRefAsync(HttpListenerResponse response, JsonObject body)
        {
            var name = Text(body, "ref");
            var sha = Text(body, "sha");
            if (name is null || sha is null)
            {
                await Validation(response, "missing_field", name is null ? "ref" : "sha", null).ConfigureAwait(false);
                return;
            }

            if (!name.StartsWith("refs/heads/", StringComparison.Ordinal) || !Backing!.IsCommit(sha))
            {
                await Error(response, 422, name.StartsWith("refs/", StringComparison.Ordinal) ? "Object does not exist" : "Reference name must start with 'refs/' and have at least two slashes.").ConfigureAwait(false);
                return;
            }

            var branch = name.Substring("refs/heads/".Length);
            if (!Backing.MoveRef("POST git/refs", branch, HostRepository.Zero, sha))
            {
                await Error(response, 422, "Reference already exists").ConfigureAwait(false);
                return;
            }

            await WriteJsonAsync(response, 201, RefShape(branch, sha)).ConfigureAwait(false);
        }

        private async Task UpdateRefAsync(HttpListenerResponse response, string branch, JsonObject body)
        {
            var repo = Backing!;
            var sha = Text(body, "sha");
            var force = body["force"] is JsonValue f && f.TryGetValue<bool>(out var b) && b;
            if (sha is null)
            {
                await Validation(response, "missing_field", "sha", null).ConfigureAwait(false);
                return;
            }

            repo.RunRace(branch);
            var current = repo.Head(branch);
            if (current is null)
            {
                await Error(response, 422, "Reference does not exist").ConfigureAwait(false);
                return;
            }

            if (!repo.IsCommit(sha))
            {
                await Error(response, 422, "Object does not exist").ConfigureAwait(false);
                return;
            }

            // Without force the update must be a fast-forward from the current ref: a moved branch refuses a commit built on its old tip.
            if ((!force && !repo.IsAncestor(current, sha)) || !repo.MoveRef("PATCH git/refs", branch, current, sha, force))
            {
                await Error(response, 422, "Update is not a fast forward").ConfigureAwait(false);
                return;
            }

            await WriteJsonAsync(response, 200, RefShape(branch, sha)).ConfigureAwait(false);
        }

        private JsonObject RefShape(string branch, string sha) => new JsonObject
        {
            ["ref"] = "refs/heads/" + branch,
            ["url"] = Url + "repos/" + Repository + "/git/refs/heads/" + branch,
            ["object"] = new JsonObject { ["sha"] = sha, ["type"] = "commit" },
        };

        private JsonObject CommitShape(string sha)
        {
            var repo = Backing!;
            var parents = new JsonArray();
            foreach (var p in repo.Parents(sha))
            {
                parents.Add(new JsonObject { ["sha"] = p });
            }

            var signed = repo.CommitText(sha).Contains("\ncommitter GitHub <noreply@github.com>", StringComparison.Ordinal);
            return new JsonObject
            {
                ["sha"] = sha,
                ["tree"] = new JsonObject { ["sha"] = repo.TreeOf(sha) },
                ["parents"] = parents,
                ["verification"] = new JsonObject { ["verified"] = signed, ["reason"] = signed ? "valid" : "unsigned" },
            };
        }

        private static JsonObject TreeShape(string sha, IReadOnlyList<HostTreeEntry> entries)
        {
            var tree = new JsonArray();
            foreach (var e in entries)
            {
                tree.Add(new JsonObject { ["path"] = e.Name, ["mode"] = e.Mode, ["type"] = e.Type, ["sha"] = e.Sha });
            }

            return new JsonObject { ["sha"] = sha, ["tree"] = tree, ["truncated"] = false };
        }
    }
}
