using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core;
using ImageUpdater.Core.Http;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Registries.Oci;
using ImageUpdater.Core.Tags;
using Xunit;

namespace ImageUpdater.Core.Tests.Registries.Oci
{
    /// <summary>
    /// Protocol cases docker-registry 2.8 cannot show (it has no paging, no pull limits, no throttling): a scripted transport
    /// answers as distribution 3, Docker Hub or a CDN would.
    /// </summary>
    public class DistributionProtocolTests
    {
        private sealed class Scripted : HttpMessageHandler
        {
            private readonly Func<HttpRequestMessage, HttpResponseMessage> answer;

            public Scripted(Func<HttpRequestMessage, HttpResponseMessage> answer)
            {
                this.answer = answer;
            }

            public List<HttpRequestMessage> Seen { get; } = new List<HttpRequestMessage>();

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                lock (Seen)
                {
                    Seen.Add(request);
                }

                return Task.FromResult(answer(request));
            }
        }

        private static HttpResponseMessage Json(string body, HttpStatusCode status = HttpStatusCode.OK) =>
            new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        private static (OciRegistryClient Client, Scripted Transport) Client(Func<HttpRequestMessage, HttpResponseMessage> answer, string config = "registries:\n- name: Test\n  api_url: https://registry.test\n  prefix: registry.test\n  ping: no\n")
        {
            var transport = new Scripted(answer);
            var client = new OciRegistryClient(RegistriesConfig.Parse(config), new OciClientOptions
            {
                Transport = _ => transport,
                RetryPolicy = new RetryPolicy { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(1) },
            });
            return (client, transport);
        }

        private static readonly string[] All = { "a", "b", "c", "d", "e" };

        [Fact]
        public async Task FollowsLinkPages()
        {
            var (client, transport) = Client(request =>
            {
                var query = System.Web.HttpUtility.ParseQueryString(request.RequestUri!.Query);
                var last = query["last"];
                var page = All.Where(t => last is null || string.CompareOrdinal(t, last) > 0).Take(2).ToArray();
                var response = Json("{\"name\":\"app\",\"tags\":[" + string.Join(",", page.Select(t => "\"" + t + "\"")) + "]}");
                if (page.Length == 2 && page[1] != All[^1])
                {
                    response.Headers.TryAddWithoutValidation("Link", $"</v2/app/tags/list?n=2&last={page[1]}>; rel=\"next\"");
                }

                return response;
            });
            using (client)
            {
                var tags = await client.ListTagsAsync("registry.test", "app", TagListOptions.Default, TestContext.Current.CancellationToken);
                Assert.Equal(All, tags.Select(t => t.Tag));
                Assert.Equal(3, transport.Seen.Count);
                Assert.EndsWith("last=d", transport.Seen[2].RequestUri!.Query);
            }
        }

        [Fact]
        public async Task StopsWhenAPageRepeats()
        {
            var (client, transport) = Client(request =>
            {
                var response = Json("{\"name\":\"app\",\"tags\":[\"a\",\"b\"]}");
                response.Headers.TryAddWithoutValidation("Link", "</v2/app/tags/list?n=2&last=b>; rel=\"next\"");
                return response;
            });
            using (client)
            {
                var tags = await client.ListTagsAsync("registry.test", "app", TagListOptions.Default, TestContext.Current.CancellationToken);
                Assert.Equal(new[] { "a", "b" }, tags.Select(t => t.Tag));
                Assert.Equal(2, transport.Seen.Count);
            }
        }

