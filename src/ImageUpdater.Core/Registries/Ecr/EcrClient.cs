using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;

namespace ImageUpdater.Core.Registries.Ecr
{
    /// <summary>
    /// The Amazon ECR JSON 1.1 API of one region: DescribeImages, BatchGetImage, GetAuthorizationToken, DescribeRepositories,
    /// signed with SigV4 and retried on throttling and 5xx. Thread-safe.
    /// </summary>
    public sealed class EcrClient : IDisposable
    {
        public const string TargetPrefix = "AmazonEC2ContainerRegistry_V20150921.";
        public const string ContentType = "application/x-amz-json-1.1";

        /// <summary>Media types BatchGetImage is asked for: single manifests and lists/indexes.</summary>
        public static readonly string[] ManifestMediaTypes = Oci.OciMediaTypes.Accepted;

        private readonly HttpClient http;
        private readonly RetryHandler retry;
        private readonly SigV4Handler signer;
        private readonly AWSCredentials credentials;

        /// <param name="options">Credentials, region and endpoint override.</param>
        /// <param name="hostRegion">The region of the registry host being read; it wins over options.Region, which is the default for bare names.</param>
        /// <param name="transport">The innermost handler (tests); it must not follow redirects.</param>
        public EcrClient(AwsOptions options, string? hostRegion = null, RetryPolicy? retryPolicy = null, HttpMessageHandler? transport = null)
        {
            if (options is null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            (Region, RegionSource) = options.ResolveRegion(hostRegion);
            (credentials, CredentialSource) = options.ResolveCredentials();
            Endpoint = options.ResolveEndpoint().Url ?? EcrHost.ApiEndpointFor(Region);
            signer = new SigV4Handler(credentials, Region, "ecr", transport ?? new HttpClientHandler { AllowAutoRedirect = false });
            retry = new RetryHandler(retryPolicy, signer);
            retry.OnRetry = (attempt, reason, wait) => Log?.Invoke($"ECR: try {attempt} failed ({reason}); retrying in {wait.TotalMilliseconds:0} ms ({retry.Policy.Describe()})");
            http = new HttpClient(retry) { Timeout = TimeSpan.FromSeconds(100) };
        }

        public string Region { get; }

        /// <summary>Where the region came from (-Region, the registry host, AWS_REGION, …).</summary>
        public string RegionSource { get; }

        /// <summary>Where the credentials came from (never the keys themselves).</summary>
        public string CredentialSource { get; }

        public Uri Endpoint { get; }

        /// <summary>Pages, images and bytes one repository's DescribeImages listing may take (and bytes of any one answer).</summary>
        public TagListLimits Limits { get; set; } = TagListLimits.Default;

        /// <summary>Receives one line per call and per retry (no secrets), for -Verbose.</summary>
        public Action<string>? Log { get; set; }

        /// <summary>Sent requests (tries included) per operation name.</summary>
        public IReadOnlyDictionary<string, int> Requests => signer.Requests;

        /// <summary>Requests sent again after throttling or a transient failure.</summary>
        public int Retries => retry.Retries;

        /// <summary>The retry loop's wait, replaced by tests so they need not sleep.</summary>
        public Func<TimeSpan, CancellationToken, Task> RetryDelay
        {
            get => retry.Delay;
            set => retry.Delay = value;
        }

        /// <summary>Signs as of this UTC time instead of now (tests of clock skew).</summary>
        public DateTime? SignedAt
        {
            get => signer.SignedAt;
            set => signer.SignedAt = value;
        }

        /// <summary>Every tagged image of a repository: DescribeImages with filter.tagStatus TAGGED and maxResults 1000, following nextToken.</summary>
        public async Task<IReadOnlyList<EcrImageDetail>> DescribeImagesAsync(string repositoryName, string? registryId = null, Action<int>? onPage = null, CancellationToken cancellationToken = default)
        {
            var details = new List<EcrImageDetail>();
            string? nextToken = null;
            var page = 0;
            long bytes = 0;
            do
            {
                Limits.Check("ECR", repositoryName, page + 1, details.Count, bytes);
                var token = nextToken;
                nextToken = await CallRawAsync("DescribeImages", w =>
                {
                    WriteOptional(w, "registryId", registryId);
                    w.WriteString("repositoryName", repositoryName);
                    w.WriteStartObject("filter");
                    w.WriteString("tagStatus", "TAGGED");
                    w.WriteEndObject();
                    w.WriteNumber("maxResults", 1000);
                    WriteOptional(w, "nextToken", token);
                }, (body, length) =>
                {
                    bytes += length;
                    return ReadImageDetails(new ReadOnlySpan<byte>(body, 0, length), details);
                }, repositoryName, cancellationToken, page == 0 ? null : "page " + (page + 1)).ConfigureAwait(false);
                onPage?.Invoke(++page);
                Limits.Check("ECR", repositoryName, page, details.Count, bytes);
            }
            while (!string.IsNullOrEmpty(nextToken));

            return details;
        }

        /// <summary>Manifests by digest (up to 100 a call), for platform checks. Images that failed are left out.</summary>
        public async Task<IReadOnlyList<EcrManifest>> BatchGetImageAsync(string repositoryName, IEnumerable<string> digests, string? registryId = null, CancellationToken cancellationToken = default)
        {
            var result = new List<EcrManifest>();
            var all = digests.Distinct(StringComparer.Ordinal).ToList();
            for (var start = 0; start < all.Count; start += 100)
            {
                var chunk = all.Skip(start).Take(100).ToList();
                using var response = await CallAsync("BatchGetImage", w =>
                {
                    WriteOptional(w, "registryId", registryId);
                    w.WriteString("repositoryName", repositoryName);
                    w.WriteStartArray("imageIds");
                    foreach (var digest in chunk)
                    {
                        w.WriteStartObject();
                        w.WriteString("imageDigest", digest);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteStartArray("acceptedMediaTypes");
                    foreach (var type in ManifestMediaTypes)
                    {
                        w.WriteStringValue(type);
                    }

                    w.WriteEndArray();
                }, repositoryName, cancellationToken).ConfigureAwait(false);
                if (response.RootElement.TryGetProperty("images", out var images) && images.ValueKind == JsonValueKind.Array)
                {
                    foreach (var image in images.EnumerateArray())
                    {
                        var id = image.TryGetProperty("imageId", out var imageId) ? imageId : default;
                        result.Add(new EcrManifest
                        {
                            ImageDigest = id.ValueKind == JsonValueKind.Object ? GetString(id, "imageDigest") : null,
                            ImageTag = id.ValueKind == JsonValueKind.Object ? GetString(id, "imageTag") : null,
                            MediaType = GetString(image, "imageManifestMediaType"),
                            Manifest = GetString(image, "imageManifest"),
                        });
                    }
                }
            }

            return result;
        }

        /// <summary>A registry login (user AWS) for the given registry, or the caller's default registry.</summary>
        public async Task<EcrAuthorization> GetAuthorizationTokenAsync(string? registryId = null, CancellationToken cancellationToken = default)
        {
            using var response = await CallAsync("GetAuthorizationToken", w =>
            {
                if (!string.IsNullOrEmpty(registryId))
                {
                    w.WriteStartArray("registryIds");
                    w.WriteStringValue(registryId);
                    w.WriteEndArray();
                }
            }, registryId, cancellationToken).ConfigureAwait(false);
            if (!response.RootElement.TryGetProperty("authorizationData", out var data) || data.ValueKind != JsonValueKind.Array || data.GetArrayLength() == 0)
            {
                throw new ImageUpdaterException("EcrNoAuthorizationData", FailureKind.InvalidData, "ECR GetAuthorizationToken returned no authorizationData.", registryId);
            }

            var first = data[0];
            var token = GetString(first, "authorizationToken") ?? string.Empty;
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            }
            catch (FormatException ex)
            {
                throw new ImageUpdaterException("EcrAuthorizationTokenInvalid", FailureKind.InvalidData, "ECR returned an authorization token that is not base64 'user:password'.", registryId, ex);
            }

            var colon = decoded.IndexOf(':');
            if (colon <= 0)
            {
                throw new ImageUpdaterException("EcrAuthorizationTokenInvalid", FailureKind.InvalidData, "ECR returned an authorization token that is not 'user:password'.", registryId);
            }

            return new EcrAuthorization(decoded.Substring(0, colon), decoded.Substring(colon + 1), GetTime(first, "expiresAt"), GetString(first, "proxyEndpoint"));
        }

        /// <summary>Repositories of a registry (all, following nextToken), or the named ones.</summary>
        public async Task<IReadOnlyList<EcrRepository>> DescribeRepositoriesAsync(IReadOnlyList<string>? repositoryNames = null, string? registryId = null, CancellationToken cancellationToken = default)
        {
            var result = new List<EcrRepository>();
            string? nextToken = null;
            var named = repositoryNames is not null && repositoryNames.Count > 0;
            do
            {
                var token = nextToken;
                using var response = await CallAsync("DescribeRepositories", w =>
                {
                    WriteOptional(w, "registryId", registryId);
                    if (named)
                    {
                        w.WriteStartArray("repositoryNames");
                        foreach (var name in repositoryNames!)
                        {
                            w.WriteStringValue(name);
                        }

                        w.WriteEndArray();
                    }
                    else
                    {
                        w.WriteNumber("maxResults", 1000);
                        WriteOptional(w, "nextToken", token);
                    }
                }, named ? string.Join(",", repositoryNames!) : registryId, cancellationToken).ConfigureAwait(false);
                if (response.RootElement.TryGetProperty("repositories", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in list.EnumerateArray())
                    {
                        result.Add(new EcrRepository
                        {
                            RepositoryArn = GetString(item, "repositoryArn"),
                            RegistryId = GetString(item, "registryId"),
                            RepositoryName = GetString(item, "repositoryName"),
                            RepositoryUri = GetString(item, "repositoryUri"),
                            CreatedAt = GetTime(item, "createdAt"),
                            ImageTagMutability = GetString(item, "imageTagMutability"),
                        });
                    }
                }

                nextToken = named ? null : GetString(response.RootElement, "nextToken");
            }
            while (!string.IsNullOrEmpty(nextToken));

            return result;
        }

        /// <summary>
        /// One DescribeImages page into <paramref name="details"/>, read forward-only (a page is up to 1 000 images, and a fleet
        /// run reads hundreds of pages): strings the images share are kept once. Returns the page's nextToken.
        /// </summary>
        [MethodImpl(AggressiveOptimization)]
        internal static string? ReadImageDetails(ReadOnlySpan<byte> json, List<EcrImageDetail> details)
        {
            if (json.Length == 0)
            {
                return null;
            }

            var reader = new Utf8JsonReader(json);
            string? nextToken = null;
            var shared = new SharedStrings();
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("The DescribeImages response is not a JSON object.");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("imageDetails"))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        reader.Skip();
                        continue;
                    }

                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType != JsonTokenType.StartObject)
                        {
                            reader.Skip();
                            continue;
                        }

