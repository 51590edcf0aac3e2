using ImageUpdater.Core.Images;
using Xunit;

namespace ImageUpdater.Core.Tests.Images
{
    public class ImageReferenceTests
    {
        [Fact]
        public void ParsesRegistryRepositoryConstraintAndDigest()
        {
            Assert.True(ImageReference.TryParse("localhost:5000/team/app:>=1.2 <2@sha256:abc", out var reference, out var error), error);
            Assert.Equal("localhost:5000", reference.Registry);
            Assert.Equal("team/app", reference.Repository);
            Assert.Equal(">=1.2 <2", reference.Tag);
            Assert.Equal("sha256:abc", reference.Digest);
            Assert.Equal("team/app", reference.ApiRepository);
        }

        [Fact]
        public void RegistryOneDockerIoSingleNamesGainLibrary() =>
            Assert.Equal("library/nginx", ImageReference.Parse("registry-1.docker.io/nginx").ApiRepository);

        [Theory]
        [InlineData("", "An image reference cannot be empty.")]
        [InlineData("   ", "An image reference cannot be empty.")]
        [InlineData(":1.0", "':1.0' has no repository name.")]
        [InlineData("ghcr.io/:1.0", "'ghcr.io/:1.0' has no repository name.")]
        public void TryParseSaysWhyWithoutThrowing(string text, string reason)
        {
            Assert.False(ImageReference.TryParse(text, out _, out var error));
            Assert.Equal(reason, error);
        }

        [Fact]
        public void ParseThrowsAnImageUpdaterErrorNotAFormatException()
        {
            var ex = Assert.Throws<ImageReferenceParseException>(() => ImageReference.Parse(":1.0"));
            Assert.IsAssignableFrom<ImageUpdaterException>(ex);
            Assert.Equal("ImageReferenceInvalid", ex.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, ex.Kind);
            Assert.Equal("':1.0' is not an image reference: ':1.0' has no repository name.", ex.Message);
            Assert.Equal(":1.0", ex.Target);
        }

        [Fact]
        public void SameImageAsUsesTheDockerHubRule() =>
            Assert.True(ImageReference.Parse("registry-1.docker.io/library/nginx:1").SameImageAs(ImageReference.Parse("nginx:~1")));
    }
}