        [Fact]
        public async Task ExhaustedPullLimitStopsManifestReadsButNotHeads()
        {
            var (client, transport) = Client(request =>
            {
                if (request.RequestUri!.AbsolutePath.EndsWith("/tags/list"))
                {
                    return Json("{\"name\":\"app\",\"tags\":[\"1.0\"]}");
                }

                var head = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(Array.Empty<byte>()) };
                head.Headers.TryAddWithoutValidation("Docker-Content-Digest", "sha256:" + new string('a', 64));
                head.Headers.TryAddWithoutValidation("ratelimit-limit", "100;w=21600");
                head.Headers.TryAddWithoutValidation("ratelimit-remaining", "0;w=21600");
                return head;
            });
            using (client)
            {
                // Something cached already, so tags are resolved with HEAD first (a cold cache goes straight to GET).
                client.Options.Cache.Set("sha256:" + new string('b', 64), new ManifestMetadata());
                var error = await Assert.ThrowsAsync<ImageUpdaterException>(() => client.ListTagsAsync("registry.test", "app", new TagListOptions { NeedsMetadata = true }, TestContext.Current.CancellationToken));
                Assert.Equal("RegistryPullLimitReached", error.ErrorId);
                Assert.Equal(FailureKind.LimitsExceeded, error.Kind);
                Assert.Contains("0;w=21600 of 100;w=21600", error.Message);
                Assert.DoesNotContain(transport.Seen, r => r.Method == HttpMethod.Get && r.RequestUri!.AbsolutePath.Contains("/manifests/"));
            }
        }

        [Fact]
        public async Task TooManyRequestsWaitsRetryAfter()
        {
            var calls = 0;
            var (client, transport) = Client(request =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    var busy = Json("{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow down\"}]}", (HttpStatusCode)429);
                    busy.Headers.TryAddWithoutValidation("Retry-After", "1");
                    return busy;
                }

                return Json("{\"name\":\"app\",\"tags\":[\"1.0\"]}");
            });
            using (client)
            {
                var watch = Stopwatch.StartNew();
                var tags = await client.ListTagsAsync("registry.test", "app", TagListOptions.Default, TestContext.Current.CancellationToken);
                Assert.Single(tags);
                Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.95), $"waited only {watch.Elapsed}");
                Assert.Equal(2, transport.Seen.Count);
            }
        }

        [Fact]
        public async Task AManifestThatIsNotJsonIsInvalidData()
        {
            var (client, _) = Client(request => request.RequestUri!.AbsolutePath.EndsWith("/tags/list")
                ? Json("{\"name\":\"app\",\"tags\":[\"1.0\"]}")
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("<html>proxy login</html>", Encoding.UTF8, "text/html") });
            using (client)
            {
                var error = await Assert.ThrowsAsync<ImageUpdaterException>(() => client.ListTagsAsync("registry.test", "app", new TagListOptions { NeedsMetadata = true }, TestContext.Current.CancellationToken));
                Assert.Equal("RegistryResponseInvalid", error.ErrorId);
                Assert.Equal(FailureKind.InvalidData, error.Kind);
                Assert.Contains("app:1.0", error.Message);
            }
        }

        [Fact]
        public async Task ServerErrorsAreRetriedThenReported()
        {
            var (client, transport) = Client(_ => Json("{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"storage down\"}]}", HttpStatusCode.ServiceUnavailable));
            using (client)
            {
                var error = await Assert.ThrowsAsync<ImageUpdaterException>(() => client.ListTagsAsync("registry.test", "app", TagListOptions.Default, TestContext.Current.CancellationToken));
                Assert.Equal("RegistryRequestFailed", error.ErrorId);
                Assert.Contains("HTTP 503 (UNKNOWN: storage down)", error.Message);
                Assert.Equal(3, transport.Seen.Count);
            }
        }

        [Fact]
        public async Task BlobRedirectsDropTheRegistryCredential()
        {
            var config = "registries:\n- name: Test\n  api_url: https://registry.test\n  prefix: registry.test\n  ping: no\n  credentials: env:IU_PROTOCOL_TEST\n";
            Environment.SetEnvironmentVariable("IU_PROTOCOL_TEST", "u:p");
            var (client, transport) = Client(request =>
            {
                var path = request.RequestUri!.AbsolutePath;
                if (request.RequestUri.Host == "registry.test" && request.Headers.Authorization is null)
                {
                    var challenge = Json("{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}", HttpStatusCode.Unauthorized);
                    challenge.Headers.TryAddWithoutValidation("WWW-Authenticate", "Basic realm=\"test\"");
                    return challenge;
                }

                if (path.EndsWith("/tags/list"))
                {
                    return Json("{\"name\":\"app\",\"tags\":[\"1.0\"]}");
                }

                if (path.Contains("/manifests/"))
                {
                    var manifest = Json("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:" + new string('c', 64) + "\",\"size\":10},\"layers\":[]}");
                    manifest.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/vnd.oci.image.manifest.v1+json");
                    manifest.Headers.TryAddWithoutValidation("Docker-Content-Digest", "sha256:" + new string('m', 64));
                    return manifest;
                }

                if (request.RequestUri.Host == "registry.test")
                {
                    var redirect = new HttpResponseMessage(HttpStatusCode.TemporaryRedirect);
                    redirect.Headers.Location = new Uri("https://storage.test/blob?sig=1");
                    return redirect;
                }

                return Json("{\"created\":\"2024-05-06T07:08:09Z\",\"os\":\"linux\",\"architecture\":\"arm64\"}");
            }, config);
            try
            {
                using (client)
                {
                    var tag = Assert.Single(await client.ListTagsAsync("registry.test", "app", new TagListOptions { NeedsMetadata = true }, TestContext.Current.CancellationToken));
                    Assert.Equal(new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero), tag.CreatedAt);
                    Assert.Equal(new[] { "linux/arm64" }, tag.Platforms);
                    var storage = Assert.Single(transport.Seen, r => r.RequestUri!.Host == "storage.test");
                    Assert.Null(storage.Headers.Authorization);
                    Assert.All(transport.Seen.Where(r => r.RequestUri!.Host == "registry.test").Skip(1), r => Assert.Equal("Basic", r.Headers.Authorization?.Scheme));
                }
            }
            finally
            {
                Environment.SetEnvironmentVariable("IU_PROTOCOL_TEST", null);
            }
        }

        [Fact]
        public async Task LimitSpacesRequestsPerSecond()
        {
            var (client, transport) = Client(_ => Json("{\"name\":\"app\",\"tags\":[\"1.0\"]}"), "registries:\n- name: Test\n  api_url: https://registry.test\n  prefix: registry.test\n  ping: no\n  limit: 5\n");
            using (client)
            {
                var api = client.ClientFor(client.Resolve("registry.test", "app").Endpoint);
                var watch = Stopwatch.StartNew();
                for (var i = 0; i < 6; i++)
                {
                    await api.ListTagsAsync("app", TestContext.Current.CancellationToken);
                }

                // Six requests at five per second: the sixth waits for the second second.
                Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.95), $"took only {watch.Elapsed}");
                Assert.Equal(6, transport.Seen.Count);
            }
        }

        [Fact]
        public void DockerHubNamesGainLibrary()
        {
            using var client = new OciRegistryClient();
            var (endpoint, name) = client.Resolve(null, "nginx");
            Assert.Equal("https://registry-1.docker.io", endpoint.ApiUrl);
            Assert.Equal("library/nginx", name);
            Assert.Equal("bitnami/nginx", client.Resolve("docker.io", "bitnami/nginx").Repository);
            Assert.Equal("library/redis", client.Resolve("docker.io", "redis").Repository);
            Assert.Equal("app", client.Resolve("ghcr.io", "app").Repository);
        }

        [Fact]
        public void ChallengeParametersKeepQuotedCommas()
        {
            var p = AuthChallenge.ParseParameters("realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:samalba/my-app:pull,push\"");
            Assert.Equal("https://auth.docker.io/token", p["realm"]);
            Assert.Equal("registry.docker.io", p["service"]);
            Assert.Equal("repository:samalba/my-app:pull,push", p["scope"]);
            Assert.Equal("repository:team/app:pull", RegistryAuthHandler.ScopeOf(new Uri("https://r.test/v2/team/app/manifests/sha256:abc")));
            Assert.Null(RegistryAuthHandler.ScopeOf(new Uri("https://r.test/v2/")));
        }
    }
}