                        details.Add(ReadImageDetail(ref reader, shared));
                    }
                }
                else if (reader.ValueTextEquals("nextToken"))
                {
                    reader.Read();
                    nextToken = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return nextToken;
        }

        [MethodImpl(AggressiveOptimization)]
        private static EcrImageDetail ReadImageDetail(ref Utf8JsonReader reader, SharedStrings shared)
        {
            var detail = new EcrImageDetail();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("imageDigest"))
                {
                    reader.Read();
                    detail.ImageDigest = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("imageTags"))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        var tags = new List<string>(2);
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            if (reader.TokenType == JsonTokenType.String)
                            {
                                tags.Add(reader.GetString()!);
                            }
                            else
                            {
                                reader.Skip();
                            }
                        }

                        detail.ImageTags = tags.ToArray();
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("imagePushedAt"))
                {
                    reader.Read();
                    detail.ImagePushedAt = ReadTime(ref reader);
                }
                else if (reader.ValueTextEquals("lastRecordedPullTime"))
                {
                    reader.Read();
                    detail.LastRecordedPullTime = ReadTime(ref reader);
                }
                else if (reader.ValueTextEquals("imageSizeInBytes"))
                {
                    reader.Read();
                    detail.ImageSizeInBytes = reader.TokenType == JsonTokenType.Number ? (long)reader.GetDouble() : (long?)null;
                }
                else if (reader.ValueTextEquals("registryId"))
                {
                    reader.Read();
                    detail.RegistryId = shared.Get(ref reader, 0);
                }
                else if (reader.ValueTextEquals("repositoryName"))
                {
                    reader.Read();
                    detail.RepositoryName = shared.Get(ref reader, 1);
                }
                else if (reader.ValueTextEquals("imageManifestMediaType"))
                {
                    reader.Read();
                    detail.ImageManifestMediaType = shared.Get(ref reader, 2);
                }
                else if (reader.ValueTextEquals("artifactMediaType"))
                {
                    reader.Read();
                    detail.ArtifactMediaType = shared.Get(ref reader, 3);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return detail;
        }

        /// <summary>awsJson timestamps: epoch seconds, possibly fractional, in exponent form or as a string.</summary>
        private static DateTimeOffset? ReadTime(ref Utf8JsonReader reader)
        {
            if (reader.TokenType == JsonTokenType.Number)
            {
                return FromEpochSeconds(reader.GetDouble());
            }

            if (reader.TokenType == JsonTokenType.String && double.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
            {
                return FromEpochSeconds(parsed);
            }

            reader.Skip();
            return null;
        }

        private static DateTimeOffset FromEpochSeconds(double seconds) =>
            new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));

        /// <summary>Values every image of a page repeats (registry, repository, media types): one string each, not one per image.</summary>
        private sealed class SharedStrings
        {
            private readonly string?[] last = new string?[4];

            public string? Get(ref Utf8JsonReader reader, int slot)
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    reader.Skip();
                    return null;
                }

                var previous = last[slot];
                if (previous is not null && !reader.ValueIsEscaped && reader.ValueTextEquals(previous))
                {
                    return previous;
                }

                return last[slot] = reader.GetString();
            }
        }

        // MethodImplOptions.AggressiveOptimization (not named in .NET Framework's enum, which ignores it): compiled optimized at
        // once, as a short run never reaches the tiered compiler's optimized code for these loops.
        private const MethodImplOptions AggressiveOptimization = (MethodImplOptions)512;

        private Task<JsonDocument> CallAsync(string operation, Action<Utf8JsonWriter> writeBody, string? target, CancellationToken cancellationToken, string? note = null) =>
            // The document keeps the memory it parses, so it gets its own copy of the (pooled) response bytes.
            CallRawAsync(operation, writeBody, (bytes, length) => length == 0 ? JsonDocument.Parse("{}") : JsonDocument.Parse(new ReadOnlySpan<byte>(bytes, 0, length).ToArray()), target, cancellationToken, note);

        /// <summary>One JSON 1.1 call, returning the successful response's bytes; a modelled or common error becomes an <see cref="ImageUpdaterException"/>. An expired session is refreshed once.</summary>
        /// <remarks>
        /// The successful body is read into a pooled buffer and handed to <paramref name="parse"/> (valid only during the call):
        /// pages of up to 1 000 images are about 0.5 MB each, and allocating each (twice, as HttpClient's buffering does) would
        /// put every page on the large object heap and force full collections through a fleet run.
        /// </remarks>
        private async Task<T> CallRawAsync<T>(string operation, Action<Utf8JsonWriter> writeBody, Func<byte[], int, T> parse, string? target, CancellationToken cancellationToken, string? note = null)
        {
            byte[] body;
            using (var buffer = new MemoryStream())
            {
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    writer.WriteStartObject();
                    writeBody(writer);
                    writer.WriteEndObject();
                }

                body = buffer.ToArray();
            }

            for (var refreshed = false; ; refreshed = true)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint);
                request.Headers.TryAddWithoutValidation("X-Amz-Target", TargetPrefix + operation);
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(ContentType);
                Log?.Invoke($"ECR {operation} {target}{(note is null ? string.Empty : " (" + note + ")")} → {Endpoint} ({Region})");
                HttpResponseMessage response;
                try
                {
                    response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                }
                catch (HttpRequestException ex)
                {
                    throw new ImageUpdaterException("EcrConnectionFailed", FailureKind.ConnectionError,
                        $"Could not reach the ECR API at {Endpoint} for {operation}: {ex.Message}. Check the network, -Region and -EndpointUrl.", target, ex);
                }
                catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new ImageUpdaterException("EcrTimeout", FailureKind.OperationTimeout,
                        $"The ECR API at {Endpoint} did not answer {operation} within {http.Timeout.TotalSeconds:0} s: check the network and -EndpointUrl, then try again.", target, ex);
                }
                catch (AmazonClientException ex)
                {
                    // Raised while signing, when refreshing credentials (SSO, assume-role, container or instance metadata) fails.
                    throw new ImageUpdaterException("AwsCredentialsUnavailable", FailureKind.AuthenticationError,
                        $"Could not get AWS credentials from {CredentialSource}: {ex.Message} Refresh them (aws sso login, aws configure) or pass -AccessKey/-SecretKey or -ProfileName.", target, ex);
                }

                using (response)
                {
                    if (response.IsSuccessStatusCode)
                    {
                        var (buffer, length) = await ReadPooledAsync(response.Content, operation, target, cancellationToken).ConfigureAwait(false);
                        try
                        {
                            return parse(buffer, length);
                        }
                        finally
                        {
                            if (buffer.Length > 0)
                            {
                                ArrayPool<byte>.Shared.Return(buffer);
                            }
                        }
                    }

                    var text = response.Content is null ? string.Empty : await response.Content.ReadAsStringAsync().ConfigureAwait(false);

                    var error = EcrError.From(operation, (int)response.StatusCode, response.Headers, text, target, Region, Endpoint, CredentialSource, retry.Policy);
                    if (error.ErrorId == EcrError.ExpiredId && !refreshed && credentials is RefreshingAWSCredentials refreshing)
                    {
                        refreshing.ClearCredentials();
                        continue;
                    }

                    throw error;
                }
            }
        }

        /// <summary>The whole body into a buffer rented from the shared pool (the caller returns it); the client's timeout covers the read too.</summary>
        private async Task<(byte[] Buffer, int Length)> ReadPooledAsync(HttpContent? content, string operation, string? target, CancellationToken cancellationToken)
        {
            if (content is null)
            {
                return (Array.Empty<byte>(), 0);
            }

            var expected = content.Headers.ContentLength;
            var buffer = ArrayPool<byte>.Shared.Rent(expected is > 0 and < int.MaxValue ? (int)expected.Value : 64 * 1024);
            var length = 0;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(http.Timeout);
            try
            {
#if NET5_0_OR_GREATER
                using var stream = await content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
#else
                using var stream = await content.ReadAsStreamAsync().ConfigureAwait(false);
#endif
                while (true)
                {
                    if (length == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        Buffer.BlockCopy(buffer, 0, larger, 0, length);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    var read = await stream.ReadAsync(buffer, length, buffer.Length - length, timeout.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return (buffer, length);
                    }

                    length += read;
                    Limits.Check("ECR", target ?? operation, 0, 0, length);
                }
            }
            catch (Exception ex) when (ex is IOException || ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw ex is OperationCanceledException
                    ? new ImageUpdaterException("EcrTimeout", FailureKind.OperationTimeout, $"The ECR API at {Endpoint} did not finish answering {operation} within {http.Timeout.TotalSeconds:0} s: check the network and -EndpointUrl, then try again.", target, ex)
                    : new ImageUpdaterException("EcrConnectionFailed", FailureKind.ConnectionError, $"The connection to the ECR API at {Endpoint} broke while reading the answer to {operation}: {ex.Message}. Try again.", target, ex);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }
        }

        private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                writer.WriteString(name, value);
            }
        }

        internal static string? GetString(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        /// <summary>awsJson timestamps are epoch seconds, possibly fractional or in exponent form.</summary>
        internal static DateTimeOffset? GetTime(JsonElement element, string name)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value))
            {
                return null;
            }

            double seconds;
            if (value.ValueKind == JsonValueKind.Number)
            {
                seconds = value.GetDouble();
            }
            else if (value.ValueKind == JsonValueKind.String && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
            {
                seconds = parsed;
            }
            else
            {
                return null;
            }

            return FromEpochSeconds(seconds);
        }

        public void Dispose() => http.Dispose();
    }
}
