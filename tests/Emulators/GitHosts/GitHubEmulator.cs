using System;
using System.Linq;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Tasks;

namespace ImageUpdater.Emulators.GitHosts
{
    /// <summary>
    /// GitHub REST stand-in (pulls) per ../shared/data/api-models/github-rest-excerpt.json: Authorization "Bearer" or "token",
    /// a User-Agent, {message, documentation_url} errors, 422 validation errors, Link pagination, primary rate limit as 403 with
    /// x-ratelimit-remaining 0 (--secondary: the secondary limit, 403 with retry-after), GET /repos/{repo} with the token's
    /// permissions. Serves at the root like api.github.com (an Enterprise /api/v3 prefix is also accepted).
    /// </summary>
    public sealed partial class GitHubEmulator : GitHostEmulator
    {
        private const string Docs = "https://docs.github.com/rest";

        // --secondary: throttled answers are the secondary rate limit (403 with retry-after) instead of the primary one.
        private readonly bool secondary;

        private GitHubEmulator(string[] options)
            : base(options)
        {
            secondary = options.Contains("--secondary");
        }

        [Emulator("github")]
        public static Task<IEmulator> Start(string[] options) => Task.FromResult<IEmulator>(new GitHubEmulator(options));

        protected override Task ThrottleAsync(HttpListenerResponse response)
        {
            if (secondary)
            {
                response.Headers["retry-after"] = "0";
                return Error(response, 403, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.");
            }

            response.Headers["x-ratelimit-limit"] = "5000";
            response.Headers["x-ratelimit-remaining"] = "0";
            response.Headers["x-ratelimit-reset"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Error(response, 403, "API rate limit exceeded for user ID 1.");
        }

        protected override async Task ServeAsync(HttpListenerContext context, string path, string body)
        {
            var request = context.Request;
            var response = context.Response;
            if (path.StartsWith("/api/v3/", StringComparison.Ordinal))
            {
                path = path.Substring("/api/v3".Length);
            }

            if (string.IsNullOrEmpty(request.UserAgent))
            {
                await Error(response, 403, "Request forbidden by administrative rules. Please make sure your request has a User-Agent header.").ConfigureAwait(false);
                return;
            }

            var auth = request.Headers["Authorization"];
            if (auth is null)
            {
                await Error(response, 401, "Requires authentication").ConfigureAwait(false);
                return;
            }

            if (auth != "Bearer " + Token && auth != "token " + Token)
            {
                await Error(response, 401, "Bad credentials").ConfigureAwait(false);
                return;
            }

            if (path == "/repos/" + Repository && request.HttpMethod == "GET")
            {
                // The repository with the token's permissions, which the pull request preflight reads.
                await WriteJsonAsync(response, 200, new JsonObject { ["full_name"] = Repository, ["default_branch"] = Backing?.DefaultBranch ?? "main", ["permissions"] = new JsonObject { ["admin"] = false, ["push"] = !ReadOnly, ["pull"] = true } }).ConfigureAwait(false);
                return;
            }

            if (Backing is not null && await ServeGitAsync(request, response, path, body).ConfigureAwait(false))
            {
                return;
            }

            var prefix = "/repos/" + Repository + "/pulls";
            if (!path.StartsWith(prefix, StringComparison.Ordinal))
            {
                // GitHub hides repositories a token cannot see behind 404.
                await Error(response, 404, "Not Found").ConfigureAwait(false);
                return;
            }

            var rest = path.Substring(prefix.Length).Trim('/');
            if (rest.Length == 0 && request.HttpMethod == "GET")
            {
                await ListAsync(request, response).ConfigureAwait(false);
            }
            else if (rest.Length == 0 && request.HttpMethod == "POST")
            {
                await CreateAsync(response, body).ConfigureAwait(false);
            }
            else if (int.TryParse(rest, out var number) && request.HttpMethod == "PATCH")
            {
                await EditAsync(response, number, body).ConfigureAwait(false);
            }
            else
            {
                await Error(response, 404, "Not Found").ConfigureAwait(false);
            }
        }

        private async Task ListAsync(HttpListenerRequest request, HttpListenerResponse response)
        {
            var state = request.QueryString["state"] ?? "open";
            var head = request.QueryString["head"];
            var baseBranch = request.QueryString["base"];
            var owner = Repository.Split('/')[0];
            var perPage = int.TryParse(request.QueryString["per_page"], out var pp) ? Math.Min(Math.Max(pp, 1), 100) : 30;
            var page = int.TryParse(request.QueryString["page"], out var pg) ? Math.Max(pg, 1) : 1;
            var matching = Pulls.All
                .Where(p => state == "all" || p.State == state)
                .Where(p => head is null || head == owner + ":" + p.Head)
                .Where(p => baseBranch is null || baseBranch == p.Base)
                .ToList();
            var list = new JsonArray();
            foreach (var p in matching.Skip((page - 1) * perPage).Take(perPage))
            {
                list.Add(Shape(p));
            }

            if (page * perPage < matching.Count)
            {
                var next = Url.TrimEnd('/') + request.Url!.AbsolutePath + "?state=" + state + (head is null ? string.Empty : "&head=" + Uri.EscapeDataString(head)) + (baseBranch is null ? string.Empty : "&base=" + Uri.EscapeDataString(baseBranch)) + "&per_page=" + perPage + "&page=" + (page + 1);
                response.Headers["Link"] = "<" + next + ">; rel=\"next\"";
            }

            await WriteJsonAsync(response, 200, list).ConfigureAwait(false);
        }

        private async Task CreateAsync(HttpListenerResponse response, string text)
        {
            if (ReadOnly)
            {
                response.Headers["X-Accepted-GitHub-Permissions"] = "pull_requests=write";
                await Error(response, 403, "Resource not accessible by personal access token").ConfigureAwait(false);
                return;
            }

            var body = ParseObject(text);
            var title = Text(body, "title");
            var head = Text(body, "head");
            var baseBranch = Text(body, "base");
            var missing = title is null ? "title" : head is null ? "head" : baseBranch is null ? "base" : null;
            if (missing is not null)
            {
                await Validation(response, "missing_field", missing, null).ConfigureAwait(false);
                return;
            }

            // head may be "owner:branch" for the same repository.
            var branch = head!.Contains(':') ? head.Substring(head.IndexOf(':') + 1) : head;
            var created = Pulls.Open(branch, baseBranch!, title!, Text(body, "body") ?? string.Empty);
            if (created is null)
            {
                await Validation(response, "custom", null, "A pull request already exists for " + Repository.Split('/')[0] + ":" + branch + ".").ConfigureAwait(false);
                return;
            }

            await WriteJsonAsync(response, 201, Shape(created)).ConfigureAwait(false);
        }

        private async Task EditAsync(HttpListenerResponse response, int number, string text)
        {
            if (ReadOnly)
            {
                response.Headers["X-Accepted-GitHub-Permissions"] = "pull_requests=write";
                await Error(response, 403, "Resource not accessible by personal access token").ConfigureAwait(false);
                return;
            }

            var pull = Pulls.Find(number);
            if (pull is null)
            {
                await Error(response, 404, "Not Found").ConfigureAwait(false);
                return;
            }

            var body = ParseObject(text);
            pull.Title = Text(body, "title") ?? pull.Title;
            pull.Body = Text(body, "body") ?? pull.Body;
            pull.Edits++;
            await WriteJsonAsync(response, 200, Shape(pull)).ConfigureAwait(false);
        }

        private JsonObject Shape(StoredPullRequest p) => new JsonObject
        {
            ["number"] = p.Number,
            ["state"] = p.State,
            ["title"] = p.Title,
            ["body"] = p.Body,
            ["html_url"] = "https://github.com/" + Repository + "/pull/" + p.Number,
            ["head"] = new JsonObject { ["ref"] = p.Head, ["label"] = Repository.Split('/')[0] + ":" + p.Head },
            ["base"] = new JsonObject { ["ref"] = p.Base },
        };

        private static Task Error(HttpListenerResponse response, int status, string message) =>
            WriteJsonAsync(response, status, new JsonObject { ["message"] = message, ["documentation_url"] = Docs, ["status"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        private static Task Validation(HttpListenerResponse response, string code, string? field, string? message)
        {
            var error = new JsonObject { ["resource"] = "PullRequest", ["code"] = code };
            if (field is not null)
            {
                error["field"] = field;
            }

            if (message is not null)
            {
                error["message"] = message;
            }

            return WriteJsonAsync(response, 422, new JsonObject { ["message"] = "Validation Failed", ["errors"] = new JsonArray(error), ["documentation_url"] = Docs, ["status"] = "422" });
        }
    }
}
