using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;

namespace ImageUpdater.Emulators.ArgoCD
{
    /// <summary>
    /// A loopback Argo CD API server (the paths of shared/data/api-models/argocd-swagger-excerpt.json that image updating uses):
    /// list, get and PATCH applications, session login, userinfo and version. Bearer JWTs signed by the emulator, RBAC from a
    /// policy.csv, RFC 6902 patches with test semantics, Argo CD's error bodies and status codes.
    /// Test hooks under /__emulator: POST applications (create or replace), POST applications/{ns}/{name}/interfere (a JSON Patch
    /// applied just before the next PATCH of that application, as a concurrent writer would), GET requests (what was asked).
    /// </summary>
    public sealed class ArgoCDEmulator : LoopbackHttpServer
    {
        private readonly byte[] signingKey = RandomNumberGenerator.GetBytes(32);
        private readonly ArgoCDEmulatorOptions options;
        private readonly ArgoCDRbac rbac;
        private readonly ConcurrentDictionary<string, JsonArray> interference = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<JsonObject> requests = new();
        private readonly TlsProbeEndpoint? tls;
        private int failuresLeft;

        public ArgoCDEmulator(ArgoCDEmulatorOptions options)
        {
            this.options = options;
            rbac = ArgoCDRbac.FromFile(options.PolicyFile);
            Store = new ApplicationStore(options.Namespace);
            foreach (var folder in options.DocumentFolders)
            {
                Store.LoadFolder(folder);
            }

            foreach (var file in options.SeedFiles)
            {
                Store.LoadFile(file);
            }

            Tokens = options.Accounts.Keys.ToDictionary(a => a, a => IssueToken(a + ":apiKey", expires: null), StringComparer.Ordinal);
            ExpiredToken = IssueToken("image-updater:apiKey", DateTimeOffset.UtcNow.AddHours(-1));
            tls = options.Tls ? new TlsProbeEndpoint() : null;
            failuresLeft = options.FailFirst;
        }

        public ApplicationStore Store { get; }

        /// <summary>An API key per account (JWT, subject <c>&lt;account&gt;:apiKey</c>).</summary>
        public IReadOnlyDictionary<string, string> Tokens { get; }

        /// <summary>A correctly signed token whose exp has passed.</summary>
        public string ExpiredToken { get; }

        [Emulator("argocd")]
        public static Task<IEmulator> Start(string[] args) => Task.FromResult<IEmulator>(new ArgoCDEmulator(ArgoCDEmulatorOptions.Parse(args)));

        public override string Describe()
        {
            var description = new JsonObject
            {
                ["url"] = Url,
                ["namespace"] = options.Namespace,
                ["tokens"] = new JsonObject(Tokens.Select(t => new KeyValuePair<string, JsonNode?>(t.Key, t.Value))),
                ["expiredToken"] = ExpiredToken,
                ["passwords"] = new JsonObject(options.Accounts.Where(a => a.Value is not null).Select(a => new KeyValuePair<string, JsonNode?>(a.Key, a.Value))),
            };
            if (tls is not null)
            {
                description["tlsUrl"] = tls.Url;
            }

            return description.ToJsonString();
        }

