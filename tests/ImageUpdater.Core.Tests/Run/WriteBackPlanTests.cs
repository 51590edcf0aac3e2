using System;
using System.Collections.Generic;
using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Run;
using ImageUpdater.Core.Tests.WriteBack;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;
using Xunit;

namespace ImageUpdater.Core.Tests.Run
{
    public class WriteBackPlanTests
    {
        private static WriteBackServices Services(GitFixture repo) =>
            new WriteBackServices(whatIf => new GitWriteBackOptions { WorkingDirectory = repo.Cache, WhatIf = whatIf }, () => throw new InvalidOperationException("no Argo CD in this test"));

        private static ArgoApplication ArgoApp(string name) => new ArgoApplication(name) { Namespace = "argocd", WriteBack = new WriteBackSpec { Method = WriteBackMethod.Argocd } };

        [Fact]
        public void GitIsOneUnitPerRepositoryArgoCDOnePerApplicationAndTheRestIsSettled()
        {
            using var repo = new GitFixture(GitFixture.TwoApps);
            var skipped = GitFixture.Candidate(repo.App("c", "apps/c"), needed: false) with { Decision = CandidateDecision.Skipped, Reason = "skipped: not running" };
            var failed = GitFixture.Candidate(repo.App("d", "apps/d"), needed: false) with { Decision = CandidateDecision.Failed, Reason = "gone", Error = new ImageUpdaterException("EcrRepositoryNotFound", FailureKind.ObjectNotFound, "d: nginx: gone") };
            var candidates = new[]
            {
                GitFixture.Candidate(repo.App("a", "apps/a")),
                GitFixture.Candidate(ArgoApp("x")),
                GitFixture.Candidate(repo.App("b", "apps/b")),
                GitFixture.Candidate(ArgoApp("y")),
                skipped,
                failed,
            };

            var plan = WriteBackPlan.For(candidates, Services(repo));

            Assert.Equal(new[] { ("git", repo.Url), ("argocd", "argocd/x"), ("argocd", "argocd/y") }, plan.Units.Select(u => (u.Method, u.Target)));
            Assert.Equal(new[] { "a", "b" }, plan.Units[0].Candidates.Select(c => c.Application));
            Assert.Equal("Commit and push 2 image update(s) from 2 application(s)", plan.Units[0].Action);
            Assert.Equal(new[] { UpdateStatus.Skipped, UpdateStatus.Failed }, plan.Settled.Results.Select(r => r.Status));
            Assert.Equal("skipped: not running", plan.Settled.Results[0].Message);
            Assert.Equal("EcrRepositoryNotFound", Assert.Single(plan.Settled.Errors).ErrorId);
        }

        [Fact]
        public void AGitUnitComputesTheChangeUnderWhatIfAndWritesItOtherwise()
        {
            using var repo = new GitFixture(GitFixture.TwoApps);
            var spec = new ImageSpec("nginx", ImageReference.Parse("nginx")) { HelmImageTag = "image.tag" };
            var candidate = new ImageUpdateCandidate(repo.App("a", "apps/a"), spec) { CurrentTag = "1.0.0", NewTag = "1.1.0", Decision = CandidateDecision.Update };
            var unit = Assert.Single(WriteBackPlan.For(new[] { candidate }, Services(repo)).Units);

            var whatIf = Assert.Single(unit.Apply(whatIf: true, TestContext.Current.CancellationToken).Results);
            Assert.True(whatIf.Status == UpdateStatus.WhatIf, whatIf.Message);
            Assert.Contains("+  tag: 1.1.0", whatIf.Diff);
            Assert.Equal(1, repo.CommitCount());

            var written = unit.Apply(whatIf: false, TestContext.Current.CancellationToken);
            Assert.Empty(written.Errors);
            var result = Assert.Single(written.Results);
            Assert.Equal((UpdateStatus.Updated, "1.1.0", "git", repo.Url), (result.Status, result.NewTag, result.Method, result.Repository));
            Assert.Equal(2, repo.CommitCount());
        }

        [Fact]
        public void OneCandidateMapsToTheSameResultTextOnEveryPath()
        {
            var app = ArgoApp("x");
            var candidate = new ImageUpdateCandidate(app, new ImageSpec("web", ImageReference.Parse("ghcr.io/acme/web"))) { CurrentTag = "1.0.0", NewTag = "1.1.0", NewDigest = "sha256:" + new string('a', 64), Decision = CandidateDecision.Update };

            var result = ImageUpdateResult.For(candidate, null, UpdateStatus.Updated, "done");

            Assert.Equal(("1.0.0", "1.1.0", "sha256:" + new string('a', 64), "argocd"), (result.OldTag, result.NewTag, result.NewDigest, result.Method));
            Assert.Equal(UpdateStatus.Skipped, ImageUpdateResult.Settled(candidate with { Decision = CandidateDecision.Skipped }).Status);
            Assert.Equal(UpdateStatus.NoTag, ImageUpdateResult.Settled(candidate with { Decision = CandidateDecision.NoTag }).Status);
        }
    }
}
