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
    /// Azure DevOps' repository API over the backing bare repository (azure-devops-git-excerpt.json): GET repositories/:repo
    /// (defaultBranch), refs?filter= (prefix), items (scopePath + recursionLevel=OneLevel listing, or one path's bytes with Accept
    /// application/octet-stream); POST pushes with one refUpdate whose oldObjectId must be the branch's tip (409 TF401028 otherwise;
    /// 40 zeros or the start commit for a new branch) and one commit of add/edit changes. Writes need "Contribute" (403 TF401027).
    /// </summary>
    public sealed partial class AzureDevOpsEmulator
    {
        private async Task<bool> ServeRepositoryAsync(HttpListenerRequest request, HttpListenerResponse response, string path, string text)
        {
            var parts = Repository.Split('/');
            var prefix = "/org/" + parts[0] + "/_apis/git/repositories/" + parts[parts.Length - 1];
            if (!path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || path.Substring(prefix.Length).StartsWith("/pullrequests", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            var repo = Backing!;
            var rest = path.Substring(prefix.Length).Trim('/');
            var method = request.HttpMethod;
            if (method != "GET" && ReadOnly)
            {
                await Error(response, 403, "TF401027: You need the Git 'GenericContribute' permission to perform this action. Details: identity 'token-user', scope 'branch'.", "GitNeedsPermissionException").ConfigureAwait(false);
                return true;
            }

            if (rest.Length == 0 && method == "GET")
            {
                await WriteJsonAsync(response, 200, new JsonObject { ["id"] = "6f1c5e8a-0000-4000-8000-000000000001", ["name"] = parts[parts.Length - 1], ["defaultBranch"] = "refs/heads/" + repo.DefaultBranch, ["project"] = new JsonObject { ["name"] = parts[0] } }).ConfigureAwait(false);
            }
            else if (rest == "refs" && method == "GET")
            {
                var filter = request.QueryString["filter"] ?? string.Empty;
                var value = new JsonArray();
                if (filter.StartsWith("heads/", StringComparison.Ordinal) && repo.Head(filter.Substring("heads/".Length)) is { } sha)
                {
                    value.Add(new JsonObject { ["name"] = "refs/" + filter, ["objectId"] = sha });
                }

                await WriteJsonAsync(response, 200, new JsonObject { ["value"] = value, ["count"] = value.Count }).ConfigureAwait(false);
            }
            else if (rest == "items" && method == "GET")
            {
                await ItemsAsync(request, response).ConfigureAwait(false);
            }
            else if (rest == "pushes" && method == "POST")
            {
                await PushAsync(response, text).ConfigureAwait(false);
            }
            else
            {
                await Error(response, 404, "The controller for path '" + path + "' was not found.", "HttpException").ConfigureAwait(false);
            }

            return true;
        }

        private async Task ItemsAsync(HttpListenerRequest request, HttpListenerResponse response)
        {
            var repo = Backing!;
            var version = request.QueryString["versionDescriptor.version"];
            var type = request.QueryString["versionDescriptor.versionType"] ?? "branch";
            var commit = version is null ? repo.Head(repo.DefaultBranch) : type.Equals("commit", StringComparison.OrdinalIgnoreCase) ? (repo.IsCommit(version) ? version : null) : repo.Head(version);
            var itemPath = (request.QueryString["path"] ?? request.QueryString["scopePath"] ?? "/").Trim('/');
            HostTreeEntry? entry = itemPath.Length == 0 ? new HostTreeEntry("040000", "tree", commit is null ? string.Empty : repo.TreeOf(commit), string.Empty) : commit is null ? null : repo.Entry(commit, itemPath);
            if (commit is null || entry is null)
            {
                await Error(response, 404, "TF401174: The item '/" + itemPath + "' could not be found in the repository '" + Repository + "' at the version specified by '" + version + "' (resolved to commit '" + commit + "').", "GitItemNotFoundException").ConfigureAwait(false);
                return;
            }

            if (request.QueryString["path"] is not null && entry.Type == "blob" && (request.AcceptTypes ?? Array.Empty<string>()).Any(a => a.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase)))
            {
                var bytes = repo.Blob(entry.Sha)!;
                response.StatusCode = 200;
                response.ContentType = "application/octet-stream";
                response.ContentLength64 = bytes.Length;
                await response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
                response.Close();
                return;
            }

            var value = new JsonArray { Item("/" + itemPath, entry, commit) };
            if (entry.Type == "tree" && (request.QueryString["recursionLevel"] ?? "None").Equals("OneLevel", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var child in repo.Tree(commit + ":" + itemPath)!)
                {
                    value.Add(Item((itemPath.Length == 0 ? "/" : "/" + itemPath + "/") + child.Name, child, commit));
                }
            }

            await WriteJsonAsync(response, 200, new JsonObject { ["count"] = value.Count, ["value"] = value }).ConfigureAwait(false);
        }

        private static JsonObject Item(string path, HostTreeEntry entry, string commit)
        {
            var item = new JsonObject { ["objectId"] = entry.Sha, ["gitObjectType"] = entry.Type, ["commitId"] = commit, ["path"] = path };
            if (entry.Type == "tree")
            {
                item["isFolder"] = true;
            }

            if (entry.Mode == "120000")
            {
                item["isSymLink"] = true;
            }

            return item;
        }

        private async Task PushAsync(HttpListenerResponse response, string text)
        {
            var repo = Backing!;
            var body = ParseObject(text);
            var refUpdate = (body?["refUpdates"] as JsonArray)?.OfType<JsonObject>().ToList();
            var commits = (body?["commits"] as JsonArray)?.OfType<JsonObject>().ToList();
            if (refUpdate is not { Count: 1 } || commits is not { Count: 1 } || Text(refUpdate[0], "name") is not { } name || !name.StartsWith("refs/heads/", StringComparison.Ordinal)
                || Text(refUpdate[0], "oldObjectId") is not { } old || commits[0]["changes"] is not JsonArray { Count: > 0 } changes)
            {
                await Error(response, 400, "TF401025: The push must name one refUpdate (name, oldObjectId) and one commit with changes.", "InvalidArgumentValueException").ConfigureAwait(false);
                return;
            }

            var branch = name.Substring("refs/heads/".Length);
            repo.RunRace(branch);
            var head = repo.Head(branch);
            var listed = (commits[0]["parents"] as JsonArray)?.Select(p => p?.GetValue<string>()).FirstOrDefault();
            // An existing branch moves only from its tip; a new one starts at oldObjectId (as published) or the commit's parent.
            var parent = head is not null ? (old == head ? head : null) : old != HostRepository.Zero && repo.IsCommit(old) ? old : listed is not null && repo.IsCommit(listed) ? listed : null;
            if (parent is null)
            {
                await Error(response, 409, "TF401028: The reference '" + name + "' has already been updated by another client, so you cannot update it. Please try again.", "GitReferenceStaleException").ConfigureAwait(false);
                return;
            }

            var entries = new List<(string, string, string?)>();
            foreach (var change in changes.OfType<JsonObject>())
            {
                var kind = Text(change, "changeType")?.ToLowerInvariant();
                var itemPath = Text(change["item"] as JsonObject, "path")?.Trim('/');
                var content = change["newContent"] as JsonObject;
                var contentType = Text(content, "contentType")?.ToLowerInvariant();
                var bytes = contentType == "base64encoded" ? FromBase64(Text(content, "content")) : contentType == "rawtext" && Text(content, "content") is { } raw ? Encoding.UTF8.GetBytes(raw) : null;
                if ((kind != "add" && kind != "edit") || string.IsNullOrEmpty(itemPath) || bytes is null)
                {
                    await Error(response, 400, "TF401025: A change needs changeType add or edit, item.path and newContent (rawText or base64Encoded).", "InvalidArgumentValueException").ConfigureAwait(false);
                    return;
                }

                var existing = repo.Entry(parent, itemPath);
                if ((kind == "add") != (existing is null))
                {
                    await Error(response, 400, kind == "add" ? "TF402455: The path '/" + itemPath + "' already exists." : "TF401174: The item '/" + itemPath + "' could not be found in the repository.", "InvalidArgumentValueException").ConfigureAwait(false);
                    return;
                }

                entries.Add((itemPath, existing?.Mode ?? "100644", repo.WriteBlob(bytes)));
            }

            var author = commits[0]["author"] as JsonObject;
            var when = DateTimeOffset.TryParse(Text(author, "date"), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d) ? d : DateTimeOffset.UtcNow;
            var sha = repo.WriteCommit(repo.WriteTree(repo.TreeOf(parent), entries), new[] { parent }, Text(commits[0], "comment") ?? string.Empty, Text(author, "name") ?? "token-user", Text(author, "email") ?? "token-user@example.com", when, "token-user", "token-user@example.com");
            if (!repo.MoveRef("POST pushes", branch, head ?? HostRepository.Zero, sha))
            {
                await Error(response, 409, "TF401028: The reference '" + name + "' has already been updated by another client, so you cannot update it. Please try again.", "GitReferenceStaleException").ConfigureAwait(false);
                return;
            }

            await WriteJsonAsync(response, 201, new JsonObject
            {
                ["pushId"] = repo.RefUpdates.Count,
                ["commits"] = new JsonArray(new JsonObject { ["commitId"] = sha, ["comment"] = Text(commits[0], "comment") }),
                ["refUpdates"] = new JsonArray(new JsonObject { ["name"] = name, ["oldObjectId"] = head ?? HostRepository.Zero, ["newObjectId"] = sha }),
            }).ConfigureAwait(false);
        }
    }
}
