using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using ImageUpdater.Core.Http;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;
using ImageUpdater.Core.WriteBack.Hosts;
using ImageUpdater.Emulators;
using ImageUpdater.Emulators.GitHosts;
using Xunit;

namespace ImageUpdater.Core.Tests.WriteBack.Hosts
{
    /// <summary>Commits through the GitHub, GitLab and Azure DevOps stand-ins, each backed by a real bare repository checked with git.</summary>
    public sealed class HostCommitTests
    {
        private static readonly Dictionary<string, string> Files = new Dictionary<string, string>
        {
            ["apps/a/values.yaml"] = "nginx.tag: 1.0.0\n",
            ["apps/b/values.yaml"] = "nginx.tag: 1.0.0\n",
            ["README.md"] = "apps\n",
        };

        public static TheoryData<string> Hosts => new TheoryData<string> { "github", "gitlab", "azuredevops" };

        [Theory]
        [MemberData(nameof(Hosts))]
        public async Task TheCommitHoldsExactlyTheEditedBytes(string kind)
        {
            using var repo = new GitFixture(Files);
            await using var host = await Start(kind, repo);
            var before = repo.Log("main", "%H").Trim();
            var engine = Engine(host, repo, out _);

            var outcome = engine.Apply(Batch(host, repo, "a"));

            Assert.Empty(outcome.Errors);
            var result = Assert.Single(outcome.Results);
            var head = repo.Log("main", "%H").Trim();
            Assert.Equal(UpdateStatus.Updated, result.Status);
            Assert.Equal(head, result.Commit);
            Assert.Equal(("1.1.0", "apps/a/values.yaml", "main"), (result.NewTag, result.Target, result.Branch));
            Assert.Equal(before, GitFixture.Git(repo.Bare, "rev-parse", "main~1").Trim());
            Assert.Equal("apps/a/values.yaml\n", GitFixture.Git(repo.Bare, "diff", "--name-only", "main~1", "main"));
            Assert.Equal("-nginx.tag: 1.0.0\n+nginx.tag: 1.1.0\n", string.Concat(GitFixture.Git(repo.Bare, "diff", "main~1", "main").Split('\n').Where(l => (l.StartsWith("+", StringComparison.Ordinal) || l.StartsWith("-", StringComparison.Ordinal)) && !l.StartsWith("+++", StringComparison.Ordinal) && !l.StartsWith("---", StringComparison.Ordinal)).Select(l => l + "\n")));
            Assert.Equal("argocd-image-updater <noreply@argoproj.io>\nbuild: automatic update of a\n\nupdates image nginx tag '1.0.0' to '1.1.0'\n", repo.Log().TrimEnd('\n') + "\n");
            Assert.Contains("+nginx.tag: 1.1.0", result.Diff, StringComparison.Ordinal);
            Assert.Equal(1, engine.Statistics.Commits);
            Assert.Equal(0, engine.Statistics.Clones);
        }

        [Theory]
        [MemberData(nameof(Hosts))]
        public async Task TheResultsAreTheGitPathsForTheSameCandidates(string kind)
        {
            using var repo = new GitFixture(Files);
            using var other = new GitFixture(Files);
            await using var host = await Start(kind, repo);

            var api = Engine(host, repo, out _).Apply(Batch(host, repo, "a", "b")).Results.OrderBy(r => r.Application).ToList();
            var git = new GitWriteBack(new LineTagEditor(), other.Options()).Run(new[] { "a", "b" }.Select(n => GitFixture.Candidate(other.App(n, "apps/" + n)))).SelectMany(o => o.Results).OrderBy(r => r.Application).ToList();

            Assert.Equal(git.Select(r => (r.Application, r.Status, r.NewTag, r.Target, r.Branch)), api.Select(r => (r.Application, r.Status, r.NewTag, r.Target, r.Branch)));
            Assert.All(api, r => Assert.Equal(repo.Log("main", "%H").Trim(), r.Commit));
            Assert.Equal(other.Log("main", "%B"), repo.Log("main", "%B"));
        }

        [Theory]
        [MemberData(nameof(Hosts))]
        public async Task AConcurrentChangeToTheFileIsKeptAndTheEditReapplied(string kind)
        {
            using var repo = new GitFixture(Files);
            await using var host = await Start(kind, repo);
            host.Backing!.Race = ("apps/a/values.yaml", "nginx.tag: 1.0.0\nreplicas: 3\n");

            var outcome = Engine(host, repo, out _).Apply(Batch(host, repo, "a"));

            var result = Assert.Single(outcome.Results);
            Assert.Equal(UpdateStatus.Updated, result.Status);
            Assert.Equal(1, host.Backing.RacesRun);
            Assert.Equal("nginx.tag: 1.1.0\nreplicas: 3\n", repo.Show("main", "apps/a/values.yaml"));
            Assert.Equal("A concurrent change to apps/a/values.yaml", repo.Log("main~1", "%s").Trim());
            Assert.Contains("after the branch moved 1 time(s)", result.Message, StringComparison.Ordinal);
        }

