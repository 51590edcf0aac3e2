using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core;
using ImageUpdater.Core.Http;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Registries.Oci;
using ImageUpdater.Core.Tags;
using ImageUpdater.Emulators.Oci;
using Xunit;

namespace ImageUpdater.Core.Tests.Registries.Oci
{
    /// <summary>The distribution client against the real docker-registry 2.8 with htpasswd Basic auth.</summary>
    public class DistributionRegistryTests : IClassFixture<DockerRegistryFixture>
    {
        private static readonly DateTimeOffset Day = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        private readonly DockerRegistryFixture fixture;

        public DistributionRegistryTests(DockerRegistryFixture fixture)
        {
            this.fixture = fixture;
        }

        private static NetworkCredential Alice => new NetworkCredential(DockerRegistryFixture.User, DockerRegistryFixture.Password);

        private OciRegistryClient Client(NetworkCredential? credential = null, ImageMetadataCache? cache = null, RegistriesConfig? config = null) =>
            new OciRegistryClient(config, new OciClientOptions { Credential = credential, Cache = cache ?? new ImageMetadataCache(), RetryPolicy = new RetryPolicy { MaxAttempts = 2 } });

        [Fact]
        public async Task ListsTagsWithBasicAuth()
        {
            var registry = fixture.Require();
            using var client = Client(Alice);
            var tags = await client.ListTagsAsync(registry.Host, "team/app", TagListOptions.Default, TestContext.Current.CancellationToken);
            Assert.Equal(new[] { "1.0.0", "1.1.0", "1.2.0", "2.0.0-rc.1", "latest" }, tags.Select(t => t.Tag).OrderBy(t => t, StringComparer.Ordinal));
            Assert.All(tags, t => Assert.Equal(registry.Host, t.Registry));
            Assert.All(tags, t => Assert.Equal("team/app", t.Repository));
            // Ping, a 401 that teaches Basic, the tag list with credentials: nothing more.
            Assert.Equal(1, client.Requests["GET tags"]);
        }

        [Fact]
        public async Task ServerIgnoringPagingGivesAllTagsOnce()
        {
            var registry = fixture.Require();
            using var client = Client(Alice);
            var (endpoint, name) = client.Resolve(registry.Host, "team/app");
            var api = client.ClientFor(endpoint);
            api.PageSize = 2;
            var tags = await api.ListTagsAsync(name, TestContext.Current.CancellationToken);
            Assert.Equal(5, tags.Count);
            Assert.Equal(1, client.Requests["GET tags"]);
        }

        [Fact]
        public async Task AnonymousAndWrongPasswordSayWhatToDo()
        {
            var registry = fixture.Require();
            using var anonymous = Client();
            var error = await Assert.ThrowsAsync<ImageUpdaterException>(() => anonymous.ListTagsAsync(registry.Host, "team/app", TagListOptions.Default, TestContext.Current.CancellationToken));
            Assert.Equal("RegistryAuthenticationFailed", error.ErrorId);
            Assert.Contains("HTTP 401", error.Message);
            Assert.Contains("anonymous access", error.Message);
            Assert.Contains("Pass -Credential", error.Message);

            using var wrong = Client(new NetworkCredential("alice", "not-the-password"));
            error = await Assert.ThrowsAsync<ImageUpdaterException>(() => wrong.ListTagsAsync(registry.Host, "team/app", TagListOptions.Default, TestContext.Current.CancellationToken));
            Assert.Equal("RegistryAuthenticationFailed", error.ErrorId);
            Assert.DoesNotContain("not-the-password", error.Message);
        }

        [Fact]
        public async Task UnknownRepositoryIsNotFound()
        {
            var registry = fixture.Require();
            using var client = Client(Alice);
            var error = await Assert.ThrowsAsync<ImageUpdaterException>(() => client.ListTagsAsync(registry.Host, "team/nothing", TagListOptions.Default, TestContext.Current.CancellationToken));
            Assert.Equal("RegistryRepositoryNotFound", error.ErrorId);
            Assert.Contains("NAME_UNKNOWN", error.Message);
        }

