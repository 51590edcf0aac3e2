using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Tags;
using ImageUpdater.Core.Updating;
using Xunit;

namespace ImageUpdater.Core.Tests.Updating
{
    public class TagTestTests
    {
        /// <summary>A registry that records what it was asked for and answers with fixed tags.</summary>
        private sealed class RecordingRegistry : IRegistryClient
        {
            private readonly ImageTag[] tags;

            public RecordingRegistry(params string[] names)
            {
                tags = names.Select((n, i) => new ImageTag(n) { Digest = "sha256:" + new string((char)('a' + i), 64), PushedAt = new DateTimeOffset(2024, 1, 1, 0, i, 0, TimeSpan.Zero) }).ToArray();
            }

            public List<(string? Registry, string Repository, TagListOptions Options)> Calls { get; } = new List<(string?, string, TagListOptions)>();

            public bool Handles(string registry) => true;

            public Task<IReadOnlyList<ImageTag>> ListTagsAsync(string? registry, string repository, TagListOptions options, CancellationToken cancellationToken = default)
            {
                Calls.Add((registry, repository, options));
                return Task.FromResult<IReadOnlyList<ImageTag>>(tags);
            }
        }

        [Fact]
        public async Task SemverPicksWithinTheConstraintAndCountsWhatItSaw()
        {
            var registry = new RecordingRegistry("1.4.0", "1.4.2", "1.5.0-rc.1", "1.5.0", "2.0.0");
            var result = await TagTest.RunAsync(registry, ImageReference.Parse("ghcr.io/acme/web"), new TagSelectionOptions { Constraint = "^1.4" }, TestContext.Current.CancellationToken);

            Assert.Equal("1.5.0", result.Winner);
            Assert.Equal(5, result.Considered);
            Assert.Equal(new[] { "1.5.0", "1.4.2", "1.4.0" }, result.Qualified.Select(t => t.Tag));
            Assert.Equal("semver", result.Strategy);
            Assert.Equal("ghcr.io/acme/web", result.Image);
            Assert.Contains("outside ^1.4", result.Reason);
            var call = Assert.Single(registry.Calls);
            Assert.Equal(("ghcr.io", "acme/web"), (call.Registry, call.Repository));
            Assert.False(call.Options.NeedsMetadata);
        }

        [Fact]
        public async Task DigestAsksForTheTrackedTagOnlyAndWinsAsTagAtDigest()
        {
            var registry = new RecordingRegistry("stable", "edge");
            var result = await TagTest.RunAsync(registry, ImageReference.Parse("nginx"), new TagSelectionOptions { Strategy = UpdateStrategy.Digest, Constraint = "stable" }, TestContext.Current.CancellationToken);

            Assert.Equal("stable@sha256:" + new string('a', 64), result.Winner);
            Assert.Equal("docker.io", result.Registry);
            var call = Assert.Single(registry.Calls);
            Assert.Null(call.Registry);
            Assert.Equal("nginx", call.Repository);
            Assert.True(call.Options.NeedsMetadata);
            Assert.Equal("stable", call.Options.OnlyTag);
        }

        [Fact]
        public async Task NoQualifyingTagLeavesNoWinnerAndSaysWhy()
        {
            var result = await TagTest.RunAsync(new RecordingRegistry("1.0.0"), ImageReference.Parse("quay.io/org/app"), new TagSelectionOptions { Constraint = "~9.0" }, TestContext.Current.CancellationToken);
            Assert.Null(result.Winner);
            Assert.Null(result.WinnerTag);
            Assert.Empty(result.Qualified);
            Assert.Contains("outside ~9.0", result.Reason);
        }

        [Theory]
        [InlineData(UpdateStrategy.Semver, false, null)]
        [InlineData(UpdateStrategy.Alphabetical, false, null)]
        [InlineData(UpdateStrategy.NewestBuild, true, null)]
        [InlineData(UpdateStrategy.Digest, true, "stable")]
        public void ListingOptionsFollowTheStrategy(UpdateStrategy strategy, bool metadata, string? onlyTag)
        {
            var options = TagListOptions.For(strategy, "stable", new[] { "linux/amd64" });
            Assert.Equal(metadata, options.NeedsMetadata);
            Assert.Equal(onlyTag, options.OnlyTag);
            Assert.Equal(new[] { "linux/amd64" }, options.Platforms);
        }
    }
}
