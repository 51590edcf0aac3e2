using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Http;
using ImageUpdater.Core.Registries;

namespace ImageUpdater.Core.Argo
{
    /// <summary>The Argo CD REST API calls image updating needs: list, get and JSON-patch Applications, and log in.</summary>
    public sealed class ArgoCDClient : IDisposable
    {
        /// <summary>The error id of a PATCH whose <c>test</c> operation failed: someone changed the Application since it was read.</summary>
        public const string ChangedErrorId = "ArgoApplicationChanged";

        // Reads go through the shared retry handler (throttling, 5xx); a PATCH is sent once, since its failures are decided by the write-back.
        private readonly HttpClient reads;
        private readonly HttpClient writes;
        private readonly HttpMessageHandler? ownedHandler;

        public ArgoCDClient(ArgoCDConnection connection, HttpMessageHandler? handler = null, RetryPolicy? retryPolicy = null)
        {
            Connection = connection;
            var inner = handler ?? (ownedHandler = CreateHandler(connection.SkipCertificateCheck));
            reads = Configure(new HttpClient(new RetryHandler(retryPolicy, inner), disposeHandler: false), connection);
            writes = Configure(new HttpClient(inner, disposeHandler: false), connection);
        }

        public ArgoCDConnection Connection { get; }

        /// <summary>Where Applications read by this client come from (their Origin).</summary>
        public string Origin => Connection.Server.ToString();

        /// <summary>GET /api/v1/applications, filtered by the server on projects, label selector and namespace.</summary>
        public async Task<IReadOnlyList<JsonElement>> ListApplicationsAsync(IEnumerable<string>? projects, string? selector, string? appNamespace, CancellationToken cancellationToken = default)
        {
            var query = new List<KeyValuePair<string, string>>();
            foreach (var project in projects ?? Enumerable.Empty<string>())
            {
                query.Add(new KeyValuePair<string, string>("projects", project));
            }

            AddIfSet(query, "selector", selector);
            AddIfSet(query, "appNamespace", appNamespace);
            using var doc = await SendAsync(HttpMethod.Get, "api/v1/applications" + ToQuery(query), null, "get", projects?.FirstOrDefault() ?? "*", "*", cancellationToken).ConfigureAwait(false);
            if (doc.RootElement.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
            {
                return items.EnumerateArray().Select(i => i.Clone()).ToList();
            }

            // Go marshals an empty list as "items": null, or leaves it out.
            return Array.Empty<JsonElement>();
        }

        /// <summary>GET /api/v1/applications/{name}. With a project, a missing application is a 404 rather than Argo CD's ambiguous 403.</summary>
        public async Task<JsonElement> GetApplicationAsync(string name, string? appNamespace, string? project, CancellationToken cancellationToken = default)
        {
            var query = new List<KeyValuePair<string, string>>();
            AddIfSet(query, "appNamespace", appNamespace);
            AddIfSet(query, "project", project);
            using var doc = await SendAsync(HttpMethod.Get, "api/v1/applications/" + Uri.EscapeDataString(name) + ToQuery(query), null, "get", project, name, cancellationToken).ConfigureAwait(false);
            return doc.RootElement.Clone();
        }

        /// <summary>PATCH /api/v1/applications/{name} with an RFC 6902 JSON Patch; a failed <c>test</c> operation throws <see cref="ChangedErrorId"/>.</summary>
        public async Task<JsonElement> PatchApplicationAsync(string name, string? appNamespace, string? project, string jsonPatch, CancellationToken cancellationToken = default)
        {
            var body = new Dictionary<string, string>
            {
                ["name"] = name,
                ["patch"] = jsonPatch,
                ["patchType"] = "json",
            };
            if (!string.IsNullOrEmpty(appNamespace))
            {
                body["appNamespace"] = appNamespace!;
            }

            if (!string.IsNullOrEmpty(project))
            {
                body["project"] = project!;
            }

            using var doc = await SendAsync(new HttpMethod("PATCH"), "api/v1/applications/" + Uri.EscapeDataString(name), JsonSerializer.Serialize(body), "update", project, name, cancellationToken).ConfigureAwait(false);
            return doc.RootElement.Clone();
        }

        /// <summary>GET /api/v1/session/userinfo: the user name the token belongs to (checks the token).</summary>
        public async Task<string?> GetUserNameAsync(CancellationToken cancellationToken = default)
        {
            using var doc = await SendAsync(HttpMethod.Get, "api/v1/session/userinfo", null, "get", null, "session", cancellationToken).ConfigureAwait(false);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("loggedIn", out var loggedIn) && loggedIn.ValueKind == JsonValueKind.False)
            {
                throw new ImageUpdaterException("ArgoCDAuthenticationFailed", FailureKind.AuthenticationError, $"Argo CD at {Connection.Server} does not accept this token: token expired or invalid. Create a new one and run Connect-ArgoCD again.", Connection.Server.ToString());
            }

            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("username", out var user) && user.ValueKind == JsonValueKind.String ? user.GetString() : null;
        }

