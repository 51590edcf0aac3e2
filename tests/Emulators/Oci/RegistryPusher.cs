using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;

namespace ImageUpdater.Emulators.Oci
{
    /// <summary>
    /// Pushes small images through the distribution API (blob upload POST+PUT, manifest PUT), as a client like crane would:
    /// a config blob with a chosen <c>created</c>, one layer, an OCI or Docker manifest, and OCI indexes over platform images.
    /// Answers Basic and Bearer challenges by itself (independent of the client under test).
    /// </summary>
    public sealed class RegistryPusher : IDisposable
    {
        // Test registries on loopback may serve a self-signed certificate.
        private readonly HttpClient http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        private readonly Uri baseUri;
        private readonly string? user;
        private readonly string? password;
        private readonly Dictionary<string, string> tokens = new Dictionary<string, string>();

        public RegistryPusher(string url, string? user = null, string? password = null)
        {
            baseUri = new Uri(url.TrimEnd('/') + "/");
            this.user = user;
            this.password = password;
        }

        /// <summary>Pushes a single-platform image; returns its manifest digest. <paramref name="tag"/> null pushes by digest only.</summary>
        public async Task<string> PushImageAsync(string repository, string? tag, DateTimeOffset created, string platform = "linux/amd64", bool docker = false, IReadOnlyDictionary<string, string>? labels = null)
        {
            var (digest, _) = await PushImageManifestAsync(repository, tag, created, platform, docker, labels).ConfigureAwait(false);
            return digest;
        }

        /// <summary>Pushes one image per platform (by digest) and an OCI index over them under <paramref name="tag"/>; returns the index digest.</summary>
        public async Task<string> PushIndexAsync(string repository, string tag, IEnumerable<(string Platform, DateTimeOffset Created)> images, bool docker = false)
        {
            var entries = new List<object>();
            foreach (var (platform, created) in images)
            {
                var (digest, size) = await PushImageManifestAsync(repository, null, created, platform, docker).ConfigureAwait(false);
                var parts = platform.Split('/');
                var p = new Dictionary<string, string> { ["os"] = parts[0], ["architecture"] = parts[1] };
                if (parts.Length > 2)
                {
                    p["variant"] = parts[2];
                }

                entries.Add(new Dictionary<string, object>
                {
                    ["mediaType"] = docker ? "application/vnd.docker.distribution.manifest.v2+json" : "application/vnd.oci.image.manifest.v1+json",
                    ["digest"] = digest,
                    ["size"] = size,
                    ["platform"] = p,
                });
            }

            var mediaType = docker ? "application/vnd.docker.distribution.manifest.list.v2+json" : "application/vnd.oci.image.index.v1+json";
            var index = new Dictionary<string, object> { ["schemaVersion"] = 2, ["mediaType"] = mediaType, ["manifests"] = entries };
            return (await PutManifestAsync(repository, tag, mediaType, JsonSerializer.SerializeToUtf8Bytes(index)).ConfigureAwait(false)).Digest;
        }

        private async Task<(string Digest, long Size)> PushImageManifestAsync(string repository, string? tag, DateTimeOffset created, string platform, bool docker, IReadOnlyDictionary<string, string>? labels = null)
        {
            var parts = platform.Split('/');
            var config = new Dictionary<string, object>
            {
                ["created"] = created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture),
                ["architecture"] = parts[1],
                ["os"] = parts[0],
                ["config"] = labels is null
                    ? new Dictionary<string, object> { ["Env"] = new[] { "PATH=/usr/bin" } }
                    : new Dictionary<string, object> { ["Env"] = new[] { "PATH=/usr/bin" }, ["Labels"] = labels },
                ["rootfs"] = new Dictionary<string, object> { ["type"] = "layers", ["diff_ids"] = new[] { "sha256:" + new string('0', 64) } },
            };
            if (parts.Length > 2)
            {
                config["variant"] = parts[2];
            }

