using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;
using Xunit;

namespace ImageUpdater.Core.Tests.WriteBack.Git
{
    /// <summary>Holds against real bare repositories: a person's commit that changed the value holds the update; seeds, the updater's own commits and releases do not.</summary>
    public class HoldTests
    {
        private static Dictionary<string, string> Seed(string tag) => new Dictionary<string, string> { ["apps/a/values.yaml"] = "nginx.tag: " + tag + "\n", ["README.md"] = "apps\n" };

        /// <summary>Commits <paramref name="content"/> to a file of main as <paramref name="author"/> and pushes it, as a person (or the updater) would.</summary>
        private static string CommitAs(GitFixture repo, string path, string content, string name, string email, string message = "hand edit")
        {
            var work = Path.Combine(repo.Root, "work-" + Guid.NewGuid().ToString("N").Substring(0, 6));
            GitFixture.Git(repo.Root, "clone", "--quiet", repo.Bare, work);
            File.WriteAllText(Path.Combine(work, path), content);
            GitFixture.Git(work, "add", "-A");
            GitFixture.Git(work, "-c", "user.name=" + name, "-c", "user.email=" + email, "commit", "--quiet", "-m", message);
            GitFixture.Git(work, "push", "--quiet", "origin", "main");
            return GitFixture.Git(work, "rev-parse", "HEAD").Trim();
        }

        private static ImageUpdateResult RunOne(GitFixture repo, ImageUpdateCandidate candidate, Action<GitWriteBackOptions>? configure = null)
        {
            var options = repo.Options();
            configure?.Invoke(options);
            return Assert.Single(new GitWriteBack(new LineTagEditor(), options).Run(new[] { candidate }).SelectMany(o => o.Results));
        }

        [Fact]
        public void HandRollbackByAnotherAuthorIsHeldNamingCommitAndAuthor()
        {
            using var repo = new GitFixture(Seed("1.1.0"));
            var sha = CommitAs(repo, "apps/a/values.yaml", "nginx.tag: 1.0.0\n", "Alice Admin", "alice@example.com", "roll back nginx");
            var before = repo.CommitCount();

            var result = RunOne(repo, GitFixture.Candidate(repo.App("a", "apps/a"), current: "1.0.0", next: "1.1.0"));

            Assert.Equal(UpdateStatus.Held, result.Status);
            Assert.Contains("Alice Admin <alice@example.com>", result.Message);
            Assert.Contains(sha.Substring(0, 12), result.Message);
            Assert.Contains("set 1.0.0 (was 1.1.0)", result.Message);
            Assert.Contains(DateTime.UtcNow.ToString("yyyy-MM-dd"), result.Message);
            Assert.Null(result.Commit);
            Assert.Equal(before, repo.CommitCount());
            Assert.Equal("nginx.tag: 1.0.0\n", repo.Show("main", "apps/a/values.yaml"));
        }

        [Fact]
        public void SeedCommitThatSetTheValueNeverHolds()
        {
            using var repo = new GitFixture(Seed("1.0.0"));

            var result = RunOne(repo, GitFixture.Candidate(repo.App("a", "apps/a")));

            Assert.Equal(UpdateStatus.Updated, result.Status);
        }

        [Fact]
        public void UpdatersOwnEarlierCommitNeverHolds()
        {
            using var repo = new GitFixture(Seed("1.1.0"));
            CommitAs(repo, "apps/a/values.yaml", "nginx.tag: 1.0.0\n", GitWriteBackOptions.DefaultAuthorName, GitWriteBackOptions.DefaultAuthorEmail, "build: automatic update of a");

            var result = RunOne(repo, GitFixture.Candidate(repo.App("a", "apps/a"), current: "1.0.0", next: "1.2.0"));

            Assert.Equal(UpdateStatus.Updated, result.Status);
        }

