using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ImageUpdater.Core.Registries.Oci
{
    /// <summary>
    /// Answers a registry's 401 challenges: Basic with the registry credential, or Bearer through the token realm
    /// (realm/service/scope, tokens kept until <c>expires_in</c>). Learns the scheme from the first challenge, so later requests
    /// carry credentials up front. A rejected credential from a source is fetched once more.
    /// </summary>
    public sealed class RegistryAuthHandler : DelegatingHandler
    {
        private readonly RegistryCredentials credentials;
        private readonly Uri registry;
        private readonly ConcurrentDictionary<string, BearerToken> tokens = new ConcurrentDictionary<string, BearerToken>(StringComparer.Ordinal);
        private volatile AuthChallenge? known;
        private int tokenRequests;

        public RegistryAuthHandler(RegistryCredentials credentials, Uri registry, HttpMessageHandler inner)
            : base(inner)
        {
            this.credentials = credentials;
            this.registry = registry;
        }

        /// <summary>Token realm URL prefixes that may receive the credential although on another origin over http (-AllowTokenRealm).</summary>
        public IReadOnlyList<string> AllowedTokenRealms { get; set; } = Array.Empty<string>();

        /// <summary>Where the credential comes from, for messages.</summary>
        public string CredentialOrigin => credentials.Origin;

        /// <summary>Tokens fetched from the realm since creation.</summary>
        public int TokenRequests => Volatile.Read(ref tokenRequests);

        /// <summary>Seconds subtracted from a token's lifetime so it is not used in its last moment.</summary>
        internal static TimeSpan Margin(TimeSpan lifetime) => TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, lifetime.Ticks / 10));

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Uri.Compare(request.RequestUri, registry, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
            {
                // Redirects to storage (S3, a CDN) must not carry the registry's credentials.
                request.Headers.Authorization = null;
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }

            var scope = ScopeOf(request.RequestUri!);
            var retriedCredential = false;
            var retriedToken = false;
            while (true)
            {
                var credential = await credentials.GetAsync(cancellationToken).ConfigureAwait(false);
                var sentToken = await AuthorizeAsync(request, scope, credential, cancellationToken).ConfigureAwait(false);
                var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.Unauthorized && response.StatusCode != HttpStatusCode.Forbidden)
                {
                    return response;
                }

                var challenge = response.StatusCode == HttpStatusCode.Unauthorized ? AuthChallenge.From(response) : null;
                var learned = challenge is not null && (known is null || known.Scheme != challenge.Scheme);
                if (learned)
                {
                    known = challenge;
                }

                if (scope is null)
                {
                    // /v2/ (the ping) needs no repository access: a 401 there only tells the scheme.
                    return response;
                }

                if (learned)
                {
                    // First challenge from this registry: answer it; later requests carry the scheme's credentials up front.
                    if (challenge!.IsBasic && credential is null)
                    {
                        return response;
                    }

                    response.Dispose();
                    continue;
                }

                if (sentToken is not null && !retriedToken)
                {
                    // The registry refused a token we thought valid (expired early, revoked): get a new one once.
                    tokens.TryRemove(sentToken, out _);
                    retriedToken = true;
                    response.Dispose();
                    continue;
                }

                if (!retriedCredential && credentials.Invalidate(credential))
                {
                    // A credential from a source (script, secret) went stale before credsexpire: fetch it once more.
                    retriedCredential = true;
                    tokens.Clear();
                    response.Dispose();
                    continue;
                }

                return response;
            }
        }

        /// <summary>Sets the Authorization header the known scheme calls for; returns the token cache key when a bearer token was sent.</summary>
        private async Task<string?> AuthorizeAsync(HttpRequestMessage request, string? scope, NetworkCredential? credential, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = null;
            var challenge = known;
            if (challenge is null)
            {
                return null;
            }

            if (challenge.IsBasic)
            {
                if (credential is not null)
                {
                    request.Headers.Authorization = Basic(credential);
                }

                return null;
            }

            if (scope is null)
            {
                return null;
            }

            var wanted = scope;
            var key = challenge["realm"] + "|" + challenge["service"] + "|" + wanted;
            if (!tokens.TryGetValue(key, out var token) || token.ExpiresAt <= DateTimeOffset.UtcNow)
            {
                token = await FetchTokenAsync(challenge, wanted, credential, cancellationToken).ConfigureAwait(false);
                tokens[key] = token;
            }

            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
            return key;
        }

        private async Task<BearerToken> FetchTokenAsync(AuthChallenge challenge, string scope, NetworkCredential? credential, CancellationToken cancellationToken)
        {
            var realm = challenge["realm"];
            if (string.IsNullOrEmpty(realm) || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri))
            {
                throw new ImageUpdaterException("RegistryAuthenticationFailed", FailureKind.AuthenticationError, $"The registry asked for a bearer token without a usable realm ('{realm}').", realm);
            }

            var query = new StringBuilder();
            if (challenge["service"] is { Length: > 0 } service)
            {
                query.Append("service=").Append(Uri.EscapeDataString(service));
            }

            foreach (var one in scope.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))
            {
                query.Append(query.Length > 0 ? "&" : string.Empty).Append("scope=").Append(Uri.EscapeDataString(one));
            }

            var builder = new UriBuilder(realmUri);
            var existing = builder.Query.TrimStart('?');
            builder.Query = existing.Length > 0 ? existing + (query.Length > 0 ? "&" + query : string.Empty) : query.ToString();
            using var tokenRequest = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
            if (credential is not null)
            {
                if (!AuthChallenge.MayReceiveCredential(registry, realmUri, AllowedTokenRealms))
                {
                    throw new ImageUpdaterException("RegistryTokenRealmRefused", FailureKind.SecurityError, $"The registry {registry.GetLeftPart(UriPartial.Authority)} sent its token request to {realmUri.GetLeftPart(UriPartial.Path)}, on another origin over plain http; {credentials.Origin} was not sent there. If that token service is yours, allow it with -AllowTokenRealm '{realmUri.GetLeftPart(UriPartial.Path)}'.", realmUri.Host);
                }

                tokenRequest.Headers.Authorization = Basic(credential);
            }

            Interlocked.Increment(ref tokenRequests);
            var issued = DateTimeOffset.UtcNow;
            using var response = await base.SendAsync(tokenRequest, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized || response.StatusCode == HttpStatusCode.Forbidden)
            {
                throw new ImageUpdaterException("RegistryAuthenticationFailed", FailureKind.AuthenticationError, $"The token service {realmUri.GetLeftPart(UriPartial.Path)} refused {credentials.Origin} (HTTP {(int)response.StatusCode}). Check the user and password.", realmUri.Host);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new ImageUpdaterException("RegistryAuthenticationFailed", FailureKind.AuthenticationError, $"The token service {realmUri.GetLeftPart(UriPartial.Path)} answered HTTP {(int)response.StatusCode}.", realmUri.Host);
            }

            var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            try
            {
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                var value = root.TryGetProperty("token", out var t) && t.GetString() is { Length: > 0 } tv ? tv
                    : root.TryGetProperty("access_token", out var a) && a.GetString() is { Length: > 0 } av ? av
                    : throw new FormatException("no token");
                var lifetime = TimeSpan.FromSeconds(root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var seconds) && seconds > 0 ? seconds : 60);
                return new BearerToken(value, issued + lifetime - Margin(lifetime));
            }
            catch (Exception ex) when (ex is JsonException || ex is FormatException || ex is InvalidOperationException)
            {
                throw new ImageUpdaterException("RegistryAuthenticationFailed", FailureKind.AuthenticationError, $"The token service {realmUri.GetLeftPart(UriPartial.Path)} returned no token.", realmUri.Host, ex);
            }
        }

        private static AuthenticationHeaderValue Basic(NetworkCredential credential) =>
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credential.UserName + ":" + credential.Password)));

        /// <summary>The token scope a distribution API path needs: <c>repository:&lt;name&gt;:pull</c>, or null for <c>/v2/</c>.</summary>
        internal static string? ScopeOf(Uri uri)
        {
            var path = uri.AbsolutePath;
            var v2 = path.IndexOf("/v2/", StringComparison.Ordinal);
            if (v2 < 0)
            {
                return null;
            }

            var rest = path.Substring(v2 + 4);
            foreach (var marker in new[] { "/tags/list", "/manifests/", "/blobs/" })
            {
                var at = rest.LastIndexOf(marker, StringComparison.Ordinal);
                if (at > 0)
                {
                    return "repository:" + Uri.UnescapeDataString(rest.Substring(0, at)) + ":pull";
                }
            }

            return null;
        }

        private sealed class BearerToken
        {
            public BearerToken(string value, DateTimeOffset expiresAt)
            {
                Value = value;
                ExpiresAt = expiresAt;
            }

            public string Value { get; }

            public DateTimeOffset ExpiresAt { get; }
        }
    }
}