        [Theory]
        [MemberData(nameof(Hosts))]
        public async Task AConcurrentChangeToAnotherFileIsNotLost(string kind)
        {
            using var repo = new GitFixture(Files);
            await using var host = await Start(kind, repo);
            host.Backing!.Race = ("README.md", "changed meanwhile\n");

            var result = Assert.Single(Engine(host, repo, out _).Apply(Batch(host, repo, "a")).Results);

            Assert.Equal(UpdateStatus.Updated, result.Status);
            Assert.Equal("changed meanwhile\n", repo.Show("main", "README.md"));
            Assert.Equal("nginx.tag: 1.1.0\n", repo.Show("main", "apps/a/values.yaml"));
            Assert.Equal(3, repo.CommitCount());
        }

        [Theory]
        [InlineData("github", "contents: write")]
        [InlineData("gitlab", "Developer role")]
        [InlineData("azuredevops", "Contribute")]
        public async Task AReadOnlyTokenNamesThePermissionAndMovesNoRef(string kind, string permission)
        {
            using var repo = new GitFixture(Files);
            await using var host = await Start(kind, repo);
            host.ReadOnly = true;
            var before = repo.Log("main", "%H");

            var outcome = Engine(host, repo, out _).Apply(Batch(host, repo, "a"));

            var error = Assert.Single(outcome.Errors);
            Assert.Equal(FailureKind.PermissionDenied, error.Kind);
            Assert.Contains(permission, error.Message, StringComparison.Ordinal);
            Assert.Equal(UpdateStatus.Failed, Assert.Single(outcome.Results).Status);
            Assert.Equal(before, repo.Log("main", "%H"));
            Assert.Empty(host.Backing!.RefUpdates);
        }

        [Theory]
        [MemberData(nameof(Hosts))]
        public async Task RateLimitAnswersAreRetried(string kind)
        {
            using var repo = new GitFixture(Files);
            await using var host = await Start(kind, repo, "--throttle", "3");

            var result = Assert.Single(Engine(host, repo, out var retry).Apply(Batch(host, repo, "a")).Results);

            Assert.Equal(UpdateStatus.Updated, result.Status);
            Assert.Equal(3, retry.Throttled);
        }

        [Theory]
        [MemberData(nameof(Hosts))]
        public async Task ANewWriteBranchStartsAtTheBaseAndTheBaseStays(string kind)
        {
            using var repo = new GitFixture(Files);
            await using var host = await Start(kind, repo);
            var before = repo.Log("main", "%H");
            var candidate = Candidate(host, repo, "a");
            candidate.ApplicationObject.WriteBack.BaseBranch = "main";
            candidate.ApplicationObject.WriteBack.WriteBranch = "image-updater-a";

            var result = Assert.Single(Engine(host, repo, out _).Apply(new GitRepositoryBatch(RepoUrl(host, repo), new[] { candidate })).Results);

            Assert.Equal((UpdateStatus.Updated, "image-updater-a"), (result.Status, result.Branch));
            Assert.Equal(before, repo.Log("main", "%H"));
            Assert.Equal(before.Trim(), GitFixture.Git(repo.Bare, "rev-parse", "image-updater-a~1").Trim());
            Assert.Equal("nginx.tag: 1.1.0\n", repo.Show("image-updater-a", "apps/a/values.yaml"));
        }

        [Theory]
        [MemberData(nameof(Hosts))]
        public async Task AMissingTargetFileIsCreatedAndNothingElseChanges(string kind)
        {
            using var repo = new GitFixture(Files);
            await using var host = await Start(kind, repo);

            var result = Assert.Single(Engine(host, repo, out _).Apply(Batch(host, repo, "c")).Results);

            Assert.Equal(UpdateStatus.Updated, result.Status);
            Assert.Equal("nginx.tag: 1.1.0\n", repo.Show("main", "apps/c/values.yaml"));
            Assert.Equal("A\tapps/c/values.yaml\n", GitFixture.Git(repo.Bare, "diff", "--name-status", "main~1", "main"));
        }