            var configBytes = JsonSerializer.SerializeToUtf8Bytes(config);
            var layer = Encoding.UTF8.GetBytes($"layer of {repository} {platform} {created:O}");
            var configDigest = await PushBlobAsync(repository, configBytes).ConfigureAwait(false);
            var layerDigest = await PushBlobAsync(repository, layer).ConfigureAwait(false);
            var mediaType = docker ? "application/vnd.docker.distribution.manifest.v2+json" : "application/vnd.oci.image.manifest.v1+json";
            var manifest = new Dictionary<string, object>
            {
                ["schemaVersion"] = 2,
                ["mediaType"] = mediaType,
                ["config"] = new Dictionary<string, object>
                {
                    ["mediaType"] = docker ? "application/vnd.docker.container.image.v1+json" : "application/vnd.oci.image.config.v1+json",
                    ["digest"] = configDigest,
                    ["size"] = configBytes.Length,
                },
                ["layers"] = new[]
                {
                    new Dictionary<string, object>
                    {
                        ["mediaType"] = docker ? "application/vnd.docker.image.rootfs.diff.tar.gzip" : "application/vnd.oci.image.layer.v1.tar+gzip",
                        ["digest"] = layerDigest,
                        ["size"] = layer.Length,
                    },
                },
            };
            return await PutManifestAsync(repository, tag, mediaType, JsonSerializer.SerializeToUtf8Bytes(manifest)).ConfigureAwait(false);
        }

        /// <summary>Uploads a blob with POST then PUT ?digest= (the monolithic flow every registry supports).</summary>
        public async Task<string> PushBlobAsync(string repository, byte[] data)
        {
            var digest = Digest(data);
            using (var start = await SendAsync(repository, () => new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, $"v2/{repository}/blobs/uploads/"))).ConfigureAwait(false))
            {
                Expect(start, HttpStatusCode.Accepted, "start an upload");
                var location = start.Headers.Location!;
                var put = location.IsAbsoluteUri ? location : new Uri(baseUri, location);
                var separator = put.Query.Length > 0 ? "&" : "?";
                using var done = await SendAsync(repository, () => new HttpRequestMessage(HttpMethod.Put, new Uri(put + separator + "digest=" + Uri.EscapeDataString(digest)))
                {
                    Content = new ByteArrayContent(data) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } },
                }).ConfigureAwait(false);
                Expect(done, HttpStatusCode.Created, "finish an upload");
            }

            return digest;
        }

        private async Task<(string Digest, long Size)> PutManifestAsync(string repository, string? tag, string mediaType, byte[] body)
        {
            var digest = Digest(body);
            using var response = await SendAsync(repository, () => new HttpRequestMessage(HttpMethod.Put, new Uri(baseUri, $"v2/{repository}/manifests/{tag ?? digest}"))
            {
                Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue(mediaType) } },
            }).ConfigureAwait(false);
            Expect(response, HttpStatusCode.Created, "put a manifest");
            return (digest, body.Length);
        }

        private async Task<HttpResponseMessage> SendAsync(string repository, Func<HttpRequestMessage> make)
        {
            for (var attempt = 0; ; attempt++)
            {
                var request = make();
                if (tokens.TryGetValue(repository, out var token))
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                }
                else if (user is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));
                }

                var response = await http.SendAsync(request).ConfigureAwait(false);
                var bearer = response.Headers.WwwAuthenticate.FirstOrDefault(h => h.Scheme == "Bearer");
                if (response.StatusCode != HttpStatusCode.Unauthorized || bearer is null || attempt > 2)
                {
                    return response;
                }

                response.Dispose();
                var realm = Param(bearer.Parameter!, "realm");
                var service = Param(bearer.Parameter!, "service");
                var url = $"{realm}?service={Uri.EscapeDataString(service)}&scope={Uri.EscapeDataString($"repository:{repository}:pull,push")}";
                using var tokenRequest = new HttpRequestMessage(HttpMethod.Get, url);
                if (user is not null)
                {
                    tokenRequest.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));
                }

                using var tokenResponse = await http.SendAsync(tokenRequest).ConfigureAwait(false);
                Expect(tokenResponse, HttpStatusCode.OK, "get a push token");
                using var doc = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync().ConfigureAwait(false));
                tokens[repository] = doc.RootElement.GetProperty("token").GetString()!;
            }
        }

        private static string Param(string parameters, string name)
        {
            var marker = name + "=\"";
            var start = parameters.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
            return parameters.Substring(start, parameters.IndexOf('"', start) - start);
        }

        private static void Expect(HttpResponseMessage response, HttpStatusCode status, string what)
        {
            if (response.StatusCode != status)
            {
                throw new InvalidOperationException($"Could not {what}: HTTP {(int)response.StatusCode} {response.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
            }
        }

        public static string Digest(byte[] data) => "sha256:" + Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant();

        public void Dispose() => http.Dispose();
    }
}