        /// <summary>POST /api/v1/session: exchanges a local user's name and password for a session token.</summary>
        public static async Task<string> CreateSessionAsync(string server, string username, string password, bool skipCertificateCheck, HttpMessageHandler? handler = null, CancellationToken cancellationToken = default)
        {
            var baseUri = ArgoCDConnection.NormalizeServer(server);
            using var http = new HttpClient(handler ?? CreateHandler(skipCertificateCheck), disposeHandler: handler is null) { BaseAddress = baseUri };
            var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["username"] = username, ["password"] = password });
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/session") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            using var response = await SendRawAsync(http, request, baseUri, cancellationToken).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized || response.StatusCode == HttpStatusCode.Forbidden)
            {
                throw new ImageUpdaterException("ArgoCDLoginFailed", FailureKind.AuthenticationError, $"Argo CD at {baseUri} rejected the user name or password of '{username}' ({ErrorMessage(text)}). Check the credential, or use an API token (-Token or ARGOCD_AUTH_TOKEN).", server);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw Failure(response.StatusCode, text, baseUri, "create", null, "session");
            }

            using var doc = ParseJson(text, baseUri);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("token", out var token) && token.ValueKind == JsonValueKind.String)
            {
                return token.GetString()!;
            }

            throw new ImageUpdaterException("ArgoCDLoginFailed", FailureKind.InvalidData, $"Argo CD at {baseUri} answered the login without a token: is this an Argo CD API server?", server);
        }

        public void Dispose()
        {
            reads.Dispose();
            writes.Dispose();
            ownedHandler?.Dispose();
        }

        private static HttpClient Configure(HttpClient client, ArgoCDConnection connection)
        {
            client.BaseAddress = connection.Server;
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", connection.Token);
            client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            return client;
        }

        private async Task<JsonDocument> SendAsync(HttpMethod method, string relative, string? json, string action, string? project, string name, CancellationToken cancellationToken)
        {
            using var request = new HttpRequestMessage(method, relative);
            if (json is not null)
            {
                request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            }

            using var response = await SendRawAsync(method == HttpMethod.Get ? reads : writes, request, Connection.Server, cancellationToken).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw Failure(response.StatusCode, text, Connection.Server, action, project, name);
            }

            return ParseJson(text, Connection.Server);
        }

        private static async Task<HttpResponseMessage> SendRawAsync(HttpClient http, HttpRequestMessage request, Uri server, CancellationToken cancellationToken)
        {
            try
            {
                return await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when (FindTlsFailure(ex) is { } tls)
            {
                throw new ImageUpdaterException("ArgoCDTlsFailure", FailureKind.SecurityError, $"The TLS connection to Argo CD at {server} failed: {tls.Message} Trust the server's certificate authority; only for a test server with a self-signed certificate, add -SkipCertificateCheck.", server.ToString(), ex);
            }
            catch (HttpRequestException ex)
            {
                throw new ImageUpdaterException("ArgoCDUnreachable", FailureKind.ConnectionError, $"Cannot reach Argo CD at {server}: {ex.Message} Check the address (-Server) and that the API server is reachable from here.", server.ToString(), ex);
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ImageUpdaterException("ArgoCDTimeout", FailureKind.OperationTimeout, $"Argo CD at {server} did not answer within {http.Timeout.TotalSeconds:0} s.", server.ToString(), ex);
            }
        }

        private static Exception? FindTlsFailure(Exception ex)
        {
            for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
            {
                if (inner is System.Security.Authentication.AuthenticationException)
                {
                    return inner;
                }
            }

            // net472 reports certificate failures as a WebException with TrustFailure/SecureChannelFailure.
            return ex.InnerException is WebException web && (web.Status == WebExceptionStatus.TrustFailure || web.Status == WebExceptionStatus.SecureChannelFailure) ? web : null;
        }

        /// <summary>Maps an Argo CD error answer to a failure that says what to do; the token is never part of it.</summary>
        internal static ImageUpdaterException Failure(HttpStatusCode status, string body, Uri server, string action, string? project, string name)
        {
            var message = ErrorMessage(body);
            var permission = $"applications, {action}, {project ?? "*"}/{name}";
            switch ((int)status)
            {
                case 401:
                    return new ImageUpdaterException("ArgoCDAuthenticationFailed", FailureKind.AuthenticationError, $"Argo CD at {server} rejected the token: token expired or invalid ({message}). Create a new one (argocd account generate-token) and pass it with -Token or ARGOCD_AUTH_TOKEN, or run Connect-ArgoCD again.", name);
                case 403:
                    var ambiguous = action == "get" && project is null && name != "*"
                        ? $" Argo CD also answers 403 for an application that does not exist; pass -Project to tell the two apart."
                        : string.Empty;
                    return new ImageUpdaterException("ArgoCDPermissionDenied", FailureKind.PermissionDenied, $"Argo CD at {server} denied '{permission}' to this token ({message}). Grant it in argocd-rbac-cm policy.csv, e.g. 'p, role:image-updater, applications, {action}, {project ?? "*"}/*, allow'.{ambiguous}", name);
                case 404:
                    return new ImageUpdaterException("ArgoApplicationNotFound", FailureKind.ObjectNotFound, $"Argo CD at {server} has no application '{name}'{(project is null ? string.Empty : " in project '" + project + "'")} ({message}). Check the name, -Project and -AppNamespace.", name);
                case 400:
                    return new ImageUpdaterException("ArgoCDBadRequest", FailureKind.InvalidArgument, $"Argo CD at {server} refused the request for '{name}': {message}", name);
                case 409:
                    return new ImageUpdaterException(ChangedErrorId, FailureKind.ResourceExists, $"Argo CD at {server} reported a conflict on '{name}': {message}", name);
                default:
                    if (message.IndexOf("test failed", StringComparison.OrdinalIgnoreCase) >= 0)
                    {
                        return new ImageUpdaterException(ChangedErrorId, FailureKind.ResourceUnavailable, $"Application '{name}' changed on {server} since it was read ({message}).", name);
                    }

                    return new ImageUpdaterException("ArgoCDServerError", (int)status >= 500 ? FailureKind.ResourceUnavailable : FailureKind.InvalidOperation, $"Argo CD at {server} failed to {action} '{name}' (HTTP {(int)status}): {message}", name);
            }
        }

        /// <summary>The message of an Argo CD error body <c>{error, code, message}</c>, or the start of a non-JSON body.</summary>
        internal static string ErrorMessage(string body)
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    foreach (var key in new[] { "message", "error" })
                    {
                        if (doc.RootElement.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0)
                        {
                            return value.GetString()!;
                        }
                    }
                }
            }
            catch (JsonException)
            {
            }

            var trimmed = body.Trim();
            return trimmed.Length == 0 ? "no details" : (trimmed.Length > 200 ? trimmed.Substring(0, 200) + "…" : trimmed);
        }

        private static JsonDocument ParseJson(string text, Uri server)
        {
            try
            {
                return JsonDocument.Parse(text);
            }
            catch (JsonException ex)
            {
                throw new ImageUpdaterException("ArgoCDInvalidAnswer", FailureKind.InvalidData, $"{server} did not answer with JSON: is it the Argo CD API server (and its --rootpath)?", server.ToString(), ex);
            }
        }

        private static HttpMessageHandler CreateHandler(bool skipCertificateCheck)
        {
            var handler = new HttpClientHandler();
            if (skipCertificateCheck)
            {
                handler.ServerCertificateCustomValidationCallback = (_, _, _, _) => true;
            }

            return handler;
        }

        private static void AddIfSet(List<KeyValuePair<string, string>> query, string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                query.Add(new KeyValuePair<string, string>(key, value!));
            }
        }

        private static string ToQuery(List<KeyValuePair<string, string>> query) =>
            query.Count == 0 ? string.Empty : "?" + string.Join("&", query.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
    }
}
