using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Http;

namespace ImageUpdater.Core.Registries.Oci
{
    /// <summary>What a manifest HEAD or GET told: digest, media type, size, and the body for a GET.</summary>
    public sealed class ManifestResponse
    {
        public ManifestResponse(string digest, string? mediaType, long? size, byte[]? body)
        {
            Digest = digest;
            MediaType = mediaType;
            Size = size;
            Body = body;
        }

        public string Digest { get; }

        public string? MediaType { get; }

        public long? Size { get; }

        public byte[]? Body { get; }
    }

    /// <summary>
    /// The OCI distribution API of one registry: <c>/v2/</c> ping, paged tag lists, manifests (GET/HEAD) and blobs, behind
    /// challenge auth, the shared retry handler and the registry's request limit. Tracks Docker Hub's <c>ratelimit-remaining</c>.
    /// </summary>
    public sealed class DistributionClient : IDisposable
    {
        private readonly HttpClient http;
        private readonly Uri baseUri;
        private readonly RetryHandler retry;
        private readonly SemaphoreSlim pingGate = new SemaphoreSlim(1, 1);
        private bool pinged;
        private int rateLimitRemaining = int.MaxValue;
        private string? rateLimit;

        public DistributionClient(RegistryEndpoint endpoint, RegistryCredentials credentials, RetryPolicy? retryPolicy = null, HttpMessageHandler? transport = null)
        {
            Endpoint = endpoint;
            if (!Uri.TryCreate(endpoint.ApiUrl + "/", UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                throw new ImageUpdaterException("RegistryEndpointInvalid", FailureKind.InvalidArgument, $"Registry '{endpoint.Name}' has api_url '{endpoint.ApiUrl}', which is not an http(s) URL.", endpoint.ApiUrl);
            }

            baseUri = uri;
            var handler = transport ?? new HttpClientHandler { AllowAutoRedirect = false };
            if (endpoint.Insecure && handler is HttpClientHandler plain)
            {
                plain.ServerCertificateCustomValidationCallback = (_, _, _, _) => true;
            }
            else if (endpoint.Trust is { } trust && handler is HttpClientHandler own)
            {
                // registries.conf ca_file / ca_data: this registry's own CA, besides the system's.
                own.ServerCertificateCustomValidationCallback = (_, certificate, _, errors) => trust.Validate(certificate, errors);
            }

            Requests = new RequestPacing(endpoint.Limit, handler);
            retry = new RetryHandler(retryPolicy, Requests);
            retry.OnRetry = (attempt, reason, wait) => Log?.Invoke($"{endpoint.Name}: try {attempt} failed ({reason}); waiting {wait.TotalSeconds:0.0} s ({retry.Policy.Describe()})");
            Auth = new RegistryAuthHandler(credentials, baseUri, retry);
            http = new HttpClient(Auth) { Timeout = TimeSpan.FromSeconds(60) };
            http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("ImageUpdater.PS", "0.1"));
        }

        public RegistryEndpoint Endpoint { get; }

        /// <summary>Requests sent, by kind (tokens included).</summary>
        public RequestPacing Requests { get; }

        public RegistryAuthHandler Auth { get; }

        public int Retries => retry.Retries;

        /// <summary>Tag list page size (ECR rejects more than 1000).</summary>
        public int PageSize { get; set; } = 1000;

        /// <summary>Pages, tags and bytes one repository's listing may take.</summary>
        public TagListLimits Limits { get; set; } = TagListLimits.Default;

        /// <summary>Receives one line per request, for -Verbose (never a credential).</summary>
        public Action<string>? Log { get; set; }

        /// <summary>Calls <c>/v2/</c> once (unless registries.conf says <c>ping: no</c>); 200 and 401 both mean a registry is there.</summary>
        public async Task PingAsync(CancellationToken cancellationToken)
        {
            if (!Endpoint.Ping || pinged)
            {
                return;
            }

            await pingGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (pinged)
                {
                    return;
                }

                using var response = await SendAsync(HttpMethod.Get, new Uri(baseUri, "v2/"), null, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.OK && response.StatusCode != HttpStatusCode.Unauthorized)
                {
                    throw await FailureAsync(response, null, "reach the registry API").ConfigureAwait(false);
                }

                pinged = true;
            }
            finally
            {
                pingGate.Release();
            }
        }