        protected override async Task HandleAsync(HttpListenerContext context)
        {
            var request = context.Request;
            var response = context.Response;
            var path = request.Url!.AbsolutePath;
            var body = request.HasEntityBody ? await ReadBodyAsync(request).ConfigureAwait(false) : null;

            if (path.StartsWith("/__emulator/", StringComparison.Ordinal))
            {
                await HandleTestHookAsync(response, request.HttpMethod, path.Substring("/__emulator/".Length), body).ConfigureAwait(false);
                return;
            }

            requests.Enqueue(new JsonObject { ["method"] = request.HttpMethod, ["path"] = path, ["query"] = request.Url.Query, ["body"] = body });
            if (System.Threading.Interlocked.Decrement(ref failuresLeft) >= 0)
            {
                await ErrorAsync(response, 503, 14, "emulator: the API server is unavailable (--fail-first)").ConfigureAwait(false);
                return;
            }

            if (path == "/api/version" && request.HttpMethod == "GET")
            {
                await WriteJsonAsync(response, 200, new JsonObject { ["Version"] = "v3.6.0+emulator" }).ConfigureAwait(false);
                return;
            }

            if (path == "/api/v1/session" && request.HttpMethod == "POST")
            {
                await CreateSessionAsync(response, body).ConfigureAwait(false);
                return;
            }

            var account = Authenticate(request, out var authError);
            if (account is null)
            {
                await ErrorAsync(response, 401, 16, authError!).ConfigureAwait(false);
                return;
            }

            if (path == "/api/v1/session/userinfo" && request.HttpMethod == "GET")
            {
                await WriteJsonAsync(response, 200, new JsonObject { ["loggedIn"] = true, ["username"] = account, ["iss"] = "argocd" }).ConfigureAwait(false);
                return;
            }

            const string prefix = "/api/v1/applications";
            if (path == prefix && request.HttpMethod == "GET")
            {
                await ListAsync(response, request.QueryString, account).ConfigureAwait(false);
                return;
            }

            if (path.StartsWith(prefix + "/", StringComparison.Ordinal) && path.IndexOf('/', prefix.Length + 1) < 0)
            {
                var name = Uri.UnescapeDataString(path.Substring(prefix.Length + 1));
                switch (request.HttpMethod)
                {
                    case "GET":
                        await GetAsync(response, name, request.QueryString, account).ConfigureAwait(false);
                        return;
                    case "PATCH":
                        await PatchAsync(response, name, body, account).ConfigureAwait(false);
                        return;
                }
            }

            // grpc-gateway answers unknown routes with NotFound and a JSON body.
            await ErrorAsync(response, 404, 5, "Not Found").ConfigureAwait(false);
        }

        public override async ValueTask DisposeAsync()
        {
            tls?.Dispose();
            await base.DisposeAsync().ConfigureAwait(false);
        }

        private async Task ListAsync(HttpListenerResponse response, System.Collections.Specialized.NameValueCollection query, string account)
        {
            var projects = (query.GetValues("projects") ?? Array.Empty<string>()).Concat(query.GetValues("project") ?? Array.Empty<string>()).ToHashSet(StringComparer.Ordinal);
            Func<IReadOnlyDictionary<string, string>, bool> selector;
            try
            {
                selector = LabelSelector.Parse(query["selector"]);
            }
            catch (FormatException ex)
            {
                await ErrorAsync(response, 400, 3, "error parsing the selector: " + ex.Message).ConfigureAwait(false);
                return;
            }

            var name = query["name"];
            var repo = query["repo"];
            var items = new JsonArray();
            foreach (var app in Store.List(string.IsNullOrEmpty(query["appNamespace"]) ? null : query["appNamespace"]))
            {
                if ((projects.Count == 0 || projects.Contains(ApplicationStore.Project(app)))
                    && selector(ApplicationStore.Labels(app))
                    && (string.IsNullOrEmpty(name) || ApplicationStore.Name(app) == name)
                    && (string.IsNullOrEmpty(repo) || RepoUrls(app).Contains(repo))
                    && rbac.Enforce(account, "applications", "get", RbacObject(app)))
                {
                    items.Add(app);
                }
            }

            await WriteJsonAsync(response, 200, new JsonObject { ["metadata"] = new JsonObject { ["resourceVersion"] = "1" }, ["items"] = items }).ConfigureAwait(false);
        }

        private async Task GetAsync(HttpListenerResponse response, string name, System.Collections.Specialized.NameValueCollection query, string account)
        {
            var project = query["project"] ?? query["projects"];
            var app = await FindAuthorizedAsync(response, name, query["appNamespace"], project, account, "get").ConfigureAwait(false);
            if (app is not null)
            {
                await WriteJsonAsync(response, 200, app).ConfigureAwait(false);
            }
        }

