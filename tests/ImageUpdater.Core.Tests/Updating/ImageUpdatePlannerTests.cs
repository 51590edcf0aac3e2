using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Tags;
using ImageUpdater.Core.Updating;
using Xunit;

namespace ImageUpdater.Core.Tests.Updating
{
    public class ImageUpdatePlannerTests
    {
        private const string Host = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

        /// <summary>A registry holding fixed tags that counts listings.</summary>
        private sealed class FixedRegistry : IRegistryClient
        {
            private readonly ImageTag[] tags;

            public FixedRegistry(params ImageTag[] tags)
            {
                this.tags = tags;
            }

            public int Listings;

            public bool Handles(string registry) => registry == Host;

            public Task<IReadOnlyList<ImageTag>> ListTagsAsync(string? registry, string repository, TagListOptions options, CancellationToken cancellationToken = default)
            {
                Interlocked.Increment(ref Listings);
                return Task.FromResult<IReadOnlyList<ImageTag>>(tags);
            }
        }

        private static ImageTag Tag(string name, string digest = "sha256:1111", int minute = 0) =>
            new ImageTag(name) { Registry = Host, Repository = "team/web", Digest = digest, PushedAt = new DateTimeOffset(2024, 1, 1, 0, minute, 0, TimeSpan.Zero) };

        private static ImageSpec Spec(string image = Host + "/team/web", UpdateStrategy strategy = UpdateStrategy.Alphabetical, string alias = "web") =>
            new ImageSpec(alias, ImageReference.Parse(image)) { UpdateStrategy = strategy };

        private static ArgoApplication App(ImageSpec spec, IReadOnlyList<string>? live = null, params ApplicationSource[] sources) =>
            new ArgoApplication("shop") { LiveImages = live, Images = new[] { spec }, Sources = sources };

        private static ApplicationSource Helm(params (string Name, string Value)[] parameters) =>
            new ApplicationSource { IsHelm = true, HelmParameters = parameters.Select(p => new HelmParameter(p.Name, p.Value, false)).ToArray() };

        [Fact]
        public async Task ApplicationsSharingAListingAndOptionsShareOneSelection()
        {
            var planner = new ImageUpdatePlanner(new FixedRegistry(Tag("a"), Tag("b"), Tag("c")));
            var first = Spec();
            var second = Spec();
            var other = new ImageSpec("web", ImageReference.Parse(Host + "/team/web")) { UpdateStrategy = UpdateStrategy.Alphabetical, IgnoreTags = new[] { "c" } };
            var one = await planner.PlanAsync(App(first), first, TestContext.Current.CancellationToken);
            var two = await planner.PlanAsync(App(second), second, TestContext.Current.CancellationToken);
            var three = await planner.PlanAsync(App(other), other, TestContext.Current.CancellationToken);
            Assert.Equal("c", one.NewTag);
            Assert.Equal("c", two.NewTag);
            Assert.Equal("b", three.NewTag);
            Assert.Equal(2, planner.Selections);
        }

        [Fact]
        public async Task CurrentTagComesFromTheLiveImagesAndANewerTagIsAnUpdate()
        {
            var spec = Spec();
            var app = App(spec, new[] { Host + "/team/web:b", "docker.io/library/redis:7" });
            var planner = new ImageUpdatePlanner(new FixedRegistry(Tag("a"), Tag("b"), Tag("c")));
            var candidate = await planner.PlanAsync(app, spec, TestContext.Current.CancellationToken);
            Assert.Equal("b", candidate.CurrentTag);
            Assert.Equal("c", candidate.NewTag);
            Assert.Null(candidate.NewDigest); // only the digest strategy pins a digest: writers would write c@sha256:…
            Assert.True(candidate.UpdateNeeded);
            Assert.Contains("status.summary.images", candidate.Reason);
            Assert.Equal("shop", candidate.Application);
            Assert.Same(app, candidate.ApplicationObject);
        }

        [Fact]
        public void OnlyTheDigestStrategyCarriesADigestToWrite()
        {
            var spec = Spec(Host + "/team/web", UpdateStrategy.Semver);
            var candidate = ImageUpdatePlanner.Decide(App(spec, new[] { Host + "/team/web:1.0.0" }), spec, new[] { Tag("1.0.0"), Tag("1.1.0", "sha256:2222") });
            Assert.Equal("1.1.0", candidate.NewTag);
            Assert.Null(candidate.NewDigest);
        }

        [Fact]
        public void AnImageAlreadyOnTheBestTagNeedsNoUpdate()
        {
            var spec = Spec();
            var candidate = ImageUpdatePlanner.Decide(App(spec, new[] { Host + "/team/web:c" }), spec, new[] { Tag("a"), Tag("c") });
            Assert.Equal("c", candidate.CurrentTag);
            Assert.Equal("c", candidate.NewTag);
            Assert.False(candidate.UpdateNeeded);
            Assert.Contains("up to date", candidate.Reason);
        }

        [Fact]
        public async Task AnImageNotRunningInAnApplicationWithAStatusIsSkippedWithoutListing()
        {
            var spec = Spec();
            var registry = new FixedRegistry(Tag("c"));
            var candidate = await new ImageUpdatePlanner(registry).PlanAsync(App(spec, new[] { "nginx:1.25" }), spec, TestContext.Current.CancellationToken);
            Assert.False(candidate.UpdateNeeded);
            Assert.Null(candidate.NewTag);
            Assert.StartsWith("skipped:", candidate.Reason);
            Assert.Contains("web.force-update", candidate.Reason);
            Assert.Equal(0, registry.Listings);
        }

