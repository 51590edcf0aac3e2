using System;
using System.Linq;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Tasks;

namespace ImageUpdater.Emulators.GitHosts
{
    /// <summary>
    /// GitLab REST v4 stand-in (merge requests) per ../shared/data/api-models/gitlab-rest-excerpt.json: PRIVATE-TOKEN or
    /// Authorization Bearer, project id as a URL-encoded path, {"message"}/{"error"} errors, 409 for a second open request
    /// from one source branch, x-next-page pagination, 429 with Retry-After.
    /// </summary>
    public sealed partial class GitLabEmulator : GitHostEmulator
    {
        private GitLabEmulator(string[] options)
            : base(options)
        {
        }

        [Emulator("gitlab")]
        public static Task<IEmulator> Start(string[] options) => Task.FromResult<IEmulator>(new GitLabEmulator(options));

        protected override Task ThrottleAsync(HttpListenerResponse response)
        {
            response.Headers["Retry-After"] = "0";
            response.Headers["RateLimit-Remaining"] = "0";
            return WriteJsonAsync(response, 429, new JsonObject { ["message"] = "Retry later" });
        }

        protected override async Task ServeAsync(HttpListenerContext context, string path, string body)
        {
            var request = context.Request;
            var response = context.Response;
            var token = request.Headers["PRIVATE-TOKEN"] ?? BearerToken(request);
            if (token != Token)
            {
                await Message(response, 401, "401 Unauthorized").ConfigureAwait(false);
                return;
            }

            // The raw path keeps %2F, as GitLab requires of a path-form project id.
            var raw = request.RawUrl!.Split('?')[0];
            if (string.Equals(raw, "/api/v4/projects/" + Uri.EscapeDataString(Repository), StringComparison.OrdinalIgnoreCase) && request.HttpMethod == "GET")
            {
                // The project with the token's access level (20 Reporter, 30 Developer), which the merge request preflight reads.
                await WriteJsonAsync(response, 200, new JsonObject { ["path_with_namespace"] = Repository, ["default_branch"] = Backing?.DefaultBranch ?? "main", ["permissions"] = new JsonObject { ["project_access"] = new JsonObject { ["access_level"] = ReadOnly ? 20 : 30 }, ["group_access"] = null } }).ConfigureAwait(false);
                return;
            }

            if (Backing is not null && await ServeRepositoryAsync(request, response, raw, body).ConfigureAwait(false))
            {
                return;
            }

            var prefix = "/api/v4/projects/" + Uri.EscapeDataString(Repository) + "/merge_requests";
            if (!raw.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                await Message(response, 404, "404 Project Not Found").ConfigureAwait(false);
                return;
            }

            var rest = raw.Substring(prefix.Length).Trim('/');
            var write = request.HttpMethod != "GET";
            if (write && ReadOnly)
            {
                await Message(response, 403, "403 Forbidden").ConfigureAwait(false);
                return;
            }

            if (rest.Length == 0 && request.HttpMethod == "GET")
            {
                await ListAsync(request, response).ConfigureAwait(false);
            }
            else if (rest.Length == 0 && request.HttpMethod == "POST")
            {
                await CreateAsync(response, body).ConfigureAwait(false);
            }
            else if (int.TryParse(rest, out var iid) && request.HttpMethod == "PUT")
            {
                var mr = Pulls.Find(iid);
                if (mr is null)
                {
                    await Message(response, 404, "404 Not found").ConfigureAwait(false);
                    return;
                }

                var json = ParseObject(body);
                mr.Title = Text(json, "title") ?? mr.Title;
                mr.Body = Text(json, "description") ?? mr.Body;
                mr.Edits++;
                await WriteJsonAsync(response, 200, Shape(mr)).ConfigureAwait(false);
            }
            else
            {
                await Message(response, 404, "404 Not Found").ConfigureAwait(false);
            }
        }

        private async Task ListAsync(HttpListenerRequest request, HttpListenerResponse response)
        {
            var state = request.QueryString["state"] ?? "all";
            var source = request.QueryString["source_branch"];
            var target = request.QueryString["target_branch"];
            var perPage = int.TryParse(request.QueryString["per_page"], out var pp) ? Math.Min(Math.Max(pp, 1), 100) : 20;
            var page = int.TryParse(request.QueryString["page"], out var pg) ? Math.Max(pg, 1) : 1;
            var matching = Pulls.All
                .Where(p => state == "all" || GitLabState(p) == state)
                .Where(p => source is null || p.Head == source)
                .Where(p => target is null || p.Base == target)
                .ToList();
            var list = new JsonArray();
            foreach (var p in matching.Skip((page - 1) * perPage).Take(perPage))
            {
                list.Add(Shape(p));
            }

            response.Headers["x-page"] = page.ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.Headers["x-next-page"] = page * perPage < matching.Count ? (page + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty;
            await WriteJsonAsync(response, 200, list).ConfigureAwait(false);
        }

        private async Task CreateAsync(HttpListenerResponse response, string text)
        {
            var body = ParseObject(text);
            var missing = Text(body, "source_branch") is null ? "source_branch" : Text(body, "target_branch") is null ? "target_branch" : Text(body, "title") is null ? "title" : null;
            if (missing is not null)
            {
                await WriteJsonAsync(response, 400, new JsonObject { ["error"] = missing + " is missing" }).ConfigureAwait(false);
                return;
            }

            var created = Pulls.Open(Text(body, "source_branch")!, Text(body, "target_branch")!, Text(body, "title")!, Text(body, "description") ?? string.Empty);
            if (created is null)
            {
                var existing = Pulls.All.First(p => p.State == "open" && p.Head == Text(body, "source_branch"));
                await WriteJsonAsync(response, 409, new JsonObject { ["message"] = new JsonArray("Another open merge request already exists for this source branch: !" + existing.Number) }).ConfigureAwait(false);
                return;
            }

            await WriteJsonAsync(response, 201, Shape(created)).ConfigureAwait(false);
        }

        private static string GitLabState(StoredPullRequest p) => p.State == "open" ? "opened" : p.State;

        private JsonObject Shape(StoredPullRequest p) => new JsonObject
        {
            ["iid"] = p.Number,
            ["id"] = 1000 + p.Number,
            ["state"] = GitLabState(p),
            ["title"] = p.Title,
            ["description"] = p.Body,
            ["source_branch"] = p.Head,
            ["target_branch"] = p.Base,
            ["web_url"] = "https://gitlab.com/" + Repository + "/-/merge_requests/" + p.Number,
        };

        private static Task Message(HttpListenerResponse response, int status, string message) =>
            WriteJsonAsync(response, status, new JsonObject { ["message"] = message });
    }
}
