using ImageUpdater.Core.Images;
using Xunit;

namespace ImageUpdater.Core.Tests.Images
{
    public class TagTextTests
    {
        [Theory]
        [InlineData("1.2.3", null, "1.2.3")]
        [InlineData("main", "sha256:abc", "main@sha256:abc")]
        // A digest without a tag: files wrote the bare 'sha256:abc' (ImageUpdate.TagValue) and the argocd path 'latest@sha256:abc'
        // (ApplicationImagePatch.TagValue); both now follow upstream's GetTagWithDigest.
        [InlineData(null, "sha256:abc", "latest@sha256:abc")]
        [InlineData("", "sha256:abc", "latest@sha256:abc")]
        [InlineData(null, null, "")]
        public void FormatHasOneRuleForADigestWithoutATag(string? tag, string? digest, string text) => Assert.Equal(text, TagText.Format(tag, digest));

        [Theory]
        [InlineData("ghcr.io/acme/web", "1.0", null, "ghcr.io/acme/web:1.0")]
        [InlineData("localhost:5000/web", "1.0", "sha256:abc", "localhost:5000/web:1.0@sha256:abc")]
        // Kustomize entries on the argocd path used to be written 'name@sha256:abc' for a digest alone.
        [InlineData("web", null, "sha256:abc", "web:latest@sha256:abc")]
        [InlineData("web", null, null, "web")]
        public void ReferenceJoinsNameAndTagText(string name, string? tag, string? digest, string text) => Assert.Equal(text, TagText.Reference(name, tag, digest));

        [Theory]
        [InlineData("1.2.3", "1.2.3", null)]
        [InlineData("main@sha256:abc", "main", "sha256:abc")]
        [InlineData("@sha256:abc", null, "sha256:abc")]
        [InlineData("latest@sha256:abc", "latest", "sha256:abc")]
        [InlineData("", null, null)]
        [InlineData(null, null, null)]
        public void ParseSplitsTagAndDigest(string? text, string? tag, string? digest)
        {
            TagText.Parse(text, out var parsedTag, out var parsedDigest);
            Assert.Equal(tag, parsedTag);
            Assert.Equal(digest, parsedDigest);
        }

        [Theory]
        [InlineData("localhost:5000/web:1.0", "localhost:5000/web", "1.0")]
        [InlineData("localhost:5000/web", "localhost:5000/web", null)]
        [InlineData("web:1.0@sha256:abc", "web", "1.0@sha256:abc")]
        [InlineData("web@sha256:abc", "web", "sha256:abc")]
        public void NameAndTagOfAReference(string reference, string name, string? tag)
        {
            Assert.Equal(name, TagText.NameOf(reference));
            Assert.Equal(tag, TagText.Of(reference));
        }
    }
}
