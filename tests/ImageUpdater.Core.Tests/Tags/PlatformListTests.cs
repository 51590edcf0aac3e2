using System.Collections.Generic;
using ImageUpdater.Core.Tags;
using Xunit;

namespace ImageUpdater.Core.Tests.Tags
{
    public class PlatformListTests
    {
        [Fact]
        public void AssignedListBecomesPlatformListThatPrintsItsItems()
        {
            var tag = new ImageTag("1.0") { Platforms = new List<string> { "linux/amd64", "linux/arm64/v8" } };

            Assert.IsType<PlatformList>(tag.Platforms);
            Assert.Equal("linux/amd64,linux/arm64/v8", tag.Platforms.ToString());
            Assert.Equal(new[] { "linux/amd64", "linux/arm64/v8" }, tag.Platforms);
        }

        [Fact]
        public void NoPlatformsPrintsEmptyText()
        {
            var tag = new ImageTag("1.0");

            Assert.Empty(tag.Platforms);
            Assert.Equal(string.Empty, tag.Platforms.ToString());
        }
    }
}