        /// <summary>Every tag, following <c>Link</c> pages; stops when a page brings nothing new (servers that ignore <c>last</c>).</summary>
        public async Task<IReadOnlyList<string>> ListTagsAsync(string repository, CancellationToken cancellationToken)
        {
            await PingAsync(cancellationToken).ConfigureAwait(false);
            var tags = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var visited = new HashSet<string>(StringComparer.Ordinal);
            Uri? next = new Uri(baseUri, $"v2/{repository}/tags/list?n={PageSize}");
            var pages = 0;
            long bytes = 0;
            while (next is not null && visited.Add(next.AbsoluteUri))
            {
                Limits.Check(Endpoint.Name, repository, ++pages, tags.Count, bytes);
                using var response = await SendAsync(HttpMethod.Get, next, "application/json", cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    throw await FailureAsync(response, repository, "list the tags of").ConfigureAwait(false);
                }

                var body = await ReadBoundedAsync(response, repository, Limits.MaxBytes - bytes, pages, tags.Count, cancellationToken).ConfigureAwait(false);
                bytes += body.Length;
                var fresh = 0;
                using (var doc = ParseJson(body, repository, "tag list"))
                {
                    if (doc.RootElement.TryGetProperty("tags", out var list) && list.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var item in list.EnumerateArray())
                        {
                            if (item.GetString() is { Length: > 0 } tag && seen.Add(tag))
                            {
                                tags.Add(tag);
                                fresh++;
                            }
                        }
                    }
                }

                Limits.Check(Endpoint.Name, repository, pages, tags.Count, bytes);
                next = fresh == 0 ? null : NextPage(response, next);
            }

