using System;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;

namespace ImageUpdater.Emulators.GitHosts
{
    /// <summary>
    /// Azure DevOps Git stand-in (pull requests) per ../shared/data/api-models/azure-devops-git-excerpt.json: organization "org",
    /// --repo project/repository, Basic with a PAT as password or Bearer, api-version required, {value, count} lists with
    /// $top/$skip, TF-coded {message, typeKey} errors, 409 for a second active request, 429 with Retry-After.
    /// </summary>
    public sealed partial class AzureDevOpsEmulator : GitHostEmulator
    {
        private AzureDevOpsEmulator(string[] options)
            : base(options)
        {
        }

        [Emulator("azuredevops")]
        public static Task<IEmulator> Start(string[] options) => Task.FromResult<IEmulator>(new AzureDevOpsEmulator(options));

        protected override Task ThrottleAsync(HttpListenerResponse response)
        {
            response.Headers["Retry-After"] = "0";
            response.Headers["X-RateLimit-Resource"] = "ATCPU";
            return Error(response, 429, "TF400733: The request has been throttled.", "RequestBlockedException");
        }

        protected override async Task ServeAsync(HttpListenerContext context, string path, string body)
        {
            var request = context.Request;
            var response = context.Response;
            if (!Authorized(request.Headers["Authorization"]))
            {
                await Error(response, 401, "TF400813: The user is not authorized to access this resource.", "UnauthorizedRequestException").ConfigureAwait(false);
                return;
            }

            if (string.IsNullOrEmpty(request.QueryString["api-version"]))
            {
                await Error(response, 400, "No api-version was supplied for the \"" + request.HttpMethod + "\" request. The version must be supplied either as part of the Accept header or as a query parameter.", "VssVersionNotSpecifiedException").ConfigureAwait(false);
                return;
            }

            if (Backing is not null && await ServeRepositoryAsync(request, response, path, body).ConfigureAwait(false))
            {
                return;
            }

            var parts = Repository.Split('/');
            var prefix = "/org/" + parts[0] + "/_apis/git/repositories/" + parts[parts.Length - 1] + "/pullrequests";
            if (!path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                await Error(response, 404, "TF401019: The Git repository with name or identifier " + parts[parts.Length - 1] + " does not exist or you do not have permissions for the operation you are attempting.", "GitRepositoryNotFoundException").ConfigureAwait(false);
                return;
            }

            var rest = path.Substring(prefix.Length).Trim('/');
            if (request.HttpMethod != "GET" && ReadOnly)
            {
                await Error(response, 403, "TF401027: You need the Git 'PullRequestContribute' permission to perform this action.", "GitNeedsPermissionException").ConfigureAwait(false);
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
            else if (int.TryParse(rest, out var id) && request.HttpMethod == "PATCH")
            {
                var pr = Pulls.Find(id);
                if (pr is null)
                {
                    await Error(response, 404, "TF401180: The requested pull request was not found.", "GitPullRequestNotFoundException").ConfigureAwait(false);
                    return;
                }

                var json = ParseObject(body);
                pr.Title = Text(json, "title") ?? pr.Title;
                pr.Body = Text(json, "description") ?? pr.Body;
                pr.Edits++;
                await WriteJsonAsync(response, 200, Shape(pr)).ConfigureAwait(false);
            }
            else
            {
                await Error(response, 404, "The controller for path '" + path + "' was not found.", "HttpException").ConfigureAwait(false);
            }
        }

        private bool Authorized(string? header)
        {
            if (header is null)
            {
                return false;
            }

            if (header == "Bearer " + Token)
            {
                return true;
            }

            if (!header.StartsWith("Basic ", StringComparison.Ordinal))
            {
                return false;
            }

            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header.Substring(6)));
                return pair.Length > 0 && pair.Substring(pair.IndexOf(':') + 1) == Token;
            }
            catch (FormatException)
            {
                return false;
            }
        }

        private async Task ListAsync(HttpListenerRequest request, HttpListenerResponse response)
        {
            var status = request.QueryString["searchCriteria.status"] ?? "active";
            var source = request.QueryString["searchCriteria.sourceRefName"];
            var target = request.QueryString["searchCriteria.targetRefName"];
            var top = int.TryParse(request.QueryString["$top"], out var t) ? Math.Max(t, 1) : 101;
            var skip = int.TryParse(request.QueryString["$skip"], out var s) ? Math.Max(s, 0) : 0;
            var matching = Pulls.All
                .Where(p => status == "all" || AdoStatus(p) == status)
                .Where(p => source is null || "refs/heads/" + p.Head == source)
                .Where(p => target is null || "refs/heads/" + p.Base == target)
                .Skip(skip).Take(top).ToList();
            var list = new JsonArray();
            foreach (var p in matching)
            {
                list.Add(Shape(p));
            }

            await WriteJsonAsync(response, 200, new JsonObject { ["value"] = list, ["count"] = list.Count }).ConfigureAwait(false);
        }

        private async Task CreateAsync(HttpListenerResponse response, string text)
        {
            var body = ParseObject(text);
            var source = Text(body, "sourceRefName");
            var target = Text(body, "targetRefName");
            if (source is null || target is null || !source.StartsWith("refs/heads/", StringComparison.Ordinal) || !target.StartsWith("refs/heads/", StringComparison.Ordinal))
            {
                await Error(response, 400, "TF401398: The pull request cannot be activated because the source and/or the target branch no longer exists, or the requested refs are not branches", "InvalidArgumentValueException").ConfigureAwait(false);
                return;
            }

            var created = Pulls.Open(source.Substring(11), target.Substring(11), Text(body, "title") ?? string.Empty, Text(body, "description") ?? string.Empty);
            if (created is null)
            {
                await Error(response, 409, "TF401179: An active pull request for the source and target branch already exists.", "GitPullRequestExistsException").ConfigureAwait(false);
                return;
            }

            await WriteJsonAsync(response, 201, Shape(created)).ConfigureAwait(false);
        }

        private static string AdoStatus(StoredPullRequest p) => p.State == "open" ? "active" : "completed";

        private JsonObject Shape(StoredPullRequest p) => new JsonObject
        {
            ["pullRequestId"] = p.Number,
            ["status"] = AdoStatus(p),
            ["title"] = p.Title,
            ["description"] = p.Body,
            ["sourceRefName"] = "refs/heads/" + p.Head,
            ["targetRefName"] = "refs/heads/" + p.Base,
            ["url"] = Url + "org/" + Repository.Split('/')[0] + "/_apis/git/repositories/" + Repository.Split('/').Last() + "/pullRequests/" + p.Number,
        };

        private static Task Error(HttpListenerResponse response, int status, string message, string typeKey) =>
            WriteJsonAsync(response, status, new JsonObject { ["$id"] = "1", ["innerException"] = null, ["message"] = message, ["typeName"] = "Microsoft.TeamFoundation." + typeKey, ["typeKey"] = typeKey, ["errorCode"] = 0, ["eventId"] = 3000 });
    }
}
