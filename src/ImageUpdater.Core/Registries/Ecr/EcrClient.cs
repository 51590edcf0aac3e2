using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Http;

namespace ImageUpdater.Core.Registries.Ecr
{
    /// <summary>
    /// The Amazon ECR JSON 1.1 API of one region: DescribeImages, BatchGetImage, GetAuthorizationToken, DescribeRepositories,
    /// signed with SigV4 and retried on throttling and 5xx. Thread-safe.
    /// </summary>
    public sealed class EcrClient : IDisposable
    {
        public const string TargetPrefix = EcrJsonProtocol.TargetPrefix;
        public const string ContentType = EcrJsonProtocol.ContentType;

        /// <summary>Media types BatchGetImage is asked for: single manifests and lists/indexes.</summary>
        public static readonly string[] ManifestMediaTypes = Oci.OciMediaTypes.Accepted;

        private readonly EcrJsonProtocol protocol;

        /// <param name="options">Credentials, region and endpoint override.</param>
        /// <param name="hostRegion">The region of the registry host being read; it wins over options.Region, which is the default for bare names.</param>
        /// <param name="transport">The innermost handler (tests); it must not follow redirects.</param>
        public EcrClient(AwsOptions options, string? hostRegion = null, RetryPolicy? retryPolicy = null, HttpMessageHandler? transport = null)
        {
            if (options is null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            protocol = new EcrJsonProtocol(options, hostRegion, retryPolicy, transport);
        }

        public string Region => protocol.Region;

        /// <summary>Where the region came from (-Region, the registry host, AWS_REGION, …).</summary>
        public string RegionSource => protocol.RegionSource;

        /// <summary>Where the credentials came from (never the keys themselves).</summary>
        public string CredentialSource => protocol.CredentialSource;

        public Uri Endpoint => protocol.Endpoint;

        /// <summary>Receives one line per call and per retry (no secrets), for -Verbose.</summary>
        /// <summary>Pages, images and bytes one repository's DescribeImages listing may take (and bytes of any one answer).</summary>
        public TagListLimits Limits
        {
            get => protocol.Limits;
            set => protocol.Limits = value;
        }

        public Action<string>? Log
        {
            get => protocol.Log;
            set => protocol.Log = value;
        }

        /// <summary>Sent requests (tries included) per operation name.</summary>
        public IReadOnlyDictionary<string, int> Requests => protocol.Signer.Requests;

        /// <summary>Requests sent again after throttling or a transient failure.</summary>
        public int Retries => protocol.Retry.Retries;

        /// <summary>The retry loop's wait, replaced by tests so they need not sleep.</summary>
        public Func<TimeSpan, CancellationToken, Task> RetryDelay
        {
            get => protocol.Retry.Delay;
            set => protocol.Retry.Delay = value;
        }

        /// <summary>Signs as of this UTC time instead of now (tests of clock skew).</summary>
        public DateTime? SignedAt
        {
            get => protocol.Signer.SignedAt;
            set => protocol.Signer.SignedAt = value;
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
                nextToken = await protocol.CallRawAsync("DescribeImages", w =>
                {
                    EcrJsonProtocol.WriteOptional(w, "registryId", registryId);
                    w.WriteString("repositoryName", repositoryName);
                    w.WriteStartObject("filter");
                    w.WriteString("tagStatus", "TAGGED");
                    w.WriteEndObject();
                    w.WriteNumber("maxResults", 1000);
                    EcrJsonProtocol.WriteOptional(w, "nextToken", token);
                }, (body, length) =>
                {
                    bytes += length;
                    return DescribeImagesReader.Read(new ReadOnlySpan<byte>(body, 0, length), details);
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
                using var response = await protocol.CallAsync("BatchGetImage", w =>
                {
                    EcrJsonProtocol.WriteOptional(w, "registryId", registryId);
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
                            ImageDigest = id.ValueKind == JsonValueKind.Object ? EcrJsonProtocol.GetString(id, "imageDigest") : null,
                            ImageTag = id.ValueKind == JsonValueKind.Object ? EcrJsonProtocol.GetString(id, "imageTag") : null,
                            MediaType = EcrJsonProtocol.GetString(image, "imageManifestMediaType"),
                            Manifest = EcrJsonProtocol.GetString(image, "imageManifest"),
                        });
                    }
                }
            }

            return result;
        }

        /// <summary>A registry login (user AWS) for the given registry, or the caller's default registry.</summary>
        public async Task<EcrAuthorization> GetAuthorizationTokenAsync(string? registryId = null, CancellationToken cancellationToken = default)
        {
            using var response = await protocol.CallAsync("GetAuthorizationToken", w =>
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
            var token = EcrJsonProtocol.GetString(first, "authorizationToken") ?? string.Empty;
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

            return new EcrAuthorization(decoded.Substring(0, colon), decoded.Substring(colon + 1), EcrJsonProtocol.GetTime(first, "expiresAt"), EcrJsonProtocol.GetString(first, "proxyEndpoint"));
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
                using var response = await protocol.CallAsync("DescribeRepositories", w =>
                {
                    EcrJsonProtocol.WriteOptional(w, "registryId", registryId);
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
                        EcrJsonProtocol.WriteOptional(w, "nextToken", token);
                    }
                }, named ? string.Join(",", repositoryNames!) : registryId, cancellationToken).ConfigureAwait(false);
                if (response.RootElement.TryGetProperty("repositories", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in list.EnumerateArray())
                    {
                        result.Add(new EcrRepository
                        {
                            RepositoryArn = EcrJsonProtocol.GetString(item, "repositoryArn"),
                            RegistryId = EcrJsonProtocol.GetString(item, "registryId"),
                            RepositoryName = EcrJsonProtocol.GetString(item, "repositoryName"),
                            RepositoryUri = EcrJsonProtocol.GetString(item, "repositoryUri"),
                            CreatedAt = EcrJsonProtocol.GetTime(item, "createdAt"),
                            ImageTagMutability = EcrJsonProtocol.GetString(item, "imageTagMutability"),
                        });
                    }
                }

                nextToken = named ? null : EcrJsonProtocol.GetString(response.RootElement, "nextToken");
            }
            while (!string.IsNullOrEmpty(nextToken));

            return result;
        }

        public void Dispose() => protocol.Dispose();
    }
}
