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
    public class CommitTextTests
    {
        private static ArgoApplication App(string name, string? user = null, string? email = null, string? message = null) => new ArgoApplication(name)
        {
            Namespace = "argocd",
            WriteBack = new WriteBackSpec { Method = WriteBackMethod.Git, AuthorName = user, AuthorEmail = email, CommitMessage = message },
        };

        private static ImageUpdateCandidate Candidate(ArgoApplication app, string image, string next) =>
            new ImageUpdateCandidate(app, new ImageSpec(null, ImageReference.Parse(image))) { CurrentTag = "1.0.0", NewTag = next, UpdateNeeded = true };

        [Fact]
        public void TheFirstApplicationNamingAnAuthorWinsThenTheOptionsThenUpstreamsDefault()
        {
            var options = new GitWriteBackOptions { AuthorName = "Ops Bot" };

            Assert.Equal(("Dev", "dev@example.com"), CommitText.Author(new[] { App("a"), App("b", "Dev", "dev@example.com"), App("c", "Other") }, options));
            Assert.Equal(("Ops Bot", GitWriteBackOptions.DefaultAuthorEmail), CommitText.Author(new[] { App("a") }, options));
            Assert.Equal((GitWriteBackOptions.DefaultAuthorName, GitWriteBackOptions.DefaultAuthorEmail), CommitText.Author(new[] { App("a") }, new GitWriteBackOptions()));
        }

        [Fact]
        public void OneApplicationGetsItsTemplate()
        {
            var a = App("a", message: "bump {{.AppName}}\n");
            Assert.Equal("bump a\n", CommitText.Message(new[] { Candidate(a, "nginx", "1.1.0") }.GroupBy(c => c.ApplicationObject), null));
            Assert.Equal("build: automatic update of b\n\nupdates image redis tag '1.0.0' to '7.2.0'\n", CommitText.Message(new[] { Candidate(App("b"), "redis", "7.2.0") }.GroupBy(c => c.ApplicationObject), null));
        }

        [Fact]
        public void SeveralApplicationsGetASubjectThatCountsTheBatchAndOneLinePerChange()
        {
            var apps = Enumerable.Range(1, 12).Select(i => App($"app-{i:D2}")).ToList();
            var candidates = Enumerable.Range(0, 50).Select(i => Candidate(apps[i % 12], $"team/img{i}", "1.1.0")).ToList();

            var message = CommitText.Message(candidates.GroupBy(c => c.ApplicationObject), null);
            var lines = message.Split('\n');

            Assert.Equal("build: update 50 images in 12 applications", lines[0]);
            Assert.Equal(string.Empty, lines[1]);
            Assert.Equal(50, lines.Count(l => l.Contains(": updates image team/img")));
            Assert.Contains("app-01: updates image team/img0 tag '1.0.0' to '1.1.0'\n", message);
            Assert.EndsWith("'1.1.0'\n", message);
        }

        [Fact]
        public void InABatchAnApplicationsOwnTemplateFollowsTheList()
        {
            var a = App("a", message: "bump {{.AppName}}\n");
            var b = App("b");
            var both = CommitText.Message(new[] { Candidate(a, "nginx", "1.1.0"), Candidate(b, "redis", "7.2.0") }.GroupBy(c => c.ApplicationObject), null);

            Assert.Equal("build: update 2 images in 2 applications\n\na: updates image nginx tag '1.0.0' to '1.1.0'\nb: updates image redis tag '1.0.0' to '7.2.0'\n\nbump a\n", both);
        }
    }
}
