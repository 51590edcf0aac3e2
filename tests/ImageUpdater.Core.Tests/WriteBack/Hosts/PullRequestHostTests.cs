using System;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Http;
using ImageUpdater.Core.WriteBack;
using ImageUpdater.Core.WriteBack.Hosts;
using ImageUpdater.Emulators;
using ImageUpdater.Emulators.GitHosts;
using Xunit;

namespace ImageUpdater.Core.Tests.WriteBack.Hosts
{
    /// <summary>Pull requests through the GitHub, GitLab and Azure DevOps stand-ins: open, update without duplicating, errors, throttling.</summary>
    public sealed class PullRequestHostTests
    {
        private static readonly ImageUpdate[] Updates =
        {
            new ImageUpdate("ghcr.io/org/app", "1.2.0") { Application = "shop", OldTag = "1.1.0", Reason = "semver: newest of 3 tags" },
        };

        public static TheoryData<string> Hosts => new TheoryData<string> { "github", "gitlab", "azuredevops" };

        [Theory]
        [MemberData(nameof(Hosts))]
        public async Task OpensThenUpdatesTheSameRequest(string kind)
        {
            await using var emulator = await Start(kind);
            var host = Host(emulator, "test-token", out _);
            var first = await host.OpenOrUpdateAsync(PullRequestText.For(Updates, "image-updater-1", "main"), CancellationToken.None);
            var changed = new[] { new ImageUpdate("ghcr.io/org/app", "1.3.0") { Application = "shop", OldTag = "1.1.0", Reason = "semver" } };
            var second = await host.OpenOrUpdateAsync(PullRequestText.For(changed, "image-updater-1", "main"), CancellationToken.None);

            Assert.True(first.Opened);
            Assert.False(second.Opened);
            Assert.Equal(first.Number, second.Number);
            var stored = Assert.Single(emulator.Pulls.All);
            Assert.Equal("chore: update ghcr.io/org/app", stored.Title);
            Assert.Contains("| shop | ghcr.io/org/app | 1.1.0 | 1.3.0 | semver |", stored.Body, StringComparison.Ordinal);
            Assert.Equal(1, stored.Edits);
            Assert.Equal(("image-updater-1", "main"), (stored.Head, stored.Base));
        }

        [Theory]
        [MemberData(nameof(Hosts))]
        public async Task AClosedRequestIsNotReopened(string kind)
        {
            await using var emulator = await Start(kind);
            emulator.Pulls.AddClosed("image-updater-1", "main");
            var outcome = await Host(emulator, "test-token", out _).OpenOrUpdateAsync(PullRequestText.For(Updates, "image-updater-1", "main"), CancellationToken.None);

            Assert.True(outcome.Opened);
            Assert.Equal(new[] { "closed", "open" }, emulator.Pulls.All.Select(p => p.State).ToArray());
            Assert.Equal(0, emulator.Pulls.All[0].Edits);
        }

        [Theory]
        [InlineData("github", "pull_requests: write")]
        [InlineData("gitlab", "Developer role")]
        [InlineData("azuredevops", "Contribute to pull requests")]
        public async Task AReadOnlyTokenNamesThePermissionAndOpensNothing(string kind, string permission)
        {
            await using var emulator = await Start(kind, "--read-only");
            var error = await Assert.ThrowsAsync<GitHostApiException>(() => Host(emulator, "test-token", out _).OpenOrUpdateAsync(PullRequestText.For(Updates, "image-updater-1", "main"), CancellationToken.None));

            Assert.Equal(403, error.Status);
            Assert.Contains(permission, error.Message, StringComparison.Ordinal);
            Assert.Empty(emulator.Pulls.All);
        }

