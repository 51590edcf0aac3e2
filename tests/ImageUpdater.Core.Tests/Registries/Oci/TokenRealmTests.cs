using System;
using System.Linq;
using System.Net;
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
    /// <summary>Item 5: a Bearer realm on another origin over plain http receives no registry credential unless the operator allowed it.</summary>
    public class TokenRealmTests
    {
        [Theory]
        [InlineData("http://127.0.0.1:5000", "http://127.0.0.1:5000/token", true)]
        [InlineData("https://registry-1.docker.io", "https://auth.docker.io/token", true)]
        [InlineData("http://127.0.0.1:5000", "https://auth.example.com/token", true)]
        [InlineData("http://127.0.0.1:5000", "http://127.0.0.1:5001/token", false)]
        [InlineData("https://r.example.com", "http://r.example.com/token", false)]
        [InlineData("https://r.example.com", "http://evil.example.com/token", false)]
        public void WhereTheCredentialMayGo(string registry, string realm, bool expected)
        {
            Assert.Equal(expected, AuthChallenge.MayReceiveCredential(new Uri(registry), new Uri(realm)));
        }

        [Fact]
        public void AnAllowedRealmPrefixLiftsTheRule()
        {
            Assert.True(AuthChallenge.MayReceiveCredential(new Uri("http://127.0.0.1:5000"), new Uri("http://127.0.0.1:5001/token?x=1"), new[] { "http://127.0.0.1:5001/token" }));
            Assert.False(AuthChallenge.MayReceiveCredential(new Uri("http://127.0.0.1:5000"), new Uri("http://127.0.0.1:5002/token"), new[] { "http://127.0.0.1:5001/" }));
        }

        private static OciRegistryClient Client(params string[] allowed) => new OciRegistryClient(null, new OciClientOptions
        {
            Credential = new NetworkCredential("corp-user", "CORPPASS-S3CRET-55aa"),
            RetryPolicy = new RetryPolicy { MaxAttempts = 1 },
            AllowedTokenRealms = allowed,
        });

        [Fact]
        public async Task ARealmOnAnotherOriginOverHttpGetsNoCredential()
        {
            await using var realm = CaptureRegistry.Create("--auth", "none");
            await using var registry = CaptureRegistry.Create("--auth", "bearer", "--realm", realm.Url + "token");
            var host = new Uri(registry.Url).Authority;
            using var client = Client();
            var error = await Assert.ThrowsAsync<ImageUpdaterException>(() => client.ListTagsAsync(host, "team/web", TagListOptions.Default, TestContext.Current.CancellationToken));
            Assert.Equal("RegistryTokenRealmRefused", error.ErrorId);
            Assert.Equal(FailureKind.SecurityError, error.Kind);
            Assert.Contains("-AllowTokenRealm", error.Message);
            Assert.Empty(realm.Authorizations);
            Assert.All(registry.Authorizations, a => Assert.Null(a));
        }

        [Fact]
        public async Task AnAllowedOrSameOriginRealmGetsIt()
        {
            await using var realm = CaptureRegistry.Create("--auth", "none");
            await using var registry = CaptureRegistry.Create("--auth", "bearer", "--realm", realm.Url + "token");
            using (var client = Client(realm.Url + "token"))
            {
                var tags = await client.ListTagsAsync(new Uri(registry.Url).Authority, "team/web", TagListOptions.Default, TestContext.Current.CancellationToken);
                Assert.Equal(2, tags.Count);
                Assert.StartsWith("Basic ", realm.Authorizations.Single());
            }

            await using var own = CaptureRegistry.Create("--auth", "bearer");
            using (var client = Client())
            {
                await client.ListTagsAsync(new Uri(own.Url).Authority, "team/web", TagListOptions.Default, TestContext.Current.CancellationToken);
                Assert.Contains(own.Authorizations, a => a is not null && a.StartsWith("Basic ", StringComparison.Ordinal));
            }
        }
    }
}
