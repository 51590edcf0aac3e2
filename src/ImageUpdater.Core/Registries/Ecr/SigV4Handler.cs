using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace ImageUpdater.Core.Registries.Ecr
{
    /// <summary>Signs each request with SigV4 through AWSSDK.Core's public signer; signs again on every try (it sits inside the retry handler).</summary>
    internal sealed class SigV4Handler : DelegatingHandler
    {
        private static readonly string[] SigningHeaders = { "Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-SHA256" };

        private readonly AWSCredentials credentials;
        private readonly RegionEndpoint region;
        private readonly string service;
        private readonly ConcurrentDictionary<string, int> requests = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);

        public SigV4Handler(AWSCredentials credentials, string region, string service, HttpMessageHandler inner)
            : base(inner)
        {
            this.credentials = credentials;
            this.region = RegionEndpoint.GetBySystemName(region);
            this.service = service;
        }

        /// <summary>Replaced by tests to sign as of a fixed time (clock-skew checks).</summary>
        public DateTime? SignedAt { get; set; }

        /// <summary>Requests sent per operation (the X-Amz-Target suffix), every try counted: each try passes here once.</summary>
        public IReadOnlyDictionary<string, int> Requests => new Dictionary<string, int>(requests);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? Array.Empty<byte>() : await request.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            var signing = new AWSSigningRequest
            {
                HttpMethod = request.Method,
                RequestUri = request.RequestUri,
                Content = body,
            };
            if (request.Content?.Headers.ContentType is not null)
            {
                signing.Headers["Content-Type"] = request.Content.Headers.ContentType.ToString();
            }

            foreach (var header in request.Headers)
            {
                if (header.Key.StartsWith("X-Amz-", StringComparison.OrdinalIgnoreCase) && !SigningHeaders.Contains(header.Key, StringComparer.OrdinalIgnoreCase))
                {
                    signing.Headers[header.Key] = string.Join(",", header.Value);
                }
            }

            var parameters = new AWSSigV4Parameters { Credentials = credentials, Region = region, Service = service, SignedAt = SignedAt };
            var result = await AWSSigV4Signer.SignAsync(signing, parameters, cancellationToken).ConfigureAwait(false);
            foreach (var name in SigningHeaders)
            {
                request.Headers.Remove(name);
            }

            foreach (var header in result.Headers)
            {
                request.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            var operation = request.Headers.TryGetValues("X-Amz-Target", out var targets) ? targets.First() : request.RequestUri?.AbsolutePath ?? "?";
            requests.AddOrUpdate(operation.Substring(operation.LastIndexOf('.') + 1), 1, (_, n) => n + 1);
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