        [Theory]
        [InlineData("github", "pull_requests: write")]
        [InlineData("gitlab", "Developer role")]
        public async Task ThePreflightRefusesAReadOnlyTokenWhereTheHostTellsIt(string kind, string permission)
        {
            await using var emulator = await Start(kind, "--read-only");
            var error = await Assert.ThrowsAsync<GitHostApiException>(() => Host(emulator, "test-token", out _).PreflightAsync(PullRequestText.For(Updates, "image-updater-1", "main"), CancellationToken.None));

            Assert.Equal(403, error.Status);
            Assert.Contains(permission, error.Message, StringComparison.Ordinal);
        }

        [Theory]
        [MemberData(nameof(Hosts))]
        public async Task ThePreflightFindsTheOpenRequest(string kind)
        {
            await using var emulator = await Start(kind);
            var host = Host(emulator, "test-token", out _);
            var request = PullRequestText.For(Updates, "image-updater-1", "main");
            Assert.Null(await host.PreflightAsync(request, CancellationToken.None));

            var opened = await host.OpenOrUpdateAsync(request, CancellationToken.None);
            Assert.Equal(opened.Number, await host.PreflightAsync(request, CancellationToken.None));
        }

        [Fact]
        public async Task AzureDevOpsPassesThePreflightAndRefusesAtCreate()
        {
            // Azure DevOps has no cheap "what may this token do": a read-only token is only found out when the request is created.
            await using var emulator = await Start("azuredevops", "--read-only");
            var host = Host(emulator, "test-token", out _);
            Assert.Null(await host.PreflightAsync(PullRequestText.For(Updates, "image-updater-1", "main"), CancellationToken.None));
        }

        [Theory]
        [MemberData(nameof(Hosts))]
        public async Task AWrongTokenIsRefusedWithoutShowingIt(string kind)
        {
            await using var emulator = await Start(kind);
            var error = await Assert.ThrowsAsync<GitHostApiException>(() => Host(emulator, "wrong-secret-value", out _).OpenOrUpdateAsync(PullRequestText.For(Updates, "b", "main"), CancellationToken.None));

            Assert.Equal(401, error.Status);
            Assert.Contains("invalid or expired", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("wrong-secret-value", error.ToString(), StringComparison.Ordinal);
        }

        [Theory]
        [MemberData(nameof(Hosts))]
        public async Task RateLimitAnswersAreRetried(string kind)
        {
            await using var emulator = await Start(kind, "--throttle", "2");
            var outcome = await Host(emulator, "test-token", out var retry).OpenOrUpdateAsync(PullRequestText.For(Updates, "b", "main"), CancellationToken.None);

            Assert.True(outcome.Opened);
            Assert.Equal(2, retry.Throttled);
            Assert.Single(emulator.Pulls.All);
        }

        [Fact]
        public async Task TheSameBranchIsRefused()
        {
            await using var emulator = await Start("github");
            await Assert.ThrowsAsync<ArgumentException>(() => Host(emulator, "test-token", out _).OpenOrUpdateAsync(PullRequestText.For(Updates, "main", "main"), CancellationToken.None));
            Assert.Equal(0, emulator.Requests);
        }

        private static async Task<GitHostEmulator> Start(string kind, params string[] options)
        {
            var all = new[] { "--token", "test-token", "--repo", kind == "azuredevops" ? "proj/app" : "org/app" }.Concat(options).ToArray();
            return (GitHostEmulator)await Program.Kinds[kind](all);
        }

        private static PullRequestHost Host(GitHostEmulator emulator, string token, out RetryHandler retry)
        {
            var kind = emulator switch { GitHubEmulator _ => GitHostKind.GitHub, GitLabEmulator _ => GitHostKind.GitLab, _ => GitHostKind.AzureDevOps };
            var baseUrl = kind == GitHostKind.GitLab ? emulator.Url + "api/v4/" : emulator.Url;
            var repository = kind == GitHostKind.AzureDevOps ? "org/proj/app" : "org/app";
            retry = new RetryHandler(new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) }, new HttpClientHandler());
            var api = new GitHostApi(new GitHostEndpoint(kind, new Uri(baseUrl), repository), new StaticGitHostToken(token), new HttpClient(retry));
            return new PullRequestHost(api);
        }
    }
}