        private async Task PatchAsync(HttpListenerResponse response, string name, string? body, string account)
        {
            JsonObject? request;
            try
            {
                request = body is null ? null : JsonNode.Parse(body) as JsonObject;
            }
            catch (JsonException ex)
            {
                await ErrorAsync(response, 400, 3, "invalid request body: " + ex.Message).ConfigureAwait(false);
                return;
            }

            if (request is null || request["patch"] is not JsonValue patchValue || !patchValue.TryGetValue<string>(out var patchText))
            {
                await ErrorAsync(response, 400, 3, "the request needs a \"patch\" string").ConfigureAwait(false);
                return;
            }

            if ((string?)request["name"] is { Length: > 0 } bodyName && bodyName != name)
            {
                await ErrorAsync(response, 400, 3, $"the name in the body ({bodyName}) differs from the name in the path ({name})").ConfigureAwait(false);
                return;
            }

            var app = await FindAuthorizedAsync(response, name, (string?)request["appNamespace"], (string?)request["project"], account, "update").ConfigureAwait(false);
            if (app is null)
            {
                return;
            }

            var ns = ApplicationStore.Namespace(app);
            if (interference.TryRemove(ns + "/" + name, out var concurrent))
            {
                Store.Update(ns, name, current => (JsonObject)JsonPatchDocument.Apply(current, concurrent));
            }

            var patchType = (string?)request["patchType"] ?? string.Empty;
            if (patchType != "json" && patchType != "merge" && patchType.Length > 0)
            {
                await ErrorAsync(response, 400, 3, $"Patch type '{patchType}' is not supported").ConfigureAwait(false);
                return;
            }

            JsonNode? patch;
            try
            {
                patch = JsonNode.Parse(patchText);
            }
            catch (JsonException ex)
            {
                await ErrorAsync(response, 500, 2, "error decoding json patch: " + ex.Message).ConfigureAwait(false);
                return;
            }

            try
            {
                var updated = Store.Update(ns, name, current =>
                {
                    var patched = patchType == "merge"
                        ? JsonPatchDocument.Merge(current, patch) as JsonObject
                        : JsonPatchDocument.Apply(current, patch as JsonArray ?? throw new JsonPatchException("a JSON Patch is an array of operations")) as JsonObject;
                    if (patched?["spec"] is not JsonObject spec || (spec["source"] is null && spec["sources"] is null))
                    {
                        throw new ArgumentException("application spec for " + name + " is invalid: spec.source or spec.sources is required");
                    }

                    // Like Argo CD's updateApp: only spec, labels, annotations and finalizers of the patched object are kept.
                    current["spec"] = spec.DeepClone();
                    var metadata = (JsonObject)current["metadata"]!;
                    foreach (var field in new[] { "labels", "annotations", "finalizers" })
                    {
                        metadata[field] = patched["metadata"]?[field]?.DeepClone();
                        if (metadata[field] is null)
                        {
                            metadata.Remove(field);
                        }
                    }

                    return current;
                });
                await WriteJsonAsync(response, 200, updated).ConfigureAwait(false);
            }
            catch (JsonPatchException ex)
            {
                // Argo CD returns the patch library's error as a plain error: grpc Unknown, HTTP 500.
                await ErrorAsync(response, 500, 2, "error applying patch: " + ex.Message).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                await ErrorAsync(response, 400, 3, ex.Message).ConfigureAwait(false);
            }
        }

