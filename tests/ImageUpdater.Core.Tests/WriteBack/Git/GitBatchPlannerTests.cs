using System;
using System.Collections.Generic;
using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;
using ImageUpdater.Core.WriteBack.Git;
using Xunit;

namespace ImageUpdater.Core.Tests.WriteBack.Git
{
    /// <summary>Batches and branch groups, without any git: the remote's default branch is a delegate.</summary>
    public class GitBatchPlannerTests
    {
        private const string Url = "https://git.example.com/team/apps.git";

        private static ArgoApplication App(string name, string? revision = "main", string? repoUrl = Url, string? branch = null, string? repository = null) => new ArgoApplication(name)
        {
            Namespace = "argocd",
            Sources = new[] { new ApplicationSource { RepoUrl = repoUrl, Path = "apps/" + name, TargetRevision = revision, IsHelm = true } },
            WriteBack = new WriteBackSpec { Method = WriteBackMethod.Git, Target = new WriteBackTarget(WriteBackTargetKind.HelmValues, null), BaseBranch = branch, Repository = repository },
        };

        private static ImageUpdateCandidate Candidate(ArgoApplication app, bool needed = true) =>
            new ImageUpdateCandidate(app, new ImageSpec("web", ImageReference.Parse("nginx"))) { CurrentTag = "1.0.0", NewTag = "1.1.0", UpdateNeeded = needed };

        [Fact]
        public void CandidatesAreBatchedByRepositoryInFirstSeenOrder()
        {
            var other = "https://git.example.com/team/other.git";
            var candidates = new[] { Candidate(App("a", repoUrl: other)), Candidate(App("b")), Candidate(App("c", repoUrl: other)), Candidate(App("d"), needed: false) };

            var batches = GitBatchPlanner.Batches(candidates, out var unplanned);

            Assert.Equal(new[] { other, Url }, batches.Select(b => b.Repository));
            Assert.Equal(new[] { "a", "c" }, batches[0].Candidates.Select(c => c.Application));
            var unchanged = Assert.Single(unplanned.Results);
            Assert.Equal(("d", UpdateStatus.Unchanged), (unchanged.Application, unchanged.Status));
            Assert.Empty(unplanned.Errors);
        }

        [Fact]
        public void AnApplicationWithoutRepositoryFailsAloneWithItsName()
        {
            var batches = GitBatchPlanner.Batches(new[] { Candidate(App("lost", repoUrl: null)), Candidate(App("b")) }, out var unplanned);

            Assert.Single(batches);
            var error = Assert.Single(unplanned.Errors);
            Assert.Equal(("GitRepositoryUnknown", FailureKind.InvalidArgument), (error.ErrorId, error.Kind));
            Assert.Contains("'argocd/lost'", error.Message);
            Assert.Equal(UpdateStatus.Failed, Assert.Single(unplanned.Results).Status);
        }

        [Fact]
        public void GitRepositoryAnnotationWinsOverTheSource()
        {
            Assert.Equal("https://elsewhere/x.git", GitBatchPlanner.RepositoryOf(App("a", repository: " https://elsewhere/x.git ")));
            Assert.Equal(Url, GitBatchPlanner.RepositoryOf(App("a")));
        }

        [Fact]
        public void ApplicationsOnTheSameBranchShareAGroupAndTheDefaultBranchIsAskedOnlyWhenNeeded()
        {
            var asked = 0;
            var batch = new GitRepositoryBatch(Url, new[] { Candidate(App("a")), Candidate(App("b")), Candidate(App("c", revision: "HEAD")), Candidate(App("d", revision: "release", branch: "prod")) });
            var outcome = new WriteBackOutcome();

            var groups = GitBatchPlanner.BranchGroups(batch, () => { asked++; return "trunk"; }, outcome, Url);

            Assert.Equal(new[] { "main", "trunk", "prod" }, groups.Select(g => g.Push));
            Assert.Equal(new[] { "a", "b" }, groups[0].Candidates.Select(c => c.Application));
            Assert.Equal(1, asked);
            Assert.Empty(outcome.Results);
        }

        [Fact]
        public void TheTargetRevisionOfAnotherRepositoryIsNotABranchHere()
        {
            var app = App("a", revision: "v1.2.3", repoUrl: "https://charts.example.com/", repository: Url);
            var groups = GitBatchPlanner.BranchGroups(new GitRepositoryBatch(Url, new[] { Candidate(app) }), () => "main", new WriteBackOutcome(), Url);

            Assert.Equal("main", Assert.Single(groups).Base);
        }

        [Fact]
        public void AWriteBranchTemplateIsRenderedAndBuiltOnItsBase()
        {
            var app = App("a");
            app.WriteBack.WriteBranch = "image-updater-{{.AppName}}";
            var group = Assert.Single(GitBatchPlanner.BranchGroups(new GitRepositoryBatch(Url, new[] { Candidate(app) }), () => throw new InvalidOperationException("not asked"), new WriteBackOutcome(), Url));

            Assert.Equal(("main", "image-updater-a", "image-updater-a"), (group.Base, group.Write, group.Push));
        }

        [Fact]
        public void AFailingDefaultBranchFailsOnlyTheApplicationsThatNeedIt()
        {
            var outcome = new WriteBackOutcome();
            var batch = new GitRepositoryBatch(Url, new[] { Candidate(App("a", revision: null)), Candidate(App("b")) });

            var groups = GitBatchPlanner.BranchGroups(batch, () => throw new FormatException("Input string {0} was not in a correct format."), outcome, Url);

            Assert.Equal("b", Assert.Single(Assert.Single(groups).Candidates).Application);
            var failed = Assert.Single(outcome.Results);
            Assert.Equal(("a", UpdateStatus.Failed), (failed.Application, failed.Status));
            Assert.Contains(Url, failed.Message);
            Assert.Equal("GitWriteBackFailed", Assert.Single(outcome.Errors).ErrorId);
        }
    }
}