            return tags;
        }

        /// <summary>HEAD of a manifest: digest and media type without a pull (Docker Hub does not count HEADs). Null when the registry gives no digest.</summary>
        public async Task<ManifestResponse?> HeadManifestAsync(string repository, string reference, CancellationToken cancellationToken)
        {
            using var response = await SendAsync(HttpMethod.Head, ManifestUri(repository, reference), null, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw await FailureAsync(response, repository + ":" + reference, "read the manifest of").ConfigureAwait(false);
            }

            var digest = Header(response, "Docker-Content-Digest");
            return digest is null ? null : new ManifestResponse(digest, response.Content.Headers.ContentType?.MediaType, response.Content.Headers.ContentLength, null);
        }

        public async Task<ManifestResponse> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken)
        {
            if (Volatile.Read(ref rateLimitRemaining) <= 0)
            {
                throw new ImageUpdaterException("RegistryPullLimitReached", FailureKind.LimitsExceeded, $"{Endpoint.Name} reports no pulls left ({rateLimit}); manifest reads would fail until the window resets. Authenticate (-Credential or registries.conf) for a higher limit, or wait.", repository);
            }

            using var response = await SendAsync(HttpMethod.Get, ManifestUri(repository, reference), null, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw await FailureAsync(response, repository + ":" + reference, "read the manifest of").ConfigureAwait(false);
            }

            var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            var digest = Header(response, "Docker-Content-Digest") ?? Sha256(body);
            return new ManifestResponse(digest, response.Content.Headers.ContentType?.MediaType, body.LongLength, body);
        }

        /// <summary>A blob; redirects (S3, CDNs) are followed without the registry's Authorization.</summary>
        public async Task<byte[]> GetBlobAsync(string repository, string digest, CancellationToken cancellationToken)
        {
            var uri = new Uri(baseUri, $"v2/{repository}/blobs/{digest}");
            for (var hops = 0; hops < 5; hops++)
            {
                using var response = await SendAsync(HttpMethod.Get, uri, null, cancellationToken).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                if (status >= 300 && status < 400 && response.Headers.Location is { } location)
                {
                    uri = location.IsAbsoluteUri ? location : new Uri(uri, location);
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw await FailureAsync(response, repository + "@" + digest, "read a blob of").ConfigureAwait(false);
                }

                return await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            }

            throw new ImageUpdaterException("RegistryRequestFailed", FailureKind.ResourceUnavailable, $"{Endpoint.Name}: blob {digest} of {repository} redirected more than 5 times.", repository);
        }

        /// <summary>A body of at most <paramref name="allowed"/> bytes (a page of millions of tags fails before it fills memory); the client's timeout covers the read.</summary>
        private async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, string repository, long allowed, int pages, int tags, CancellationToken cancellationToken)
        {
            if (response.Content.Headers.ContentLength is long declared && declared > allowed)
            {
                Limits.Check(Endpoint.Name, repository, pages, tags, Limits.MaxBytes + 1);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(http.Timeout);
            using var buffer = new System.IO.MemoryStream();
            try
            {
                using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                var chunk = new byte[81920];
                int read;
                while ((read = await stream.ReadAsync(chunk, 0, chunk.Length, timeout.Token).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > allowed)
                    {
                        Limits.Check(Endpoint.Name, repository, pages, tags, Limits.MaxBytes + 1);
                    }

                    buffer.Write(chunk, 0, read);
                }
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ImageUpdaterException("RegistryTimeout", FailureKind.OperationTimeout, $"{Endpoint.Name} did not finish sending the tags of {repository} in {http.Timeout.TotalSeconds:0} s.", repository, e);
            }
            catch (Exception e) when (e is System.IO.IOException || e is HttpRequestException)
            {
                throw new ImageUpdaterException("RegistryUnreachable", FailureKind.ConnectionError, $"The connection to {Endpoint.Name} broke while reading the tags of {repository}: {e.Message}", repository, e);
            }

            return buffer.ToArray();
        }

        private Uri ManifestUri(string repository, string reference) => new Uri(baseUri, $"v2/{repository}/manifests/{reference}");

        private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, string? accept, CancellationToken cancellationToken, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
        {
            using var request = new HttpRequestMessage(method, uri);
            if (accept is not null)
            {
                request.Headers.Accept.ParseAdd(accept);
            }
            else if (uri.AbsolutePath.Contains("/manifests/"))
            {
                foreach (var type in OciMediaTypes.Accepted)
                {
                    request.Headers.Accept.ParseAdd(type);
                }
            }

            Log?.Invoke($"{method} {uri}");
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                var tls = e.InnerException is System.Security.Authentication.AuthenticationException
                    ? " The server's TLS certificate is not trusted: trust its CA, or set 'insecure: yes' for this registry in registries.conf."
                    : string.Empty;
                throw new ImageUpdaterException("RegistryUnreachable", FailureKind.ConnectionError, $"Cannot reach {Endpoint.Name} at {Endpoint.ApiUrl}: {e.InnerException?.Message ?? e.Message}{tls}", Endpoint.ApiUrl, e);
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ImageUpdaterException("RegistryTimeout", FailureKind.OperationTimeout, $"{Endpoint.Name} did not answer {method} {uri.AbsolutePath} in time.", Endpoint.ApiUrl, e);
            }

            if (Header(response, "ratelimit-remaining") is { } remaining && int.TryParse(remaining.Split(';')[0].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var left))
            {
                Volatile.Write(ref rateLimitRemaining, left);
                rateLimit = remaining + " of " + (Header(response, "ratelimit-limit") ?? "?");
            }

            return response;
        }

        private JsonDocument ParseJson(byte[] body, string target, string what)
        {
            try
            {
                return JsonDocument.Parse(body);
            }
            catch (JsonException e)
            {
                throw new ImageUpdaterException("RegistryResponseInvalid", FailureKind.InvalidData, $"{Endpoint.Name} answered the {what} of {target} with something that is not JSON ({e.Message}); is {Endpoint.ApiUrl} a registry API, not a web page or proxy?", target, e);
            }
        }

        private static Uri? NextPage(HttpResponseMessage response, Uri current)
        {
            if (!response.Headers.TryGetValues("Link", out var links))
            {
                return null;
            }

            foreach (var link in links.SelectMany(l => l.Split(',')))
            {
                var open = link.IndexOf('<');
                var close = link.IndexOf('>');
                if (open >= 0 && close > open && link.IndexOf("rel=\"next\"", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    return new Uri(current, link.Substring(open + 1, close - open - 1));
                }
            }

            return null;
        }

        private static string? Header(HttpResponseMessage response, string name) =>
            response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

        internal static string Sha256(byte[] body)
        {
            using var sha = SHA256.Create();
            return "sha256:" + string.Concat(sha.ComputeHash(body).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        }

        /// <summary>An error that says what failed and what to do, from the status and the distribution error body.</summary>
        private async Task<ImageUpdaterException> FailureAsync(HttpResponseMessage response, string? target, string what)
        {
            var code = string.Empty;
            var message = string.Empty;
            if (response.Content is not null)
            {
                try
                {
                    var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    using var doc = JsonDocument.Parse(body);
                    if (doc.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
                    {
                        var first = errors[0];
                        code = first.TryGetProperty("code", out var c) ? c.GetString() ?? string.Empty : string.Empty;
                        message = first.TryGetProperty("message", out var m) ? m.GetString() ?? string.Empty : string.Empty;
                    }
                }
                catch (JsonException)
                {
                    // Not a distribution error body (a proxy's HTML page); the status says enough.
                }
            }

            var subject = target is null ? Endpoint.Name : $"{target} on {Endpoint.Name}";
            var detail = code.Length > 0 ? $" ({code}: {message})" : string.Empty;
            var status = (int)response.StatusCode;
            return status switch
            {
                401 => new ImageUpdaterException("RegistryAuthenticationFailed", FailureKind.AuthenticationError, $"Cannot {what} {subject}: HTTP 401{detail} with {Auth.CredentialOrigin}. Pass -Credential or set credentials for this registry in registries.conf.", target ?? Endpoint.ApiUrl),
                403 => new ImageUpdaterException("RegistryAccessDenied", FailureKind.PermissionDenied, $"Cannot {what} {subject}: HTTP 403{detail}; {Auth.CredentialOrigin} has no pull access.", target ?? Endpoint.ApiUrl),
                404 => new ImageUpdaterException(code == "MANIFEST_UNKNOWN" ? "ImageTagNotFound" : "RegistryRepositoryNotFound", FailureKind.ObjectNotFound, $"Cannot {what} {subject}: not found{detail}. Check the image name.", target ?? Endpoint.ApiUrl),
                429 => new ImageUpdaterException("RegistryThrottled", FailureKind.LimitsExceeded, $"Cannot {what} {subject}: the registry kept answering 429 Too Many Requests{detail}. Lower -ThrottleLimit or the registries.conf limit, or try later.", target ?? Endpoint.ApiUrl),
                _ => new ImageUpdaterException("RegistryRequestFailed", FailureKind.ResourceUnavailable, $"Cannot {what} {subject}: HTTP {status}{detail}.", target ?? Endpoint.ApiUrl),
            };
        }

        public void Dispose()
        {
            http.Dispose();
            pingGate.Dispose();
        }
    }
}
