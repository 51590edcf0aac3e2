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
        public void OneApplicationGetsItsTemplateAndSeveralFollowEachOther()
        {
            var a = App("a", message: "bump {{.AppName}}\n");
            var b = App("b");
            var candidates = new[] { Candidate(a, "nginx", "1.1.0"), Candidate(b, "redis", "7.2.0") };

            var one = CommitText.Message(candidates.Take(1).GroupBy(c => c.ApplicationObject), null);
            var both = CommitText.Message(candidates.GroupBy(c => c.ApplicationObject), null);

            Assert.Equal("bump a\n", one);
            Assert.StartsWith("bump a\n\nbuild: automatic update of b\n", both);
            Assert.Contains("updates image redis tag '1.0.0' to '7.2.0'", both);
            Assert.EndsWith("\n", both);
            Assert.DoesNotContain("\n\n\n", both);
        }
    }
}
