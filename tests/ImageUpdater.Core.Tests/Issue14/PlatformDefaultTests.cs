using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Tags;
using ImageUpdater.Core.Updating;
using Xunit;

namespace ImageUpdater.Core.Tests.Issue14
{
    /// <summary>Issue 14 item 10: without a platforms annotation, newest-build and digest consider linux/amd64 images only (or the run's -Platform).</summary>
    public class PlatformDefaultTests
    {
        private const string Host = "registry.example.com";

        [Theory]
        [InlineData(UpdateStrategy.NewestBuild, null, null, "linux/amd64")]
        [InlineData(UpdateStrategy.Digest, null, null, "linux/amd64")]
        [InlineData(UpdateStrategy.Semver, null, null, "")]
        [InlineData(UpdateStrategy.Alphabetical, null, null, "")]
        [InlineData(UpdateStrategy.NewestBuild, null, "linux/arm64", "linux/arm64")]
        [InlineData(UpdateStrategy.NewestBuild, null, "*", "")]
        [InlineData(UpdateStrategy.Digest, null, "*", "")]
        [InlineData(UpdateStrategy.NewestBuild, "linux/arm64/v8", "*", "linux/arm64/v8")]
        [InlineData(UpdateStrategy.Semver, "linux/arm64", null, "linux/arm64")]
        public void Item10_TheAnnotationWins_ElseTheRunDefaultForStrategiesThatReadManifests(UpdateStrategy strategy, string? annotated, string? runDefault, string expected)
        {
            var own = annotated is null ? Array.Empty<string>() : annotated.Split(',');
            var given = runDefault?.Split(',');
            Assert.Equal(expected, string.Join(",", PlatformFilter.Effective(own, given, strategy)));
        }

        private static ImageTag Index(string tag, string platform, int day) =>
            new ImageTag(tag) { Registry = Host, Repository = "team/multi", Digest = "sha256:" + new string((char)('a' + day % 6), 64), CreatedAt = new DateTimeOffset(2024, 1, day, 0, 0, 0, TimeSpan.Zero), Platforms = new[] { platform } };

        [Fact]
        public void Item10_NewestBuildWithoutPlatforms_NeverPicksAnImageBuiltOnlyForAnotherArchitecture()
        {
            var spec = new ImageSpec("multi", ImageReference.Parse(Host + "/team/multi")) { UpdateStrategy = UpdateStrategy.NewestBuild, ForceUpdate = true };
            var app = new ArgoApplication("web") { Images = new[] { spec } };
            var tags = new[] { Index("arm-only", "linux/arm64", 20), Index("amd", "linux/amd64", 10) };

            var byDefault = ImageUpdatePlanner.Decide(app, spec, tags);
            Assert.Equal("amd", byDefault.NewTag);
            Assert.Contains("not built for linux/amd64", byDefault.Reason, StringComparison.Ordinal);

            Assert.Equal("arm-only", ImageUpdatePlanner.Decide(app, spec, tags, defaultPlatforms: new[] { "*" }).NewTag);
            Assert.Equal("arm-only", ImageUpdatePlanner.Decide(app, spec, tags, defaultPlatforms: new[] { "linux/arm64" }).NewTag);

            spec.Platforms = new[] { "linux/arm64" };
            Assert.Equal("arm-only", ImageUpdatePlanner.Decide(app, spec, tags).NewTag);
        }

        [Fact]
        public void Item10_AnIndexWithTheDefaultPlatformAmongOthersQualifies()
        {
            var spec = new ImageSpec("multi", ImageReference.Parse(Host + "/team/multi:v1")) { UpdateStrategy = UpdateStrategy.Digest, ForceUpdate = true };
            var app = new ArgoApplication("web") { Images = new[] { spec } };
            var index = Index("v1", "linux/arm64", 3);
            index.Platforms = new[] { "linux/arm64", "linux/amd64" };
            Assert.Equal(CandidateDecision.Update, ImageUpdatePlanner.Decide(app, spec, new[] { index }).Decision);

            var armOnly = Index("v1", "linux/arm64", 3);
            Assert.Equal(CandidateDecision.NoTag, ImageUpdatePlanner.Decide(app, spec, new[] { armOnly }).Decision);
        }

        private sealed class RecordingRegistry : IRegistryClient
        {
            public List<TagListOptions> Asked { get; } = new List<TagListOptions>();

            public bool Handles(string registry) => true;

            public Task<IReadOnlyList<ImageTag>> ListTagsAsync(string? registry, string repository, TagListOptions options, CancellationToken cancellationToken = default)
            {
                lock (Asked)
                {
                    Asked.Add(options);
                }

                return Task.FromResult<IReadOnlyList<ImageTag>>(new[] { Index("amd", "linux/amd64", 10) });
            }
        }

        [Fact]
        public async Task Item10_ThePlannerAsksTheRegistryForTheDefaultPlatform_AndTheRunsPlatformWhenGiven()
        {
            var spec = new ImageSpec("multi", ImageReference.Parse(Host + "/team/multi")) { UpdateStrategy = UpdateStrategy.NewestBuild, ForceUpdate = true };
            var app = new ArgoApplication("web") { Images = new[] { spec } };
            var registry = new RecordingRegistry();
            await new ImageUpdatePlanner(registry).PlanAsync(app, spec, TestContext.Current.CancellationToken);
            await new ImageUpdatePlanner(registry) { DefaultPlatforms = new[] { "linux/arm64" } }.PlanAsync(app, spec, TestContext.Current.CancellationToken);
            var semver = new ImageSpec("web", ImageReference.Parse(Host + "/team/web")) { ForceUpdate = true };
            await new ImageUpdatePlanner(registry).PlanAsync(app, semver, TestContext.Current.CancellationToken);

            Assert.Equal(new[] { "linux/amd64" }, registry.Asked[0].Platforms);
            Assert.Equal(new[] { "linux/arm64" }, registry.Asked[1].Platforms);
            Assert.Empty(registry.Asked[2].Platforms);
        }
    }
}