        [Fact]
        public async Task NewestBuildReadsConfigCreatedForOciAndDockerManifests()
        {
            var registry = fixture.Require();
            using var client = Client(Alice);
            var tags = (await client.ListTagsAsync(registry.Host, "team/app", new TagListOptions { NeedsMetadata = true }, TestContext.Current.CancellationToken)).ToDictionary(t => t.Tag);
            Assert.Equal(Day.AddDays(1), tags["1.0.0"].CreatedAt);
            Assert.Equal(Day.AddDays(30), tags["1.1.0"].CreatedAt);
            Assert.Equal(Day.AddDays(20), tags["1.2.0"].CreatedAt);
            Assert.Equal(OciMediaTypes.DockerManifest, tags["1.2.0"].MediaType);
            Assert.Equal(OciMediaTypes.OciManifest, tags["1.0.0"].MediaType);
            Assert.Equal(new[] { "linux/amd64" }, tags["1.0.0"].Platforms);
            Assert.StartsWith("sha256:", tags["latest"].Digest);
            // Nothing cached yet: one manifest GET and one config GET per tag, no HEAD in front.
            Assert.False(client.Requests.ContainsKey("HEAD manifest"));
            Assert.Equal(5, client.Requests["GET manifest"]);
            Assert.Equal(5, client.Requests["GET blob"]);
        }

        [Fact]
        public async Task MultiArchIndexTakesTheNewestMatchingPlatform()
        {
            var registry = fixture.Require();
            using var client = Client(Alice);
            var all = (await client.ListTagsAsync(registry.Host, "team/multi", new TagListOptions { NeedsMetadata = true }, TestContext.Current.CancellationToken)).ToDictionary(t => t.Tag);
            Assert.Equal(new[] { "linux/amd64", "linux/arm64" }, all["v1"].Platforms);
            Assert.Equal(OciMediaTypes.OciIndex, all["v1"].MediaType);
            Assert.Equal(Day.AddDays(40), all["v1"].CreatedAt);
            Assert.Equal(Day.AddDays(35), all["v2"].CreatedAt);

            using var amd = Client(Alice);
            var amd64 = (await amd.ListTagsAsync(registry.Host, "team/multi", new TagListOptions { NeedsMetadata = true, Platforms = new[] { "linux/amd64" } }, TestContext.Current.CancellationToken)).ToDictionary(t => t.Tag);
            Assert.Equal(Day.AddDays(2), amd64["v1"].CreatedAt);
            Assert.Equal(Day.AddDays(35), amd64["v2"].CreatedAt);
        }

