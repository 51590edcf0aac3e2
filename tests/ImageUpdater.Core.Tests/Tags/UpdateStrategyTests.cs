using System;
using System.Linq;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Tags;
using Xunit;

namespace ImageUpdater.Core.Tests.Tags
{
    /// <summary>Each strategy class declares its names, listing needs, constraint check and update test; these pin what the old switches did.</summary>
    public class UpdateStrategyTests
    {
        [Fact]
        public void EveryEnumValueHasOneStrategyAndTheNamesComeFromThem()
        {
            Assert.Equal(Enum.GetValues(typeof(UpdateStrategy)).Cast<UpdateStrategy>().OrderBy(s => s), TagSelector.All.Select(s => s.Strategy).OrderBy(s => s));
            Assert.Equal(new[] { "semver", "newest-build", "alphabetical", "digest" }, UpdateStrategyNames.Names);
            Assert.Equal("semver, newest-build, alphabetical or digest", UpdateStrategyNames.Choices);
            Assert.All(TagSelector.All, s => Assert.False(string.IsNullOrEmpty(s.Description)));
        }

        [Theory]
        [InlineData("semver", UpdateStrategy.Semver, false)]
        [InlineData(" Newest-Build ", UpdateStrategy.NewestBuild, false)]
        [InlineData("latest", UpdateStrategy.NewestBuild, true)]
        [InlineData("alphabetical", UpdateStrategy.Alphabetical, false)]
        [InlineData("NAME", UpdateStrategy.Alphabetical, true)]
        [InlineData("digest", UpdateStrategy.Digest, false)]
        public void NamesAndDeprecatedNamesParse(string text, UpdateStrategy strategy, bool deprecated)
        {
            Assert.True(UpdateStrategyNames.TryParse(text, out var parsed, out var old));
            Assert.Equal(strategy, parsed);
            Assert.Equal(deprecated, old);
        }

        [Theory]
        [InlineData("")]
        [InlineData(null)]
        [InlineData("newest")]
        public void UnknownNamesDoNotParse(string? text) => Assert.False(UpdateStrategyNames.TryParse(text, out _, out _));

        [Theory]
        [InlineData(UpdateStrategy.Semver, false, null)]
        [InlineData(UpdateStrategy.NewestBuild, true, null)]
        [InlineData(UpdateStrategy.Alphabetical, false, null)]
        [InlineData(UpdateStrategy.Digest, true, "latest")]
        public void ListingNeeds(UpdateStrategy strategy, bool metadata, string? onlyTag)
        {
            var options = TagListOptions.For(strategy, "latest", new[] { "linux/amd64" });
            Assert.Equal(metadata, options.NeedsMetadata);
            Assert.Equal(onlyTag, options.OnlyTag);
            Assert.Equal(new[] { "linux/amd64" }, options.Platforms);
        }

        [Fact]
        public void ConstraintChecks()
        {
            Assert.Contains("is not a semver constraint", UpdateStrategy.Semver.CheckConstraint("latest", "web"));
            Assert.Null(UpdateStrategy.Semver.CheckConstraint("~1.4", "web"));
            Assert.Null(UpdateStrategy.Semver.CheckConstraint(null, "web"));
            Assert.Equal("Image 'web' uses the digest strategy without a tag to track; write 'web:<tag>' in image-list.", UpdateStrategy.Digest.CheckConstraint(null, "web"));
            Assert.Null(UpdateStrategy.Digest.CheckConstraint("latest", "web"));
            Assert.Null(UpdateStrategy.NewestBuild.CheckConstraint("anything", "web"));
        }

        [Fact]
        public void UpdateTestsAndTheDigestWritten()
        {
            var winner = new ImageTag("1.1") { Digest = "sha256:b" };
            var semver = TagSelector.For(UpdateStrategy.Semver);
            Assert.True(semver.IsUpdate("1.0", "sha256:b", winner));
            Assert.False(semver.IsUpdate("1.1", "sha256:a", winner));
            Assert.Null(semver.DigestToWrite(winner));

            var digest = TagSelector.For(UpdateStrategy.Digest);
            Assert.True(digest.IsUpdate("1.1", "sha256:a", winner));
            Assert.True(digest.IsUpdate("1.1", null, winner));
            Assert.False(digest.IsUpdate("other", "sha256:b", winner));
            Assert.Equal("sha256:b", digest.DigestToWrite(winner));
        }
    }
}
