using System;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ImageUpdater.Core.WriteBack.Git
{
    /// <summary>
    /// A GitHub App's installation access token for HTTPS git: a JWT (RS256; iat 60 s in the past, exp 9 minutes ahead, iss = app ID)
    /// signed with the app's private key is exchanged at <c>POST {api}/app/installations/{id}/access_tokens</c>. Tokens are cached per
    /// app, installation, key and API until five minutes before they expire; neither the key, the JWT nor the token reaches a message.
    /// </summary>
    internal static class GitHubAppToken
    {
        public const string DefaultApi = "https://api.github.com";

        private static readonly TimeSpan Margin = TimeSpan.FromMinutes(5);
        private static readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Expires)> Cache = new ConcurrentDictionary<string, (string, DateTimeOffset)>(StringComparer.Ordinal);

        /// <summary>Tokens fetched from GitHub since the process started (tests check the cache with it).</summary>
        internal static int Exchanges;

        /// <summary>The credential git sends: user x-access-token, the installation token as password.</summary>
        public static NetworkCredential Credential(GitHubAppCredential app, GitWriteBackOptions options, string url)
        {
            var api = (string.IsNullOrWhiteSpace(app.EnterpriseBaseUrl) ? DefaultApi : app.EnterpriseBaseUrl!.Trim()).TrimEnd('/');
            if (!Uri.TryCreate(api, UriKind.Absolute, out var apiUri) || !(apiUri.Scheme == Uri.UriSchemeHttps || (apiUri.Scheme == Uri.UriSchemeHttp && apiUri.IsLoopback)))
            {
                throw GitErrors.Error("GitHubAppInvalid", $"The GitHub App's API base URL '{Security.UrlRedaction.Redact(api)}' (githubAppEnterpriseBaseUrl) is not an https URL; the app's JWT is sent only over https (or to this machine).", url);
            }

            var key = string.Join("|", api, app.AppId, app.InstallationId, Fingerprint(app.PrivateKey));
            if (Cache.TryGetValue(key, out var cached) && cached.Expires - Margin > DateTimeOffset.UtcNow)
            {
                return new NetworkCredential("x-access-token", cached.Token);
            }

            var jwt = Jwt(app, url);
            options.Verbose?.Invoke($"Asking {api} for an installation token of GitHub App {app.AppId} (installation {app.InstallationId}).");
            using var http = new HttpClient { Timeout = options.Timeout };
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{api}/app/installations/{Uri.EscapeDataString(app.InstallationId)}/access_tokens");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", jwt);
            request.Headers.Accept.ParseAdd("application/vnd.github+json");
            request.Headers.UserAgent.ParseAdd("ImageUpdater.PS");
            request.Headers.Add("X-GitHub-Api-Version", "2022-11-28");
            HttpResponseMessage response;
            try
            {
                response = http.SendAsync(request, options.CancellationToken).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !options.CancellationToken.IsCancellationRequested))
            {
                throw GitErrors.Error("GitHubAppTokenFailed", $"Cannot reach {api} for a GitHub App installation token: {e.Message}", url, e);
            }

            using (response)
            {
                var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
                var status = (int)response.StatusCode;
                if (status != 201 && status != 200)
                {
                    var detail = Message(body);
                    throw status switch
                    {
                        401 => GitErrors.Error("GitHubAppAuthenticationFailed", $"{api} refused the JWT of GitHub App {app.AppId} ({detail}): check githubAppID and githubAppPrivateKey, and this machine's clock.", url),
                        404 => GitErrors.Error("GitHubAppInstallationNotFound", $"{api} has no installation {app.InstallationId} of GitHub App {app.AppId} ({detail}): check githubAppInstallationID.", url),
                        _ => GitErrors.Error("GitHubAppTokenFailed", $"{api} did not give GitHub App {app.AppId} an installation token (HTTP {status}: {detail}).", url),
                    };
                }

                string token;
                DateTimeOffset expires;
                try
                {
                    using var doc = JsonDocument.Parse(body);
                    token = doc.RootElement.GetProperty("token").GetString() ?? throw new FormatException("token");
                    expires = doc.RootElement.TryGetProperty("expires_at", out var e) && e.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(e.GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
                        ? at : DateTimeOffset.UtcNow.AddHours(1);
                }
                catch (Exception e) when (e is JsonException or System.Collections.Generic.KeyNotFoundException or FormatException or InvalidOperationException)
                {
                    throw GitErrors.Error("GitHubAppTokenFailed", $"{api} answered the installation token request of GitHub App {app.AppId} without a token.", url, e);
                }

                System.Threading.Interlocked.Increment(ref Exchanges);
                Cache[key] = (token, expires);
                return new NetworkCredential("x-access-token", token);
            }
        }

        /// <summary>header.payload.signature, base64url, RS256 over the first two.</summary>
        internal static string Jwt(GitHubAppCredential app, string url, DateTimeOffset? now = null)
        {
            var at = (now ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
            var header = Base64Url(Encoding.UTF8.GetBytes("{\"alg\":\"RS256\",\"typ\":\"JWT\"}"));
            var payload = Base64Url(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { iat = at - 60, exp = at + 540, iss = app.AppId })));
            using var rsa = RsaPem.Import(app.PrivateKey, url);
            var signature = rsa.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            return header + "." + payload + "." + Base64Url(signature);
        }

        private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        private static string Fingerprint(string key)
        {
            using var sha = SHA256.Create();
            return Convert.ToBase64String(sha.ComputeHash(Encoding.UTF8.GetBytes(key.Replace("\r\n", "\n").Trim())));
        }

        private static string Message(string body)
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                return doc.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() ?? string.Empty : "no message";
            }
            catch (JsonException)
            {
                return "no message";
            }
        }
    }

    /// <summary>A GitHub App's credentials (githubAppID, githubAppInstallationID, githubAppPrivateKey, githubAppEnterpriseBaseUrl); ToString shows no key.</summary>
    public sealed class GitHubAppCredential
    {
        public GitHubAppCredential(string appId, string installationId, string privateKey, string? enterpriseBaseUrl = null)
        {
            AppId = appId.Trim();
            InstallationId = installationId.Trim();
            PrivateKey = privateKey;
            EnterpriseBaseUrl = enterpriseBaseUrl;
        }

        public string AppId { get; }

        public string InstallationId { get; }

        /// <summary>The PEM private key (PKCS#1 or PKCS#8).</summary>
        internal string PrivateKey { get; }

        public string? EnterpriseBaseUrl { get; }

        public override string ToString() => $"GitHub App {AppId} (installation {InstallationId})";
    }
}