        [Fact]
        public async Task SecondRunWithThePersistentCacheOnlyHeadsTags()
        {
            var registry = fixture.Require();
            var path = Path.Combine(Path.GetTempPath(), "oci-cache-" + Guid.NewGuid().ToString("N") + ".json");
            try
            {
                var options = new TagListOptions { NeedsMetadata = true };
                using (var first = Client(Alice, new ImageMetadataCache(path)))
                {
                    await first.ListTagsAsync(registry.Host, "team/multi", options, TestContext.Current.CancellationToken);
                    // Per tag: GET index (no HEAD: the cache is empty); per platform image: GET manifest, GET config.
                    Assert.Equal(2 + 4, first.Requests["GET manifest"]);
                    Assert.False(first.Requests.ContainsKey("HEAD manifest"));
                    Assert.Equal(4, first.Requests["GET blob"]);
                }

                using var pusher = new RegistryPusher(registry.Url, DockerRegistryFixture.User, DockerRegistryFixture.Password);
                await pusher.PushIndexAsync("team/multi", "v3", new[] { ("linux/amd64", Day.AddDays(50)), ("linux/arm64", Day.AddDays(51)) });

                using var second = Client(Alice, new ImageMetadataCache(path));
                var tags = (await second.ListTagsAsync(registry.Host, "team/multi", options, TestContext.Current.CancellationToken)).ToDictionary(t => t.Tag);
                Assert.Equal(Day.AddDays(51), tags["v3"].CreatedAt);
                Assert.Equal(Day.AddDays(40), tags["v1"].CreatedAt);
                Assert.Equal(3, second.Requests["HEAD manifest"]);
                // Only the new index and its two images are read.
                Assert.Equal(3, second.Requests["GET manifest"]);
                Assert.Equal(2, second.Requests["GET blob"]);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public async Task ExtScriptCredentialsAreFetchedAgainOnceWhenRejected()
        {
            var registry = fixture.Require();
            var counter = Path.Combine(Path.GetTempPath(), "ext-count-" + Guid.NewGuid().ToString("N"));
            // The first run hands out a stale password (as an expired ECR token would be), the next ones the right one.
            var script = CredentialSourceTests.Script($"if [ -f {counter} ]; then echo '{DockerRegistryFixture.User}:{DockerRegistryFixture.Password}'; else touch {counter}; echo 'alice:stale'; fi");
            var config = RegistriesConfig.Parse($"registries:\n- name: Local\n  api_url: {registry.Url}\n  prefix: {registry.Host}\n  credentials: ext:{script}\n  credsexpire: 10h\n");
            using var client = Client(null, null, config);
            var tags = await client.ListTagsAsync(registry.Host, "team/app", TagListOptions.Default, TestContext.Current.CancellationToken);
            Assert.Equal(5, tags.Count);
        }

        [Fact]
        public async Task ImagesWithoutAHostGoToTheDefaultRegistry()
        {
            var registry = fixture.Require();
            var config = RegistriesConfig.Parse($"registries:\n- name: Local\n  api_url: {registry.Url}\n  prefix: {registry.Host}\n  default: true\n  defaultns: team\n");
            using var client = Client(Alice, null, config);
            var planner = new ImageUpdater.Core.Updating.ImageUpdatePlanner(client);
            var spec = new ImageUpdater.Core.Annotations.ImageSpec("app", ImageUpdater.Core.Images.ImageReference.Parse("app:~1.0"));
            var app = new ImageUpdater.Core.Argo.ArgoApplication("shop") { Images = new[] { spec } };
            var candidate = await planner.PlanAsync(app, spec, TestContext.Current.CancellationToken);
            // 'app' has no host: the default registry serves it, and its defaultns makes it team/app.
            Assert.Equal("1.0.0", candidate.NewTag);
        }

        [Fact]
        public async Task LatestFirstSortModeReadsNoManifest()
        {
            var registry = fixture.Require();
            var config = RegistriesConfig.Parse($"registries:\n- name: Local\n  api_url: {registry.Url}\n  prefix: {registry.Host}\n  tagsortmode: latest-last\n");
            using var client = Client(Alice, null, config);
            var tags = await client.ListTagsAsync(registry.Host, "team/app", new TagListOptions { NeedsMetadata = true }, TestContext.Current.CancellationToken);
            Assert.True(tags[tags.Count - 1].CreatedAt > tags[0].CreatedAt);
            Assert.False(client.Requests.ContainsKey("HEAD manifest"));
        }
    }
}

namespace ImageUpdater.Core.Tests.Registries.Oci
{
    /// <summary>registries.conf <c>insecure</c> against the real docker-registry serving a self-signed certificate.</summary>
    public class InsecureRegistryTests
    {
        [Fact]
        public async Task SelfSignedCertificateNeedsInsecure()
        {
            if (DockerRegistry.MissingReason is not null)
            {
                throw DockerRegistryFixture.Missing();
            }

            await using var registry = await DockerRegistry.StartAsync(new[] { "alice:pw" }, tls: true);
            using (var pusher = new RegistryPusher(registry.Url, "alice", "pw"))
            {
                await pusher.PushImageAsync("team/app", "1.0.0", DateTimeOffset.UtcNow);
            }

            var options = new OciClientOptions { Credential = new NetworkCredential("alice", "pw"), RetryPolicy = new RetryPolicy { MaxAttempts = 1 } };
            var strict = RegistriesConfig.Parse($"registries:\n- name: Private\n  api_url: {registry.Url}\n  prefix: {registry.Host}\n");
            using (var client = new OciRegistryClient(strict, options))
            {
                var error = await Assert.ThrowsAsync<ImageUpdaterException>(() => client.ListTagsAsync(registry.Host, "team/app", TagListOptions.Default, TestContext.Current.CancellationToken));
                Assert.Equal("RegistryUnreachable", error.ErrorId);
                Assert.Contains("set 'insecure: yes'", error.Message);
            }

            var insecure = RegistriesConfig.Parse($"registries:\n- name: Private\n  api_url: {registry.Url}\n  prefix: {registry.Host}\n  insecure: yes\n");
            using (var client = new OciRegistryClient(insecure, options))
            {
                var tag = Assert.Single(await client.ListTagsAsync(registry.Host, "team/app", TagListOptions.Default, TestContext.Current.CancellationToken));
                Assert.Equal("1.0.0", tag.Tag);
            }
        }
    }
}