        /// <summary>The application when the account may act on it; otherwise answers 403 or 404 as Argo CD does and returns null.</summary>
        private async Task<JsonObject?> FindAuthorizedAsync(HttpListenerResponse response, string name, string? appNamespace, string? project, string account, string action)
        {
            var ns = string.IsNullOrEmpty(appNamespace) ? options.Namespace : appNamespace!;
            var app = Store.Get(ns, name);
            var projectMismatch = app is not null && !string.IsNullOrEmpty(project) && ApplicationStore.Project(app) != project;
            if (app is null || projectMismatch)
            {
                // Without a project Argo CD cannot tell "missing" from "forbidden" without leaking, so it says permission denied.
                if (string.IsNullOrEmpty(project))
                {
                    await ErrorAsync(response, 403, 7, $"permission denied: applications, {action}, */{name}, sub: {account}").ConfigureAwait(false);
                }
                else
                {
                    await ErrorAsync(response, 404, 5, $"applications.argoproj.io \"{name}\" not found").ConfigureAwait(false);
                }

                return null;
            }

            var obj = RbacObject(app);
            if (!rbac.Enforce(account, "applications", action, obj))
            {
                await ErrorAsync(response, 403, 7, $"permission denied: applications, {action}, {obj}, sub: {account}").ConfigureAwait(false);
                return null;
            }

            return app;
        }

        private string RbacObject(JsonObject app)
        {
            var ns = ApplicationStore.Namespace(app);
            return ns == options.Namespace
                ? ApplicationStore.Project(app) + "/" + ApplicationStore.Name(app)
                : ApplicationStore.Project(app) + "/" + ns + "/" + ApplicationStore.Name(app);
        }

        private static HashSet<string> RepoUrls(JsonObject app)
        {
            var urls = new HashSet<string>(StringComparer.Ordinal);
            if ((string?)app["spec"]?["source"]?["repoURL"] is { } single)
            {
                urls.Add(single);
            }

            foreach (var source in (app["spec"]?["sources"] as JsonArray ?? new JsonArray()).OfType<JsonObject>())
            {
                if ((string?)source["repoURL"] is { } url)
                {
                    urls.Add(url);
                }
            }

            return urls;
        }

        private async Task CreateSessionAsync(HttpListenerResponse response, string? body)
        {
            string? username = null;
            string? password = null;
            try
            {
                if (body is not null && JsonNode.Parse(body) is JsonObject login)
                {
                    username = (string?)login["username"];
                    password = (string?)login["password"];
                }
            }
            catch (JsonException)
            {
            }

            if (username is null || password is null || !options.Accounts.TryGetValue(username, out var expected) || expected is null || expected != password)
            {
                await ErrorAsync(response, 401, 16, "Invalid username or password").ConfigureAwait(false);
                return;
            }

            var token = IssueToken(username, DateTimeOffset.UtcNow.AddHours(24));
            response.Headers.Add("Set-Cookie", "argocd.token=" + token + "; path=/; SameSite=lax; httpOnly; Secure");
            await WriteJsonAsync(response, 200, new JsonObject { ["token"] = token }).ConfigureAwait(false);
        }

        /// <summary>The account of a valid bearer token (subject without <c>:apiKey</c>), or null with Argo CD's message.</summary>
        private string? Authenticate(HttpListenerRequest request, out string? error)
        {
            var token = BearerToken(request) ?? request.Cookies["argocd.token"]?.Value;
            if (string.IsNullOrEmpty(token))
            {
                error = "no session information";
                return null;
            }

            var parts = token!.Split('.');
            if (parts.Length != 3 || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(parts[0] + "." + parts[1])), Encoding.ASCII.GetBytes(parts[2])))
            {
                error = "invalid session: token signature is invalid";
                return null;
            }

            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            if (payload.RootElement.TryGetProperty("exp", out var exp) && DateTimeOffset.FromUnixTimeSeconds(exp.GetInt64()) < DateTimeOffset.UtcNow)
            {
                error = "invalid session: token has invalid claims: token is expired";
                return null;
            }

            var subject = payload.RootElement.GetProperty("sub").GetString()!;
            var account = subject.EndsWith(":apiKey", StringComparison.Ordinal) ? subject.Substring(0, subject.Length - ":apiKey".Length) : subject;
            if (!options.Accounts.ContainsKey(account))
            {
                error = $"invalid session: account {account} does not exist";
                return null;
            }