        [Theory]
        [MemberData(nameof(Hosts))]
        public async Task APullRequestFollowsTheCommitToANewWriteBranch(string kind)
        {
            using var repo = new GitFixture(Files);
            await using var host = await Start(kind, repo);
            var options = repo.Options();
            var engine = Engine(host, repo, out _, options);
            options.Host.PullRequest = true;
            var candidate = Candidate(host, repo, "a");
            candidate.ApplicationObject.WriteBack.BaseBranch = "main";
            candidate.ApplicationObject.WriteBack.WriteBranch = "image-updater-a";

            var outcome = engine.Apply(new GitRepositoryBatch(RepoUrl(host, repo), new[] { candidate }));

            Assert.Empty(outcome.Errors);
            var result = Assert.Single(outcome.Results);
            Assert.Equal(UpdateStatus.Updated, result.Status);
            Assert.NotNull(result.PullRequest);
            var pull = Assert.Single(host.Pulls.All);
            Assert.Equal(("image-updater-a", "main"), (pull.Head, pull.Base));
        }

        [Fact]
        public async Task GitHubMovesTheRefByPatchWithoutForceAndSignsTheCommit()
        {
            using var repo = new GitFixture(Files);
            await using var host = await Start("github", repo);

            Engine(host, repo, out _).Apply(Batch(host, repo, "a"));

            var update = Assert.Single(host.Backing!.RefUpdates);
            Assert.Equal(("PATCH git/refs", false), (update.Method, update.Force));
            Assert.Equal("GitHub <noreply@github.com>", repo.Log("main", "%cn <%ce>").Trim());
        }

        [Theory]
        [MemberData(nameof(Hosts))]
        public async Task WhatIfReadsButWritesNothing(string kind)
        {
            using var repo = new GitFixture(Files);
            await using var host = await Start(kind, repo);
            var options = repo.Options();
            options.WhatIf = true;
            var before = repo.Log("main", "%H");

            var result = Assert.Single(Engine(host, repo, out _, options).Apply(Batch(host, repo, "a")).Results);

            Assert.Equal(UpdateStatus.WhatIf, result.Status);
            Assert.Contains("+nginx.tag: 1.1.0", result.Diff, StringComparison.Ordinal);
            Assert.Equal(before, repo.Log("main", "%H"));
            Assert.Empty(host.Backing!.RefUpdates);
        }

        [Fact]
        public async Task ATokenIsNotSentWhereOnlyTheRepositoryUrlPoints()
        {
            using var repo = new GitFixture(Files);
            await using var host = await Start("github", repo);
            var options = repo.Options();
            options.Host = new GitHostSettings { Kind = GitHostKind.GitHub, Token = new NetworkCredential(string.Empty, "test-token") };
            options.HostCommits = new HostCommitSettings();
            var engine = new GitWriteBack(new LineTagEditor(), options);

            var outcome = engine.Apply(Batch(host, repo, "a"));

            Assert.Equal("GitHostTokenNotBound", Assert.Single(outcome.Errors).ErrorId);
            Assert.Equal(UpdateStatus.Failed, Assert.Single(outcome.Results).Status);
            Assert.Equal(0, host.Requests);
        }

        private static async Task<GitHostEmulator> Start(string kind, GitFixture repo, params string[] options)
        {
            var all = new[] { "--token", "test-token", "--repo", kind == "azuredevops" ? "proj/app" : "org/app", "--bare", repo.Bare }.Concat(options).ToArray();
            return (GitHostEmulator)await Program.Kinds[kind](all);
        }

        private static string RepoUrl(GitHostEmulator host, GitFixture repo) => host is AzureDevOpsEmulator ? host.Url + "org/proj/_git/app" : host.Url + "org/app.git";

        private static ImageUpdateCandidate Candidate(GitHostEmulator host, GitFixture repo, string name) =>
            GitFixture.Candidate(repo.App(name, "apps/" + name, repository: RepoUrl(host, repo)));

        private static GitRepositoryBatch Batch(GitHostEmulator host, GitFixture repo, params string[] names) =>
            new GitRepositoryBatch(RepoUrl(host, repo), names.Select(n => Candidate(host, repo, n)).ToList());

        private static GitWriteBack Engine(GitHostEmulator host, GitFixture repo, out RetryHandler retry, GitWriteBackOptions? options = null)
        {
            var kind = host switch { GitHubEmulator _ => GitHostKind.GitHub, GitLabEmulator _ => GitHostKind.GitLab, _ => GitHostKind.AzureDevOps };
            retry = new RetryHandler(new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) }, new HttpClientHandler());
            options ??= repo.Options();
            options.Host = new GitHostSettings { Kind = kind, ApiUrl = new Uri(kind == GitHostKind.GitLab ? host.Url + "api/v4/" : host.Url), Token = new NetworkCredential(string.Empty, "test-token") };
            options.HostCommits = new HostCommitSettings(new HttpClient(retry));
            return new GitWriteBack(new LineTagEditor(), options);
        }
    }
}
