using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Images;
using Xunit;

namespace ImageUpdater.Core.Tests.Annotations
{
    public class HelmImageKeysTests
    {
        [Fact]
        public void DefaultsAreUpstreamsImageNameAndImageTag()
        {
            var keys = HelmImageKeys.For(new ImageSpec("web", ImageReference.Parse("nginx")));
            Assert.Null(keys.Spec);
            Assert.Equal("image.name", keys.Name);
            Assert.Equal("image.tag", keys.Tag);
        }

        [Fact]
        public void AnnotatedKeysWinAndEmptyMeansDefault()
        {
            var keys = HelmImageKeys.For(new ImageSpec("web", ImageReference.Parse("nginx")) { HelmImageName = "image.repository", HelmImageTag = string.Empty, HelmImageSpec = "web.image" });
            Assert.Equal("web.image", keys.Spec);
            Assert.Equal("image.repository", keys.Name);
            Assert.Equal("image.tag", keys.Tag);
        }
    }
}
