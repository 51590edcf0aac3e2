using System;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using ImageUpdater.Core;
using ImageUpdater.Core.Http;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Registries.Oci;
using ImageUpdater.Emulators.Oci;
using Xunit;

namespace ImageUpdater.Core.Tests.Registries.Oci
{
    /// <summary>The bearer-token flow against the real docker-registry configured for token auth, with tokens from the token-realm emulator.</summary>
    public class TokenAuthTests
    {
        private const string User = "bob:t0ken-pw";

        private static async Task<(TokenRealm Realm, DockerRegistry Registry)> StartAsync(params string[] realmOptions)
        {
            if (DockerRegistry.MissingReason is not null)
            {
                throw DockerRegistryFixture.Missing();
            }

            var realm = TokenRealm.Create(new[] { "--user", User }.Concat(realmOptions).ToArray());
            var registry = await DockerRegistry.StartAsync(realm);
            using var pusher = new RegistryPusher(registry.Url, "bob", "t0ken-pw");
            await pusher.PushImageAsync("team/app", "1.0.0", DateTimeOffset.UtcNow);
            await pusher.PushImageAsync("team/app", "1.1.0", DateTimeOffset.UtcNow);
            return (realm, registry);
        }

        // The emulated token service listens on another loopback port over http, so the test allows it as an operator would.
        private static OciRegistryClient Client(TokenRealm realm, string? user = User) => new OciRegistryClient(null, new OciClientOptions
        {
            AllowedTokenRealms = new[] { realm.Url },
            Credential = user is null ? null : new NetworkCredential(user.Split(':')[0], user.Split(':')[1]),
            RetryPolicy = new RetryPolicy { MaxAttempts = 2 },
        });

        [Fact]
        public async Task ChallengeTokenRetry()
        {
            var (realm, registry) = await StartAsync();
            await using (realm)
            await using (registry)
            {
                var before = realm.Issued;
                using var client = Client(realm);
                var tags = await client.ListTagsAsync(registry.Host, "team/app", TagListOptions.Default, TestContext.Current.CancellationToken);
                Assert.Equal(new[] { "1.0.0", "1.1.0" }, tags.Select(t => t.Tag).OrderBy(t => t));
                // The registry asked for a token of the repository's pull scope once; later calls reuse it.
                await client.ListTagsAsync(registry.Host, "team/app", new TagListOptions { NeedsMetadata = true }, TestContext.Current.CancellationToken);
                Assert.Contains("repository:team/app:pull", realm.Scopes);
                var auth = client.ClientFor(client.Resolve(registry.Host, "team/app").Endpoint).Auth;
                Assert.Equal(realm.Issued - before, auth.TokenRequests);
                Assert.Equal(1, auth.TokenRequests);
            }
        }

        [Fact]
        public async Task WrongPasswordIsRefusedByTheTokenService()
        {
            var (realm, registry) = await StartAsync();
            await using (realm)
            await using (registry)
            {
                using var client = Client(realm, "bob:wrong");
                var error = await Assert.ThrowsAsync<ImageUpdaterException>(() => client.ListTagsAsync(registry.Host, "team/app", TagListOptions.Default, TestContext.Current.CancellationToken));
                Assert.Equal("RegistryAuthenticationFailed", error.ErrorId);
                Assert.Contains("refused the given credential", error.Message);
                Assert.DoesNotContain("wrong", error.Message);
            }
        }

        [Fact]
        public async Task ExpiredTokenIsFetchedAgain()
        {
            var (realm, registry) = await StartAsync("--expires-in", "2");
            await using (realm)
            await using (registry)
            {
                using var client = Client(realm);
                await client.ListTagsAsync(registry.Host, "team/app", TagListOptions.Default, TestContext.Current.CancellationToken);
                var auth = client.ClientFor(client.Resolve(registry.Host, "team/app").Endpoint).Auth;
                var first = auth.TokenRequests;
                await client.ListTagsAsync(registry.Host, "team/app", new TagListOptions { NeedsMetadata = true }, TestContext.Current.CancellationToken);
                Assert.Equal(first, auth.TokenRequests);
                await Task.Delay(TimeSpan.FromSeconds(2.5), TestContext.Current.CancellationToken);
                await client.ClientFor(client.Resolve(registry.Host, "team/app").Endpoint).ListTagsAsync("team/app", TestContext.Current.CancellationToken);
                Assert.Equal(first + 1, auth.TokenRequests);
            }
        }

        [Fact]
        public async Task TokenTheRegistryRefusesIsReplacedOnce()
        {
            var (realm, registry) = await StartAsync();
            await using (realm)
            await using (registry)
            {
                using var client = Client(realm);
                var api = client.ClientFor(client.Resolve(registry.Host, "team/app").Endpoint);
                // The next token is already expired for the registry although expires_in promises 300 s.
                realm.ExpiredNext = 1;
                var before = realm.Issued;
                var tags = await api.ListTagsAsync("team/app", TestContext.Current.CancellationToken);
                Assert.Equal(2, tags.Count);
                Assert.Equal(2, realm.Issued - before);
                Assert.Equal(2, api.Auth.TokenRequests);
            }
        }
    }
}