        [Fact]
        public void UpdatersIdentityFromAuthorNameAndEmailOptionsIsItsOwn()
        {
            using var repo = new GitFixture(Seed("1.1.0"));
            CommitAs(repo, "apps/a/values.yaml", "nginx.tag: 1.0.0\n", "Bot", "bot@example.com");

            var mine = RunOne(repo, GitFixture.Candidate(repo.App("a", "apps/a"), current: "1.0.0", next: "1.2.0"), o => (o.AuthorName, o.AuthorEmail) = ("Bot", "bot@example.com"));

            Assert.Equal(UpdateStatus.Updated, mine.Status);
        }

        [Fact]
        public void HandChangeForwardThatTheUpdaterContinuesDoesNotHold()
        {
            using var repo = new GitFixture(Seed("1.0.0"));
            CommitAs(repo, "apps/a/values.yaml", "nginx.tag: 1.1.0\n", "Alice", "alice@example.com");

            var result = RunOne(repo, GitFixture.Candidate(repo.App("a", "apps/a"), current: "1.1.0", next: "1.2.0"));

            Assert.Equal(UpdateStatus.Updated, result.Status);
        }

        [Fact]
        public void OtherFilesAndOtherKeysChangedLaterDoNotHideTheHandChange()
        {
            using var repo = new GitFixture(Seed("1.1.0"));
            var sha = CommitAs(repo, "apps/a/values.yaml", "nginx.tag: 1.0.0\n", "Alice", "alice@example.com");
            CommitAs(repo, "README.md", "apps and more\n", "Bob", "bob@example.com");
            CommitAs(repo, "apps/a/values.yaml", "nginx.tag: 1.0.0\nredis.tag: 7.0.0\n", "Bob", "bob@example.com");

            var result = RunOne(repo, GitFixture.Candidate(repo.App("a", "apps/a"), current: "1.0.0", next: "1.1.0"));

            Assert.Equal(UpdateStatus.Held, result.Status);
            Assert.Contains(sha.Substring(0, 12), result.Message);
            Assert.Contains("Alice", result.Message);
        }

        [Fact]
        public void HistoryWalkIsBoundedByCommits()
        {
            using var repo = new GitFixture(Seed("1.1.0"));
            CommitAs(repo, "apps/a/values.yaml", "nginx.tag: 1.0.0\n", "Alice", "alice@example.com");
            CommitAs(repo, "README.md", "one\n", "Bob", "bob@example.com");
            CommitAs(repo, "README.md", "two\n", "Bob", "bob@example.com");

            var result = RunOne(repo, GitFixture.Candidate(repo.App("a", "apps/a"), current: "1.0.0", next: "1.1.0"), o => o.HoldHistoryCommits = 2);

            Assert.Equal(UpdateStatus.Updated, result.Status);
        }

        [Fact]
        public void HoldFalseAndIgnoreHoldReleaseAHandRollback()
        {
            using var repo = new GitFixture(Seed("1.1.0"));
            CommitAs(repo, "apps/a/values.yaml", "nginx.tag: 1.0.0\n", "Alice", "alice@example.com");
            var released = GitFixture.Candidate(repo.App("a", "apps/a"), current: "1.0.0", next: "1.1.0");
            released.Spec.Hold = HoldSetting.Released;

            Assert.Equal(UpdateStatus.WhatIf, RunOne(repo, GitFixture.Candidate(repo.App("a", "apps/a"), current: "1.0.0", next: "1.1.0"), o => (o.IgnoreHold, o.WhatIf) = (true, true)).Status);
            Assert.Equal(UpdateStatus.Updated, RunOne(repo, released).Status);
            Assert.Equal("nginx.tag: 1.1.0\n", repo.Show("main", "apps/a/values.yaml"));
        }