        [Fact]
        public async Task ForceUpdateConsidersAnImageThatIsNotLive()
        {
            var spec = Spec();
            spec.ForceUpdate = true;
            var candidate = await new ImageUpdatePlanner(new FixedRegistry(Tag("c"))).PlanAsync(App(spec, Array.Empty<string>()), spec, TestContext.Current.CancellationToken);
            Assert.Null(candidate.CurrentTag);
            Assert.Equal("c", candidate.NewTag);
            Assert.True(candidate.UpdateNeeded);
            Assert.Contains("current tag unknown", candidate.Reason);
        }

        [Fact]
        public void WithoutAStatusTheDefaultHelmTagParameterIsTheCurrentTag()
        {
            var spec = Spec();
            var candidate = ImageUpdatePlanner.Decide(App(spec, null, Helm(("image.repository", Host + "/team/web"), ("image.tag", "c"))), spec, new[] { Tag("a"), Tag("c") });
            Assert.Equal("c", candidate.CurrentTag);
            Assert.False(candidate.UpdateNeeded);
            Assert.Contains("helm parameter image.tag", candidate.Reason);
        }

        [Fact]
        public void TheHelmTagParameterNamedByTheAnnotationWins()
        {
            var spec = Spec();
            spec.HelmImageTag = "web.image.tag";
            var current = CurrentImage.Find(App(spec, null, Helm(("image.tag", "x"), ("web.image.tag", "b"))), spec);
            Assert.Equal("b", current!.Tag);
            Assert.Equal("helm parameter web.image.tag", current.Source);
        }

        [Fact]
        public void AHelmImageSpecParameterIsReadAsAFullReference()
        {
            var spec = Spec();
            spec.HelmImageSpec = "web.image";
            var current = CurrentImage.Find(App(spec, null, Helm(("web.image", Host + "/team/web:1.2.3@sha256:abcd"))), spec);
            Assert.Equal("1.2.3", current!.Tag);
            Assert.Equal("sha256:abcd", current.Digest);
        }

        [Theory]
        [InlineData(Host + "/team/web=" + Host + "/team/web:b", "b")]
        [InlineData(Host + "/team/web:b", "b")]
        [InlineData("web=" + Host + "/team/web:b", "b")]
        public void KustomizeImagesGiveTheCurrentTag(string entry, string expected)
        {
            var spec = Spec();
            spec.KustomizeImageName = "web";
            var app = App(spec, null, new ApplicationSource { IsKustomize = true, KustomizeImages = new[] { "other=nginx:1", entry } });
            var current = CurrentImage.Find(app, spec);
            Assert.Equal(expected, current!.Tag);
            Assert.Equal("kustomize images", current.Source);
        }

        [Fact]
        public void TheKustomizeImageNameMatchesTheLiveImage()
        {
            var spec = Spec();
            spec.KustomizeImageName = "registry.local/web";
            var app = App(spec, new[] { "registry.local/web:b" });
            Assert.True(CurrentImage.IsLive(app, spec));
            Assert.Equal("b", CurrentImage.Find(app, spec)!.Tag);
        }

        // Digests are hex, as OCI requires (others are dropped before selection).
        [Fact]
        public void DigestStrategyComparesDigestsNotTags()
        {
            var spec = Spec(Host + "/team/web:stable", UpdateStrategy.Digest);
            var tags = new[] { Tag("stable", "sha256:aaa1"), Tag("other", "sha256:fff1") };
            var stale = ImageUpdatePlanner.Decide(App(spec, null, Helm(("image.tag", "stable@sha256:0001"))), spec, tags);
            Assert.Equal("stable", stale.CurrentTag);
            Assert.Equal("stable", stale.NewTag);
            Assert.Equal("sha256:aaa1", stale.NewDigest);
            Assert.True(stale.UpdateNeeded);
            Assert.Contains("stable@sha256:aaa1", stale.Reason);

            var fresh = ImageUpdatePlanner.Decide(App(spec, null, Helm(("image.tag", "stable@sha256:aaa1"))), spec, tags);
            Assert.False(fresh.UpdateNeeded);
        }

        [Fact]
        public void NoQualifyingTagMeansNoUpdateAndSaysWhy()
        {
            var spec = Spec(Host + "/team/web:stable", UpdateStrategy.Digest);
            var candidate = ImageUpdatePlanner.Decide(App(spec, null, Helm(("image.tag", "stable@sha256:old"))), spec, new[] { Tag("other") });
            Assert.False(candidate.UpdateNeeded);
            Assert.Null(candidate.NewTag);
            Assert.Contains("no update", candidate.Reason);
        }

        [Fact]
        public async Task ApplicationsSharingARepositoryCostOneListingThroughTheCache()
        {
            var registry = new FixedRegistry(Tag("a"), Tag("b"));
            var planner = new ImageUpdatePlanner(new CachingRegistryClient(registry));
            var spec = Spec();
            var apps = Enumerable.Range(0, 25).Select(i => App(spec, null)).ToList();
            var candidates = await Task.WhenAll(apps.Select(a => planner.PlanAsync(a, spec, TestContext.Current.CancellationToken)));
            Assert.All(candidates, c => Assert.Equal("b", c.NewTag));
            Assert.Equal(1, registry.Listings);
        }
    }
}
