using System.Collections.Generic;
using System.Linq;
using System.Threading;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Run;
using ImageUpdater.Core.Updating;
using Xunit;

namespace ImageUpdater.Core.Tests.Run
{
    public class WriteBackChangesTests
    {
        private sealed class Unit : IWriteBackUnit
        {
            public Unit(IReadOnlyList<ImageUpdateCandidate> candidates) => Candidates = candidates;

            public string Target => "https://git.example.com/gitops.git";

            public string Action => "Commit and push";

            public string Method => "git";

            public string? Repository => Target;

            public IReadOnlyList<ImageUpdateCandidate> Candidates { get; }

            public WriteBackOutcome Apply(bool whatIf, CancellationToken cancellationToken) => new WriteBackOutcome();
        }

        private static ImageUpdateCandidate Candidate(string app, string? current, string next) =>
            new ImageUpdateCandidate(new ArgoApplication(app), new ImageSpec("web", ImageReference.Parse("nginx"))) { CurrentTag = current, NewTag = next, UpdateNeeded = true };

        [Fact]
        public void TheConfirmQuestionListsEveryImageWithItsOldAndNewTag()
        {
            var text = WriteBackPlan.Changes(new Unit(new[] { Candidate("shop", "1.0.0", "1.1.0"), Candidate("cart", null, "2.0.0") }));

            Assert.Equal("  shop: web 1.0.0 → 1.1.0\n  cart: web (unknown) → 2.0.0", text);
        }

        [Fact]
        public void ALongBatchIsCutWithACount()
        {
            var text = WriteBackPlan.Changes(new Unit(Enumerable.Range(0, 25).Select(i => Candidate($"app{i}", "1.0.0", "1.1.0")).ToList()));

            var lines = text.Split('\n');
            Assert.Equal(21, lines.Length);
            Assert.Equal("  … and 5 more", lines[20]);
        }
    }
}