        [Fact]
        public void ExplicitHoldUntilAFutureDateHoldsWithoutHandChangeAndAPastDateDoesNot()
        {
            using var repo = new GitFixture(Seed("1.0.0"));
            var future = GitFixture.Candidate(repo.App("a", "apps/a"));
            future.Spec.Hold = new HoldSetting { Until = DateTimeOffset.UtcNow.AddDays(30) };
            var past = GitFixture.Candidate(repo.App("a", "apps/a"));
            past.Spec.Hold = new HoldSetting { Until = DateTimeOffset.UtcNow.AddDays(-1) };

            var held = RunOne(repo, future);
            Assert.Equal(UpdateStatus.Held, held.Status);
            Assert.Contains("until " + DateTimeOffset.UtcNow.AddDays(30).ToString("yyyy-MM-dd"), held.Message);
            Assert.Equal(UpdateStatus.Updated, RunOne(repo, past).Status);
        }

        [Fact]
        public void HeldImageLeavesTheOtherImagesOfTheCommitAlone()
        {
            var files = new Dictionary<string, string> { ["apps/a/values.yaml"] = "nginx.tag: 1.1.0\n", ["apps/b/values.yaml"] = "nginx.tag: 1.0.0\n" };
            using var repo = new GitFixture(files);
            CommitAs(repo, "apps/a/values.yaml", "nginx.tag: 1.0.0\n", "Alice", "alice@example.com");
            var candidates = new[] { "a", "b" }.Select(n => GitFixture.Candidate(repo.App(n, "apps/" + n), current: "1.0.0", next: "1.2.0")).ToList();

            var results = new GitWriteBack(new LineTagEditor(), repo.Options()).Run(candidates).SelectMany(o => o.Results).OrderBy(r => r.Application).ToList();

            Assert.Equal(new[] { UpdateStatus.Held, UpdateStatus.Updated }, results.Select(r => r.Status));
            Assert.Equal("nginx.tag: 1.0.0\n", repo.Show("main", "apps/a/values.yaml"));
            Assert.Equal("nginx.tag: 1.2.0\n", repo.Show("main", "apps/b/values.yaml"));
        }

        [Fact]
        public void LocalRepositoryCheckoutIsHeldToo()
        {
            using var repo = new GitFixture(Seed("1.1.0"));
            CommitAs(repo, "apps/a/values.yaml", "nginx.tag: 1.0.0\n", "Alice", "alice@example.com");
            var checkout = Path.Combine(repo.Root, "checkout");
            GitFixture.Git(repo.Root, "clone", "--quiet", repo.Bare, checkout);

            var result = RunOne(repo, GitFixture.Candidate(repo.App("a", "apps/a"), current: "1.0.0", next: "1.1.0"), o => o.LocalRepository = checkout);

            Assert.Equal(UpdateStatus.Held, result.Status);
            Assert.Contains("Alice <alice@example.com>", result.Message);
            Assert.Equal("nginx.tag: 1.0.0\n", File.ReadAllText(Path.Combine(checkout, "apps/a/values.yaml")));
        }

        [Fact]
        public void RealHelmValuesEditorReadsTheValueAtTheWrittenKey()
        {
            using var repo = new GitFixture(new Dictionary<string, string> { ["apps/a/values.yaml"] = "image:\n  repository: nginx\n  tag: 1.1.0\nother: x\n" });
            CommitAs(repo, "apps/a/values.yaml", "image:\n  repository: nginx\n  tag: 1.0.0\nother: x\n", "Alice", "alice@example.com");
            CommitAs(repo, "apps/a/values.yaml", "image:\n  repository: nginx\n  tag: 1.0.0\nother: y\n", "Bob", "bob@example.com");
            var candidate = GitFixture.Candidate(repo.App("a", "apps/a"), current: "0.9.0", next: "1.1.0");

            var result = Assert.Single(new GitWriteBack(new GitTargetEditor(), repo.Options()).Run(new[] { candidate }).SelectMany(o => o.Results));

            Assert.Equal(UpdateStatus.Held, result.Status);
            Assert.Equal("1.0.0", result.OldTag);
            Assert.Contains("Alice <alice@example.com>", result.Message);
        }
    }
}
