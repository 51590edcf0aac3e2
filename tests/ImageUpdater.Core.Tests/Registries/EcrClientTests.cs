using System;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Registries.Ecr;
using ImageUpdater.Emulators.Ecr;
using Xunit;

namespace ImageUpdater.Core.Tests.Registries
{
    public class EcrClientTests
    {
        private const string Seed = @"{""repositories"":[{""name"":""team/app"",""images"":[
            {""tags"":[""1.4.2"",""latest""],""pushedAt"":1700000000.5,""size"":48318255},
            {""tags"":[""1.5.0""],""pushedAt"":1.7000001E9,""platforms"":[""linux/amd64"",""linux/arm64/v8""]}]}]}";

        [Theory]
        [InlineData(1)]
        [InlineData(999)]
        [InlineData(1000)]
        [InlineData(1001)]
        [InlineData(2500)]
        [InlineData(5000)]
        public async Task ListingCostsOneDescribeImagesCallPerThousandImages(int images)
        {
            await using var emulator = EcrTestBed.Start(o => o.Generated["big/repo"] = images);
            using var client = EcrTestBed.Client(emulator);
            var details = await client.DescribeImagesAsync("big/repo", cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(images, details.Count);
            Assert.Equal(images, details.Select(d => d.ImageTags[0]).Distinct().Count());
            Assert.Equal((images + 999) / 1000, emulator.RequestCount("DescribeImages"));
            Assert.Equal((images + 999) / 1000, client.Requests["DescribeImages"]);
        }

        [Fact]
        public async Task ReadsTagsDigestsSizesAndFractionalPushTimes()
        {
            await using var emulator = EcrTestBed.Start(o => o.SeedJson.Add(Seed));
            using var registry = new EcrRegistryClient(EcrTestBed.Aws(emulator));
            var tags = await registry.ListTagsAsync(emulator.RegistryHost, "team/app", TagListOptions.Default, TestContext.Current.CancellationToken);
            Assert.Equal(new[] { "1.4.2", "latest", "1.5.0" }, tags.Select(t => t.Tag).ToArray());
            var first = tags[0];
            Assert.Equal(emulator.RegistryHost, first.Registry);
            Assert.Equal("team/app", first.Repository);
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000000500), first.PushedAt);
            Assert.Equal(48318255, first.SizeBytes);
            Assert.StartsWith("sha256:", first.Digest);
            Assert.Equal(first.Digest, tags[1].Digest);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000100), tags[2].PushedAt);
            Assert.Empty(tags[2].Platforms);
            Assert.False(registry.Requests.ContainsKey("BatchGetImage"));
        }

        [Fact]
        public async Task PlatformsAreReadFromManifestListsOnlyWhenAsked()
        {
            await using var emulator = EcrTestBed.Start(o => o.SeedJson.Add(Seed));
            using var registry = new EcrRegistryClient(EcrTestBed.Aws(emulator));
            var tags = await registry.ListTagsAsync(emulator.RegistryHost, "team/app", new TagListOptions { Platforms = new[] { "linux/arm64" } }, TestContext.Current.CancellationToken);
            Assert.Equal(new[] { "linux/amd64", "linux/arm64/v8" }, tags.Single(t => t.Tag == "1.5.0").Platforms);
            Assert.Empty(tags.Single(t => t.Tag == "1.4.2").Platforms);
            Assert.Equal(1, emulator.RequestCount("BatchGetImage"));
        }

        [Fact]
        public async Task MissingRepositoryIsObjectNotFound()
        {
            await using var emulator = EcrTestBed.Start();
            using var client = EcrTestBed.Client(emulator);
            var ex = await Assert.ThrowsAsync<ImageUpdaterException>(() => client.DescribeImagesAsync("no/such", cancellationToken: TestContext.Current.CancellationToken));
            Assert.Equal("EcrRepositoryNotFound", ex.ErrorId);
            Assert.Equal(FailureKind.ObjectNotFound, ex.Kind);
            Assert.Contains("'no/such'", ex.Message);
            Assert.Equal(1, emulator.RequestCount("DescribeImages"));
        }

        [Fact]
        public async Task WrongSecretIsAnInvalidSignatureThatNeverEchoesSecrets()
        {
            await using var emulator = EcrTestBed.Start(o => o.Keys["ASIAEMULATOR00000002"] = ("right-secret", "session-token-value"));
            using var client = EcrTestBed.Client(emulator, "ASIAEMULATOR00000002", "wrong-secret", "session-token-value");
            var ex = await Assert.ThrowsAsync<ImageUpdaterException>(() => client.DescribeImagesAsync("team/app", cancellationToken: TestContext.Current.CancellationToken));
            Assert.Equal("EcrInvalidSignature", ex.ErrorId);
            Assert.Equal(FailureKind.AuthenticationError, ex.Kind);
            Assert.Contains("secret key", ex.Message);
            Assert.DoesNotContain("wrong-secret", ex.Message);
            Assert.DoesNotContain("session-token-value", ex.Message);
            Assert.Equal(1, emulator.RequestCount("DescribeImages"));
        }

        [Fact]
        public async Task SessionTokenIsSignedAndAccepted()
        {
            await using var emulator = EcrTestBed.Start(o =>
            {
                o.Keys["ASIAEMULATOR00000002"] = ("right-secret", "session-token-value");
                o.Generated["team/app"] = 3;
            });
            using var client = EcrTestBed.Client(emulator, "ASIAEMULATOR00000002", "right-secret", "session-token-value");
            Assert.Equal(3, (await client.DescribeImagesAsync("team/app", cancellationToken: TestContext.Current.CancellationToken)).Count);
        }

        [Theory]
        [InlineData("unknown-key", "EcrCredentialsNotRecognized", FailureKind.AuthenticationError, "access key")]
        [InlineData("expired", "EcrCredentialsExpired", FailureKind.AuthenticationError, "expired")]
        [InlineData("denied", "EcrAccessDenied", FailureKind.PermissionDenied, "ecr:DescribeImages")]
        public async Task AuthenticationAndAuthorizationErrorsSayWhatToDo(string situation, string errorId, FailureKind kind, string hint)
        {
            await using var emulator = EcrTestBed.Start(o =>
            {
                o.Keys["ASIAEXPIRED000000001"] = ("secret", "old-token");
                o.ExpiredTokens.Add("old-token");
                o.Denied.Add(EcrEmulatorOptions.DefaultAccessKey + ":DescribeImages");
                o.Generated["team/app"] = 3;
            });
            using var client = situation switch
            {
                "unknown-key" => EcrTestBed.Client(emulator, "AKIAUNKNOWN000000000", "whatever"),
                "expired" => EcrTestBed.Client(emulator, "ASIAEXPIRED000000001", "secret", "old-token"),
                _ => EcrTestBed.Client(emulator),
            };
            var ex = await Assert.ThrowsAsync<ImageUpdaterException>(() => client.DescribeImagesAsync("team/app", cancellationToken: TestContext.Current.CancellationToken));
            Assert.Equal(errorId, ex.ErrorId);
            Assert.Equal(kind, ex.Kind);
            Assert.Contains(hint, ex.Message);
            Assert.DoesNotContain("old-token", ex.Message);
        }

        [Fact]
        public async Task ClockSkewIsReportedAsSuch()
        {
            await using var emulator = EcrTestBed.Start(o => o.Generated["team/app"] = 1);
            using var client = EcrTestBed.Client(emulator);
            client.SignedAt = DateTime.UtcNow.AddMinutes(-30);
            var ex = await Assert.ThrowsAsync<ImageUpdaterException>(() => client.DescribeImagesAsync("team/app", cancellationToken: TestContext.Current.CancellationToken));
            Assert.Equal("EcrClockSkew", ex.ErrorId);
            Assert.Contains("clock", ex.Message);
        }

        [Fact]
        public async Task ThrottlingAndServerErrorsAreRetriedThenSucceed()
        {
            await using var emulator = EcrTestBed.Start(o =>
            {
                o.ThrottleFirst = 2;
                o.FailFirst = 1;
                o.Generated["team/app"] = 5;
            });
            using var client = EcrTestBed.Client(emulator);
            var details = await client.DescribeImagesAsync("team/app", cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(5, details.Count);
            Assert.Equal(3, client.Retries);
            Assert.Equal(4, emulator.RequestCount("DescribeImages"));
        }

        [Fact]
        public async Task PersistentThrottlingEndsInAClearErrorAfterBoundedTries()
        {
            await using var emulator = EcrTestBed.Start(o =>
            {
                o.ThrottleRate = 1.0;
                o.Generated["team/app"] = 5;
            });
            using var client = EcrTestBed.Client(emulator);
            var ex = await Assert.ThrowsAsync<ImageUpdaterException>(() => client.DescribeImagesAsync("team/app", cancellationToken: TestContext.Current.CancellationToken));
            Assert.Equal("EcrThrottled", ex.ErrorId);
            Assert.Equal(FailureKind.LimitsExceeded, ex.Kind);
            Assert.Contains("4 tries at most", ex.Message);
            Assert.Equal(4, emulator.RequestCount("DescribeImages"));
        }

        [Fact]
        public async Task PersistentServerErrorsEndAsResourceUnavailable()
        {
            await using var emulator = EcrTestBed.Start(o =>
            {
                o.FailFirst = 100;
                o.Generated["team/app"] = 5;
            });
            using var client = EcrTestBed.Client(emulator);
            var ex = await Assert.ThrowsAsync<ImageUpdaterException>(() => client.DescribeImagesAsync("team/app", cancellationToken: TestContext.Current.CancellationToken));
            Assert.Equal("EcrUnavailable", ex.ErrorId);
            Assert.Equal(FailureKind.ResourceUnavailable, ex.Kind);
        }

        [Fact]
        public async Task AuthorizationTokenOpensTheRegistryApi()
        {
            await using var emulator = EcrTestBed.Start(o => o.Generated["team/app"] = 3);
            using var client = EcrTestBed.Client(emulator);
            var login = await client.GetAuthorizationTokenAsync(cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal("AWS", login.UserName);
            Assert.True(login.ExpiresAt > DateTimeOffset.UtcNow.AddHours(11));
            Assert.DoesNotContain(login.Password, login.ToString());
            using var http = new HttpClient();
            var anonymous = await http.GetAsync(emulator.Url + "v2/team/app/tags/list", TestContext.Current.CancellationToken);
            Assert.Equal(401, (int)anonymous.StatusCode);
            Assert.StartsWith("Basic", anonymous.Headers.WwwAuthenticate.First().Scheme);
            var request = new HttpRequestMessage(HttpMethod.Get, login.ProxyEndpoint + "/v2/team/app/tags/list");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", login.BasicToken);
            var listed = await http.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(200, (int)listed.StatusCode);
            Assert.Contains("1.0.2", await listed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        [Fact]
        public async Task DescribeRepositoriesListsAndNamesRepositories()
        {
            await using var emulator = EcrTestBed.Start(o =>
            {
                o.Generated["team/app"] = 1;
                o.Generated["team/api"] = 1;
            });
            using var client = EcrTestBed.Client(emulator);
            var all = await client.DescribeRepositoriesAsync(cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(new[] { "team/api", "team/app" }, all.Select(r => r.RepositoryName).ToArray());
            Assert.Equal(emulator.RegistryHost + "/team/api", all[0].RepositoryUri);
            var ex = await Assert.ThrowsAsync<ImageUpdaterException>(() => client.DescribeRepositoriesAsync(new[] { "team/none" }, cancellationToken: TestContext.Current.CancellationToken));
            Assert.Equal("EcrRepositoryNotFound", ex.ErrorId);
        }

        [Fact]
        public async Task EmulatorRejectsUnsignedAndMistypedRequests()
        {
            await using var emulator = EcrTestBed.Start();
            using var http = new HttpClient();
            var unsigned = new HttpRequestMessage(HttpMethod.Post, emulator.Url) { Content = new StringContent("{}", Encoding.UTF8) };
            unsigned.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.1");
            unsigned.Headers.Add("X-Amz-Target", EcrClient.TargetPrefix + "DescribeRepositories");
            var response = await http.SendAsync(unsigned, TestContext.Current.CancellationToken);
            Assert.Equal(403, (int)response.StatusCode);
            Assert.Contains("MissingAuthenticationTokenException", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

            var wrongTarget = new HttpRequestMessage(HttpMethod.Post, emulator.Url) { Content = new StringContent("{}") };
            wrongTarget.Headers.Add("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.DeleteRepository");
            response = await http.SendAsync(wrongTarget, TestContext.Current.CancellationToken);
            Assert.Contains("UnknownOperationException", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        [Fact]
        public async Task CachingClientListsEachRepositoryOnceForConcurrentCallers()
        {
            await using var emulator = EcrTestBed.Start(o =>
            {
                o.Generated["team/app"] = 1500;
                o.Latency = TimeSpan.FromMilliseconds(20);
            });
            using var registry = new EcrRegistryClient(EcrTestBed.Aws(emulator));
            var cached = new CachingRegistryClient(registry);
            var calls = Enumerable.Range(0, 20).Select(_ => Task.Run(() => cached.ListTagsAsync(emulator.RegistryHost, "team/app", TagListOptions.Default))).ToArray();
            var results = await Task.WhenAll(calls);
            Assert.All(results, r => Assert.Equal(1500, r.Count));
            Assert.Equal(2, emulator.RequestCount("DescribeImages"));
            Assert.Equal(1, cached.Listings);
        }
    
        /// <summary>An emulator with repositories team/r0 … team/r{count-1} of five images each, answering after <paramref name="latencyMs"/>.</summary>
        private static ImageUpdater.Emulators.Ecr.EcrEmulator StartWithRepositories(int count, int latencyMs) => EcrTestBed.Start(o =>
        {
            for (var i = 0; i < count; i++)
            {
                o.Generated[$"team/r{i}"] = 5;
            }

            o.Latency = TimeSpan.FromMilliseconds(latencyMs);
        });

        [Fact]
        public async Task ListingLimitBoundsRepositoriesInFlightInFirstAskedOrder()
        {
            await using var emulator = StartWithRepositories(8, latencyMs: 100);
            var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
            using var registry = new EcrRegistryClient(EcrTestBed.Aws(emulator)) { Log = line => order.Enqueue(line) };
            using var cached = new CachingRegistryClient(registry, maxConcurrentListings: 3);

            // Four callers per repository, all at once: callers waiting for a listing under way hold no slot.
            var calls = Enumerable.Range(0, 32).Select(i => cached.ListTagsAsync(emulator.RegistryHost, $"team/r{i / 4}", TagListOptions.Default)).ToArray();
            var results = await Task.WhenAll(calls);

            Assert.All(results, r => Assert.Equal(5, r.Count));
            Assert.Equal(8, emulator.RequestCount("DescribeImages"));
            Assert.Equal(3, cached.PeakConcurrentListings);
            var listed = order.Where(l => l.StartsWith("ECR DescribeImages", StringComparison.Ordinal)).Select(l => System.Text.RegularExpressions.Regex.Match(l, @"team/r\d").Value).ToList();
            // Waiters get the slots first in, first out; two listings released at once may log in either order.
            Assert.Equal(8, listed.Distinct().Count());
            Assert.Equal(new[] { "team/r0", "team/r1", "team/r2" }, listed.Take(3).OrderBy(r => r, StringComparer.Ordinal));
            Assert.All(Enumerable.Range(0, 8), i => Assert.InRange(listed.IndexOf($"team/r{i}"), i - 2, i + 2));
        }

        [Fact]
        public async Task StoppingTheRunCancelsQueuedListingsSoNoMoreRequestsAreSent()
        {
            await using var emulator = StartWithRepositories(5, latencyMs: 400);
            using var registry = new EcrRegistryClient(EcrTestBed.Aws(emulator));
            using var stopping = new CancellationTokenSource();
            using var cached = new CachingRegistryClient(registry, maxConcurrentListings: 1, lifetime: stopping.Token);

            var calls = Enumerable.Range(0, 5).Select(i => cached.ListTagsAsync(emulator.RegistryHost, $"team/r{i}", TagListOptions.Default)).ToArray();
            await Task.Delay(150, TestContext.Current.CancellationToken);
            stopping.Cancel();

            foreach (var call in calls)
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
            }

            await Task.Delay(600, TestContext.Current.CancellationToken);
            // At most the listing already under way reached the registry; the four queued behind the limit never did.
            Assert.InRange(emulator.RequestCount("DescribeImages"), 0, 1);
        }

        [Fact]
        public async Task WithoutALimitEveryRepositoryIsListedAtOnce()
        {
            await using var emulator = StartWithRepositories(6, latencyMs: 200);
            using var registry = new EcrRegistryClient(EcrTestBed.Aws(emulator));
            using var cached = new CachingRegistryClient(registry);

            await Task.WhenAll(Enumerable.Range(0, 6).Select(i => cached.ListTagsAsync(emulator.RegistryHost, $"team/r{i}", TagListOptions.Default)));

            Assert.Equal(6, cached.PeakConcurrentListings);
            Assert.Throws<ArgumentOutOfRangeException>(() => new CachingRegistryClient(registry, -1));
        }

        [Fact]
        public async Task ApplicationsWithDifferentStrategiesOnOneEcrRepositoryShareOneListing()
        {
            await using var emulator = EcrTestBed.Start(o => o.Generated["team/app"] = 10);
            using var registry = new EcrRegistryClient(EcrTestBed.Aws(emulator));
            var cached = new CachingRegistryClient(registry);
            await cached.ListTagsAsync(emulator.RegistryHost, "team/app", new TagListOptions(), TestContext.Current.CancellationToken);
            await cached.ListTagsAsync(emulator.RegistryHost, "team/app", new TagListOptions { NeedsMetadata = true }, TestContext.Current.CancellationToken);
            await cached.ListTagsAsync(emulator.RegistryHost, "team/app", new TagListOptions { NeedsMetadata = true, OnlyTag = "1.0.3" }, TestContext.Current.CancellationToken);
            Assert.Equal(1, emulator.RequestCount("DescribeImages"));
        }

        /// <summary>Credentials whose refresh fails, as an SSO profile with an expired login does.</summary>
        private sealed class FailingCredentials : Amazon.Runtime.RefreshingAWSCredentials
        {
            protected override CredentialsRefreshState GenerateNewCredentials() =>
                throw new Amazon.Runtime.AmazonClientException("The SSO session associated with this profile has expired.");
        }

        [Fact]
        public async Task CredentialsThatCannotBeRefreshedAreAnAuthenticationError()
        {
            await using var emulator = EcrTestBed.Start(o => o.Generated["team/app"] = 1);
            using var client = new EcrClient(new AwsOptions { Credentials = new FailingCredentials(), Region = emulator.Options.Region, EndpointUrl = new Uri(emulator.Url) });
            var ex = await Assert.ThrowsAsync<ImageUpdaterException>(() => client.DescribeImagesAsync("team/app", cancellationToken: TestContext.Current.CancellationToken));
            Assert.Equal("AwsCredentialsUnavailable", ex.ErrorId);
            Assert.Equal(FailureKind.AuthenticationError, ex.Kind);
            Assert.Contains("SSO session", ex.Message);
            Assert.Equal(0, emulator.RequestCount("DescribeImages"));
        }

        /// <summary>Session credentials that hand out an expired token first and a fresh one after ClearCredentials.</summary>
        private sealed class RotatingCredentials : Amazon.Runtime.RefreshingAWSCredentials
        {
            public int Generated;

            protected override CredentialsRefreshState GenerateNewCredentials()
            {
                Generated++;
                var token = Generated == 1 ? "old-token" : "new-token";
                return new CredentialsRefreshState(new Amazon.Runtime.ImmutableCredentials("ASIAROTATING00000001", "rotating-secret", token), DateTime.UtcNow.AddHours(1));
            }
        }

        [Fact]
        public async Task AnExpiredSessionOfRefreshingCredentialsIsRefreshedOnceAndRetried()
        {
            await using var emulator = EcrTestBed.Start(o =>
            {
                o.Keys["ASIAROTATING00000001"] = ("rotating-secret", "new-token");
                o.ExpiredTokens.Add("old-token");
                o.Generated["team/app"] = 2;
            });
            var credentials = new RotatingCredentials();
            using var client = new EcrClient(new AwsOptions { Credentials = credentials, Region = emulator.Options.Region, EndpointUrl = new Uri(emulator.Url) });
            var details = await client.DescribeImagesAsync("team/app", cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(2, details.Count);
            Assert.Equal(2, credentials.Generated);
            Assert.Equal(2, emulator.RequestCount("DescribeImages"));
            Assert.StartsWith("the -Credential object", client.CredentialSource);
        }
    }
}
