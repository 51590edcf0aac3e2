using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ImageUpdater.Core.WriteBack.Hosts
{
    /// <summary>A source of the token for a host API call; a GitHub App installation token can stand behind it as well as a PAT.</summary>
    public interface IGitHostToken
    {
        Task<string> GetAsync(CancellationToken cancellationToken);
    }

    /// <summary>A fixed token (PAT, project access token, Azure DevOps PAT or an Entra ID bearer token).</summary>
    public sealed class StaticGitHostToken : IGitHostToken
    {
        private readonly string token;

        public StaticGitHostToken(string token)
        {
            this.token = token;
        }

        public Task<string> GetAsync(CancellationToken cancellationToken) => Task.FromResult(token);
    }

    /// <summary>A host API call that failed, with the permission the token lacks when the status says so. Never holds the token.</summary>
    public sealed class GitHostApiException : Exception
    {
        public GitHostApiException(string message, int status, string? permission)
            : base(message)
        {
            Status = status;
            Permission = permission;
        }

        public int Status { get; }

        /// <summary>The permission a 401/403/404 points at (e.g. GitHub <c>pull_requests: write</c>), else null.</summary>
        public string? Permission { get; }
    }

    /// <summary>
    /// JSON calls to one host API with the host's authentication form (GitHub Bearer, GitLab PRIVATE-TOKEN, Azure DevOps Basic
    /// with the PAT as password, or Bearer for a JWT), and errors mapped to <see cref="GitHostApiException"/>. Throttling is retried
    /// by the <see cref="Http.RetryHandler"/> the caller's client is built on.
    /// </summary>
    public sealed class GitHostApi
    {
        private readonly HttpClient client;
        private readonly IGitHostToken token;

        public GitHostApi(GitHostEndpoint endpoint, IGitHostToken token, HttpClient client)
        {
            Endpoint = endpoint;
            this.token = token;
            this.client = client;
        }

        public GitHostEndpoint Endpoint { get; }

        /// <summary>Sends <paramref name="body"/> (null → none) to <paramref name="relative"/>; returns the parsed JSON and the response headers.</summary>
        public async Task<(JsonElement Json, HttpResponseHeaders Headers)> SendAsync(HttpMethod method, string relative, object? body, string permission, CancellationToken cancellationToken)
        {
            using var request = await RequestAsync(method, relative, cancellationToken).ConfigureAwait(false);
            if (body is not null)
            {
                request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
            }

            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var text = response.Content is null ? string.Empty : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw Failure(method, relative, (int)response.StatusCode, text, permission, response.Headers);
            }

            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "null" : text);
            return (document.RootElement.Clone(), response.Headers);
        }

        /// <summary>GETs <paramref name="relative"/> as raw bytes (Accept application/octet-stream), e.g. a file's content as stored.</summary>
        public async Task<byte[]> GetBytesAsync(string relative, string permission, CancellationToken cancellationToken)
        {
            using var request = await RequestAsync(HttpMethod.Get, relative, cancellationToken).ConfigureAwait(false);
            request.Headers.Accept.Clear();
            request.Headers.Accept.ParseAdd("application/octet-stream");
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var bytes = response.Content is null ? Array.Empty<byte>() : await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw Failure(HttpMethod.Get, relative, (int)response.StatusCode, Encoding.UTF8.GetString(bytes), permission, response.Headers);
            }

            return bytes;
        }

        private async Task<HttpRequestMessage> RequestAsync(HttpMethod method, string relative, CancellationToken cancellationToken)
        {
            var request = new HttpRequestMessage(method, new Uri(Endpoint.ApiBase, relative));
            var secret = await token.GetAsync(cancellationToken).ConfigureAwait(false);
            switch (Endpoint.Kind)
            {
                case GitHostKind.GitLab:
                    request.Headers.Add("PRIVATE-TOKEN", secret);
                    break;
                case GitHostKind.AzureDevOps when secret.Split('.').Length != 3:
                    // A PAT goes as the Basic password; a three-part JWT (Entra ID) as Bearer.
                    request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(":" + secret)));
                    break;
                default:
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
                    break;
            }

            request.Headers.UserAgent.ParseAdd("ImageUpdater.PS");
            if (Endpoint.Kind == GitHostKind.GitHub)
            {
                request.Headers.Accept.ParseAdd("application/vnd.github+json");
                request.Headers.Add("X-GitHub-Api-Version", "2022-11-28");
            }

            return request;
        }

        /// <summary>The host's own error message out of its error shape (GitHub/GitLab "message", GitLab "error", Azure DevOps "message").</summary>
        internal static string ErrorMessage(string text)
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    return string.Empty;
                }

                var parts = new List<string>();
                foreach (var name in new[] { "message", "error" })
                {
                    if (root.TryGetProperty(name, out var value))
                    {
                        parts.Add(value.ValueKind == JsonValueKind.Array ? string.Join("; ", Strings(value)) : value.ToString());
                    }
                }

                if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
                {
                    foreach (var e in errors.EnumerateArray())
                    {
                        parts.Add(e.ValueKind == JsonValueKind.Object && e.TryGetProperty("message", out var m) ? m.ToString() : e.ToString());
                    }
                }

                return string.Join(": ", parts);
            }
            catch (JsonException)
            {
                return text.Length > 200 ? text.Substring(0, 200) : text;
            }
        }

        private static IEnumerable<string> Strings(JsonElement array)
        {
            foreach (var item in array.EnumerateArray())
            {
                yield return item.ToString();
            }
        }

        private GitHostApiException Failure(HttpMethod method, string relative, int status, string text, string permission, HttpResponseHeaders headers)
        {
            var host = Endpoint.Kind.ToString();
            var said = ErrorMessage(text);
            var where = $"{host} refused {method.Method} {relative.Split('?')[0]} on {Endpoint.Repository} (HTTP {status}{(said.Length == 0 ? string.Empty : ": " + said)})";
            if (headers.TryGetValues("X-Accepted-GitHub-Permissions", out var accepted))
            {
                permission = string.Join(", ", accepted).Replace("=", ": ");
            }

            return status switch
            {
                401 => new GitHostApiException(where + ". The token is missing, invalid or expired.", status, permission),
                403 => new GitHostApiException(where + $". The token lacks {permission}.", status, permission),
                // GitHub and Azure DevOps answer 404 for a repository the token cannot see.
                404 => new GitHostApiException(where + $". The repository does not exist or the token cannot see it (it needs {permission}).", status, permission),
                _ => new GitHostApiException(where + ".", status, null),
            };
        }
    }
}
