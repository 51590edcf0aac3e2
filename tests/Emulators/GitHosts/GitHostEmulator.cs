using System;
using System.Linq;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace ImageUpdater.Emulators.GitHosts
{
    /// <summary>
    /// Shared part of the GitHub, GitLab and Azure DevOps stand-ins: one repository, one token (optionally read-only),
    /// a number of throttled answers before real ones, and a test-only <c>/_emulator/pulls</c> view of the stored requests.
    /// Options: --token T, --repo owner/name, --read-only, --throttle N, --bare PATH (the bare repository behind the commit endpoints).
    /// </summary>
    public abstract partial class GitHostEmulator : LoopbackHttpServer
    {
        private int throttleLeft;

        protected GitHostEmulator(string[] options)
        {
            Token = Option(options, "--token") ?? "test-token";
            Repository = Option(options, "--repo") ?? "org/app";
            ReadOnly = options.Contains("--read-only");
            throttleLeft = int.TryParse(Option(options, "--throttle"), out var n) ? n : 0;
            Backing = Option(options, "--bare") is { } bare ? new HostRepository(bare) : null;
        }

        public string Token { get; }

        /// <summary>owner/name (GitHub), group/project (GitLab), or project/repository (Azure DevOps, under organization "org").</summary>
        public string Repository { get; }

        /// <summary>The token may read but not write: writes answer as the real host does for a missing permission.</summary>
        public bool ReadOnly { get; set; }

        public PullRequestStore Pulls { get; } = new PullRequestStore();

        /// <summary>Requests answered (throttled ones included), for tests of retries.</summary>
        public int Requests;

        public override string Describe() => new JsonObject { ["url"] = Url, ["token"] = Token, ["repo"] = Repository }.ToJsonString();

        protected sealed override async Task HandleAsync(HttpListenerContext context)
        {
            Interlocked.Increment(ref Requests);
            var path = context.Request.Url!.AbsolutePath;
            if (path == "/_emulator/pulls")
            {
                await AdminAsync(context).ConfigureAwait(false);
                return;
            }

            if (path.StartsWith("/_emulator/", StringComparison.Ordinal))
            {
                await RepositoryAdminAsync(context, path).ConfigureAwait(false);
                return;
            }

            if (Interlocked.Decrement(ref throttleLeft) >= 0)
            {
                await ThrottleAsync(context.Response).ConfigureAwait(false);
                return;
            }

            await ServeAsync(context, path, await ReadBodyAsync(context.Request).ConfigureAwait(false)).ConfigureAwait(false);
        }

        protected abstract Task ServeAsync(HttpListenerContext context, string path, string body);

        /// <summary>The host's own rate-limit answer.</summary>
        protected abstract Task ThrottleAsync(HttpListenerResponse response);

        protected static string? Option(string[] options, string name)
        {
            var i = Array.IndexOf(options, name);
            return i >= 0 && i + 1 < options.Length ? options[i + 1] : null;
        }

        protected static JsonObject? ParseObject(string body)
        {
            try
            {
                return JsonNode.Parse(body) as JsonObject;
            }
            catch (System.Text.Json.JsonException)
            {
                return null;
            }
        }

        protected static string? Text(JsonObject? body, string name) => body?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

        private async Task AdminAsync(HttpListenerContext context)
        {
            if (context.Request.HttpMethod == "POST")
            {
                Pulls.AddClosed(context.Request.QueryString["head"] ?? string.Empty, context.Request.QueryString["base"] ?? "main");
            }

            var list = new JsonArray();
            foreach (var p in Pulls.All)
            {
                list.Add(new JsonObject { ["number"] = p.Number, ["head"] = p.Head, ["base"] = p.Base, ["title"] = p.Title, ["body"] = p.Body, ["state"] = p.State, ["edits"] = p.Edits });
            }

            await WriteJsonAsync(context.Response, 200, list).ConfigureAwait(false);
        }
    }
}
