using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Run;
using ImageUpdater.Core.Tests.WriteBack;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;
using Xunit;

namespace ImageUpdater.Core.Tests.Run
{
    public class WriteBackPreparationTests
    {
        [Fact]
        public async Task The_first_candidate_of_a_repository_clones_it_ahead_and_the_write_then_only_fetches_commits_and_pushes()
        {
            using var repo = new GitFixture(GitFixture.TwoApps);
            var services = new WriteBackServices(whatIf => repo.Options(), () => throw new InvalidOperationException("no Argo CD in this test"));
            var preparation = new WriteBackPreparation(() => services.Git(false), 4, TestContext.Current.CancellationToken);
            var a = GitFixture.Candidate(repo.App("a", "apps/a"));
            var b = GitFixture.Candidate(repo.App("b", "apps/b"));
            var argocd = GitFixture.Candidate(new ArgoApplication("x") { Namespace = "argocd", WriteBack = new WriteBackSpec { Method = WriteBackMethod.Argocd } });
            var upToDate = GitFixture.Candidate(repo.App("c", "apps/c"), needed: false);

            Assert.True(preparation.Add(a));
            Assert.False(preparation.Add(b));
            Assert.False(preparation.Add(argocd));
            Assert.False(preparation.Add(upToDate));
            Assert.True(await preparation.Finished().WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));

            var git = services.Git(false);
            Assert.Equal((1, 1), (git.PreparationStatistics.Clones, git.PreparationStatistics.Fetches));
            Assert.Equal(1, repo.CommitCount());
            Assert.NotEmpty(Directory.GetDirectories(repo.Cache));

            var unit = Assert.Single(WriteBackPlan.For(new[] { a, b }, services).Units);
            var outcome = unit.Apply(whatIf: false, TestContext.Current.CancellationToken);
            Assert.Empty(outcome.Errors);
            Assert.All(outcome.Results, r => Assert.Equal(UpdateStatus.Updated, r.Status));
            Assert.Equal(2, repo.CommitCount());
            // The preparation's fetch stands for the write's: as many fetches as Invoke-ImageUpdater makes.
            Assert.Equal((0, 0, 1, 1), (git.Statistics.Clones, git.Statistics.Fetches, git.Statistics.Commits, git.Statistics.Pushes));
        }

        [Fact]
        public async Task When_the_input_ends_preparations_not_yet_started_are_left_to_the_write()
        {
            using var repo = new GitFixture(GitFixture.TwoApps);
            var log = new List<string>();
            var services = new WriteBackServices(whatIf => new GitWriteBackOptions { WorkingDirectory = repo.Cache, Verbose = l => { lock (log) { log.Add(l); } } }, () => throw new InvalidOperationException("no Argo CD in this test"));
            var preparation = new WriteBackPreparation(() => services.Git(false), 1, TestContext.Current.CancellationToken);
            Assert.True(preparation.Add(GitFixture.Candidate(repo.App("a", "apps/a"))));
            foreach (var name in new[] { "m1", "m2" })
            {
                Assert.True(preparation.Add(GitFixture.Candidate(repo.App(name, "apps/a", repository: new Uri(Path.Combine(repo.Root, name + ".git")).AbsoluteUri))));
            }

            // One at a time: the clone of a is running (tens of milliseconds) while the others wait, and are then never started.
            Assert.True(await preparation.Finished().WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
            Assert.Equal(1, services.Git(false).PreparationStatistics.Clones);
            lock (log)
            {
                Assert.DoesNotContain(log, l => l.Contains("m1.git", StringComparison.Ordinal) || l.Contains("m2.git", StringComparison.Ordinal));
            }
        }

        [Fact]
        public async Task A_branch_moved_after_the_preparation_is_fetched_again_and_the_push_retried()
        {
            using var repo = new GitFixture(GitFixture.TwoApps);
            var services = new WriteBackServices(whatIf => repo.Options(), () => throw new InvalidOperationException("no Argo CD in this test"));
            var preparation = new WriteBackPreparation(() => services.Git(false), 4, TestContext.Current.CancellationToken);
            var a = GitFixture.Candidate(repo.App("a", "apps/a"));
            Assert.True(preparation.Add(a));
            Assert.True(await preparation.Finished().WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
            repo.LandConcurrentCommit();

            var outcome = Assert.Single(WriteBackPlan.For(new[] { a }, services).Units).Apply(whatIf: false, TestContext.Current.CancellationToken);
            Assert.Empty(outcome.Errors);
            var result = Assert.Single(outcome.Results);
            Assert.Equal(UpdateStatus.Updated, result.Status);
            Assert.Contains("after 1 rejected push", result.Message, StringComparison.Ordinal);
            Assert.Equal(3, repo.CommitCount());
            var git = services.Git(false);
            Assert.Equal((1, 1), (git.Statistics.Fetches, git.Statistics.PushRetries));
        }

        [Fact]
        public async Task A_repository_that_cannot_be_reached_is_left_to_the_write_which_reports_it()
        {
            using var repo = new GitFixture(GitFixture.TwoApps);
            var log = new List<string>();
            var services = new WriteBackServices(whatIf => new GitWriteBackOptions { WorkingDirectory = repo.Cache, Verbose = log.Add }, () => throw new InvalidOperationException("no Argo CD in this test"));
            var preparation = new WriteBackPreparation(() => services.Git(false), 4, TestContext.Current.CancellationToken);
            var missing = GitFixture.Candidate(repo.App("a", "apps/a", repository: new Uri(Path.Combine(repo.Root, "missing.git")).AbsoluteUri));

            Assert.True(preparation.Add(missing));
            Assert.True(await preparation.Finished().WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
            lock (log)
            {
                Assert.Contains(log, l => l.StartsWith("Preparing ", StringComparison.Ordinal) && l.Contains("the write-back tries again"));
            }

            var outcome = Assert.Single(WriteBackPlan.For(new[] { missing }, services).Units).Apply(whatIf: false, TestContext.Current.CancellationToken);
            Assert.Equal(UpdateStatus.Failed, Assert.Single(outcome.Results).Status);
            Assert.NotEmpty(outcome.Errors);
        }
    }
}