            error = null;
            return account;
        }

        private string IssueToken(string subject, DateTimeOffset? expires)
        {
            var header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"));
            var claims = new JsonObject { ["iss"] = "argocd", ["sub"] = subject, ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["jti"] = Guid.NewGuid().ToString() };
            if (expires is not null)
            {
                claims["exp"] = expires.Value.ToUnixTimeSeconds();
            }

            var payload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString()));
            return header + "." + payload + "." + Sign(header + "." + payload);
        }

        private string Sign(string data)
        {
            using var hmac = new HMACSHA256(signingKey);
            return Base64Url.EncodeToString(hmac.ComputeHash(Encoding.ASCII.GetBytes(data)));
        }

        private async Task HandleTestHookAsync(HttpListenerResponse response, string method, string hook, string? body)
        {
            var segments = hook.Split('/');
            if (method == "POST" && hook == "applications" && body is not null && JsonNode.Parse(body) is JsonObject app)
            {
                await WriteJsonAsync(response, 200, Store.Put(app)).ConfigureAwait(false);
            }
            else if (method == "POST" && segments.Length == 4 && segments[0] == "applications" && segments[3] == "interfere" && body is not null && JsonNode.Parse(body) is JsonArray patch)
            {
                interference[segments[1] + "/" + segments[2]] = patch;
                await WriteJsonAsync(response, 200, new JsonObject()).ConfigureAwait(false);
            }
            else if (method == "GET" && hook == "requests")
            {
                await WriteJsonAsync(response, 200, new JsonArray(requests.Select(r => (JsonNode)r.DeepClone()).ToArray())).ConfigureAwait(false);
            }
            else
            {
                await ErrorAsync(response, 404, 5, "no such test hook: " + method + " " + hook).ConfigureAwait(false);
            }
        }

        private static Task ErrorAsync(HttpListenerResponse response, int status, int code, string message) =>
            WriteJsonAsync(response, status, new JsonObject { ["error"] = message, ["code"] = code, ["message"] = message, ["details"] = new JsonArray() });

        private static class Base64Url
        {
            public static string EncodeToString(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

            public static byte[] DecodeFromChars(string text)
            {
                var s = text.Replace('-', '+').Replace('_', '/');
                return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
            }
        }
    }

    /// <summary>Options: --documents DIR (every Application *.json in it), --seed FILE, --namespace NS, --policy policy.csv, --account NAME[:PASSWORD], --tls, --fail-first N.</summary>
    public sealed class ArgoCDEmulatorOptions
    {
        public List<string> DocumentFolders { get; } = new List<string>();

        public List<string> SeedFiles { get; } = new List<string>();

        public string Namespace { get; set; } = "argocd";

        public string? PolicyFile { get; set; }

        /// <summary>Account → password (null: API key only). Defaults: admin (password "password"), image-updater, readonly.</summary>
        public Dictionary<string, string?> Accounts { get; } = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["admin"] = "password",
            ["image-updater"] = null,
            ["readonly"] = null,
        };

        /// <summary>The first N API requests answer 503 Unavailable (for retry tests).</summary>
        public int FailFirst { get; set; }

        /// <summary>Also listen on a TLS port with a self-signed certificate (for certificate-failure tests).</summary>
        public bool Tls { get; set; }

        public static ArgoCDEmulatorOptions Parse(string[] args)
        {
            var options = new ArgoCDEmulatorOptions();
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"'{args[i]}' needs a value.");
                switch (args[i])
                {
                    case "--documents": options.DocumentFolders.Add(Next()); break;
                    case "--seed": options.SeedFiles.Add(Next()); break;
                    case "--namespace": options.Namespace = Next(); break;
                    case "--policy": options.PolicyFile = Next(); break;
                    case "--account":
                        var parts = Next().Split(':', 2);
                        options.Accounts[parts[0]] = parts.Length > 1 ? parts[1] : null;
                        break;
                    case "--tls": options.Tls = true; break;
                    case "--fail-first": options.FailFirst = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                    default: throw new ArgumentException($"Unknown option '{args[i]}'. Options: --documents DIR, --seed FILE, --namespace NS, --policy FILE, --account NAME[:PASSWORD], --tls, --fail-first N.");
                }
            }

            return options;
        }
    }
}
