using System;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Tags;
using ImageUpdater.Core.Updating;
using Xunit;

namespace ImageUpdater.Core.Tests.Updating
{
    /// <summary>Issue14 item 11, upstream's needsUpdate: a kustomize image that moves to another registry is an update even when the tag stays.</summary>
    public class RegistryMoveTests
    {
        private static ImageSpec Spec(string? kustomizeName) =>
            new ImageSpec("foobar", ImageReference.Parse("gcr.io/library/foobar:~1.0.0")) { UpdateStrategy = UpdateStrategy.Semver, KustomizeImageName = kustomizeName };

        private static ImageTag Tag(string name) => new ImageTag(name) { Registry = "gcr.io", Repository = "library/foobar", Digest = "sha256:1111" };

        private static ImageUpdateCandidate Decide(ImageSpec spec, params string[] live) =>
            ImageUpdatePlanner.Decide(new ArgoApplication("app") { LiveImages = live, Images = new[] { spec } }, spec, new[] { Tag("1.0.0"), Tag("1.0.1") });

        [Fact(DisplayName = "Issue14 item 11: library/foobar:1.0.1 running, gcr.io/library/foobar:1.0.1 wanted is an update")]
        public void RegistryMoveWithTheSameTagIsAnUpdate()
        {
            var candidate = Decide(Spec("library/foobar"), "library/foobar:1.0.1");
            Assert.Equal("1.0.1", candidate.CurrentTag);
            Assert.Equal("1.0.1", candidate.NewTag);
            Assert.True(candidate.UpdateNeeded);
            Assert.Contains("moves from library/foobar to gcr.io/library/foobar", candidate.Reason);
        }

        [Fact(DisplayName = "Issue14 item 11: the same image on the same tag is up to date")]
        public void SameImageSameTagIsUpToDate()
        {
            Assert.False(Decide(Spec("library/foobar"), "gcr.io/library/foobar:1.0.1").UpdateNeeded);
            Assert.False(Decide(Spec(null), "gcr.io/library/foobar:1.0.1").UpdateNeeded);
        }
    }
}

namespace ImageUpdater.Core.Tests.Updating
{
    /// <summary>Issue14 item 15: a digest update's default commit message shows the old digest.</summary>
    public class DigestCommitMessageTests
    {
        [Fact(DisplayName = "Issue14 item 15: the default commit message of a digest update shows the old digest, not latest")]
        public void DefaultMessageShowsTheOldDigest()
        {
            var spec = new ImageSpec("web", ImageReference.Parse("ghcr.io/acme/web:latest")) { UpdateStrategy = UpdateStrategy.Digest };
            var app = new ArgoApplication("shop") { LiveImages = new[] { "ghcr.io/acme/web:latest@sha256:" + new string('a', 64) }, Images = new[] { spec } };
            var tags = new[] { new ImageTag("latest") { Registry = "ghcr.io", Repository = "acme/web", Digest = "sha256:" + new string('b', 64) } };
            var candidate = ImageUpdatePlanner.Decide(app, spec, tags);
            Assert.True(candidate.UpdateNeeded);
            var message = ImageUpdater.Core.WriteBack.Templates.CommitMessageTemplate.Render(null, "shop", null, new[] { ImageUpdater.Core.WriteBack.Templates.ImageChange.From(candidate) });
            Assert.Contains("updates image acme/web tag 'sha256:" + new string('a', 64) + "' to 'sha256:" + new string('b', 64) + "'", message);
        }
    }
}
