using System;
using System.Buffers;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using RetryPolicy = ImageUpdater.Core.Http.RetryPolicy;
using ImageUpdater.Core.Http;

namespace ImageUpdater.Core.Registries.Ecr
{
    /// <summary>
    /// The ECR JSON 1.1 wire protocol of one region: SigV4-signed POSTs retried on throttling and 5xx, the answer read into a
    /// pooled buffer, modelled and transport errors turned into <see cref="ImageUpdaterException"/>s. Thread-safe.
    /// </summary>
    internal sealed class EcrJsonProtocol : IDisposable
    {
        public const string TargetPrefix = "AmazonEC2ContainerRegistry_V20150921.";
        public const string ContentType = "application/x-amz-json-1.1";

        private readonly HttpClient http;
        private readonly SigV4Handler signer;
        private readonly AWSCredentials credentials;

        public EcrJsonProtocol(AwsOptions options, string? hostRegion, RetryPolicy? retryPolicy, HttpMessageHandler? transport)
        {
            (Region, RegionSource) = options.ResolveRegion(hostRegion);
            (credentials, CredentialSource) = options.ResolveCredentials();
            Endpoint = options.ResolveEndpoint().Url ?? EcrHost.ApiEndpointFor(Region);
            signer = new SigV4Handler(credentials, Region, "ecr", transport ?? new HttpClientHandler { AllowAutoRedirect = false });
            Retry = new RetryHandler(retryPolicy, signer);
            Retry.OnRetry = (attempt, reason, wait) => Log?.Invoke($"ECR: try {attempt} failed ({reason}); retrying in {wait.TotalMilliseconds:0} ms ({Retry.Policy.Describe()})");
            http = new HttpClient(Retry) { Timeout = TimeSpan.FromSeconds(100) };
        }

        public string Region { get; }

        public string RegionSource { get; }

        public string CredentialSource { get; }

        public Uri Endpoint { get; }

        public Action<string>? Log { get; set; }

        /// <summary>Bytes any one answer may take (and, through the client, pages and images of a listing).</summary>
        public TagListLimits Limits { get; set; } = TagListLimits.Default;

        public RetryHandler Retry { get; }

        public SigV4Handler Signer => signer;

        /// <summary>One call whose answer is parsed into a document.</summary>
        public Task<JsonDocument> CallAsync(string operation, Action<Utf8JsonWriter> writeBody, string? target, CancellationToken cancellationToken, string? note = null) =>
            // The document keeps the memory it parses, so it gets its own copy of the (pooled) response bytes.
            CallRawAsync(operation, writeBody, (bytes, length) => length == 0 ? JsonDocument.Parse("{}") : JsonDocument.Parse(new ReadOnlySpan<byte>(bytes, 0, length).ToArray()), target, cancellationToken, note);

        /// <summary>One JSON 1.1 call, returning the successful response's bytes; a modelled or common error becomes an <see cref="ImageUpdaterException"/>. An expired session is refreshed once.</summary>
        /// <remarks>
        /// The successful body is read into a pooled buffer and handed to <paramref name="parse"/> (valid only during the call):
        /// pages of up to 1 000 images are about 0.5 MB each, and allocating each (twice, as HttpClient's buffering does) would
        /// put every page on the large object heap and force full collections through a fleet run.
        /// </remarks>
        public async Task<T> CallRawAsync<T>(string operation, Action<Utf8JsonWriter> writeBody, Func<byte[], int, T> parse, string? target, CancellationToken cancellationToken, string? note = null)
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
                    throw ConnectionFailed($"Could not reach the ECR API at {Endpoint} for {operation}: {ex.Message}. Check the network, -Region and -EndpointUrl.", target, ex);
                }
                catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    throw TimedOut($"did not answer {operation}", target, ex);
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

                    var error = EcrError.From(operation, (int)response.StatusCode, response.Headers, text, target, Region, Endpoint, CredentialSource, Retry.Policy);
                    if (error.ErrorId == EcrError.ExpiredId && !refreshed && credentials is RefreshingAWSCredentials refreshing)
                    {
                        refreshing.ClearCredentials();
                        continue;
                    }

                    if (error.ErrorId == EcrError.ExpiredId && !refreshed && credentials is AzureWebIdentityCredentials azure)
                    {
                        azure.Clear();
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
                    ? TimedOut($"did not finish answering {operation}", target, ex)
                    : ConnectionFailed($"The connection to the ECR API at {Endpoint} broke while reading the answer to {operation}: {ex.Message}. Try again.", target, ex);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }
        }

        public static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                writer.WriteString(name, value);
            }
        }

        public static string? GetString(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        /// <summary>An awsJson timestamp property (see <see cref="AwsJsonTime"/>); null when missing or not a time.</summary>
        public static DateTimeOffset? GetTime(JsonElement element, string name)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value))
            {
                return null;
            }

            return value.ValueKind switch
            {
                JsonValueKind.Number => AwsJsonTime.Parse(value.GetDouble(), null),
                JsonValueKind.String => AwsJsonTime.Parse(null, value.GetString()),
                _ => null,
            };
        }

        private static ImageUpdaterException ConnectionFailed(string message, string? target, Exception ex) =>
            new ImageUpdaterException("EcrConnectionFailed", FailureKind.ConnectionError, message, target, ex);

        /// <summary>The timeout's message, completed from "The ECR API at … <paramref name="what"/> within … s".</summary>
        private ImageUpdaterException TimedOut(string what, string? target, Exception ex) =>
            new ImageUpdaterException("EcrTimeout", FailureKind.OperationTimeout,
                $"The ECR API at {Endpoint} {what} within {http.Timeout.TotalSeconds:0} s: check the network and -EndpointUrl, then try again.", target, ex);

        public void Dispose() => http.Dispose();
    }
}
