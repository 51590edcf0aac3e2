using ImageUpdater.Core.Images;
using Xunit;

namespace ImageUpdater.Core.Tests.Images
{
    public class ImageNameTests
    {
        [Theory]
        [InlineData("nginx", "docker.io/library/nginx")]
        [InlineData("library/nginx", "docker.io/library/nginx")]
        [InlineData("docker.io/nginx", "docker.io/library/nginx")]
        [InlineData("index.docker.io/library/nginx", "docker.io/library/nginx")]
        [InlineData("bitnami/nginx", "docker.io/bitnami/nginx")]
        [InlineData("GHCR.io/Org/App", "ghcr.io/Org/App")]
        [InlineData("localhost:5000/image", "localhost:5000/image")]
        [InlineData("localhost/image", "localhost/image")]
        [InlineData("127.0.0.1:30000/team/app", "127.0.0.1:30000/team/app")]
        public void CanonicalIsTheFullyWrittenName(string name, string canonical) => Assert.Equal(canonical, ImageName.Canonical(name));

        // registry-1.docker.io was Docker Hub for ImageReference.ApiRepository and ImageReferenceText.Canonical, but not for ApplicationImagePatch.SameImageName.
        [Theory]
        [InlineData("nginx", "registry-1.docker.io/library/nginx")]
        [InlineData("nginx", "docker.io/library/nginx")]
        [InlineData("docker.io/bitnami/nginx", "index.docker.io/bitnami/nginx")]
        [InlineData("DOCKER.IO/nginx", "nginx")]
        [InlineData("ghcr.io/acme/web", "GHCR.IO/acme/web")]
        public void DockerHubSpellingsAndHostCaseNameOneImage(string a, string b) => Assert.True(ImageName.SameImage(a, b));

        [Theory]
        [InlineData("ghcr.io/acme/web", "ghcr.io/acme/Web")]
        [InlineData("nginx", "ghcr.io/library/nginx")]
        [InlineData("image", "localhost:5000/image")]
        [InlineData("app", "ghcr.io/org/app")]
        [InlineData("bitnami/nginx", "docker.io/nginx")]
        public void OtherNamesAreOtherImages(string a, string b) => Assert.False(ImageName.SameImage(a, b));

        [Fact]
        public void NullIsNoImage() => Assert.False(ImageName.SameImage(null, "nginx"));

        [Theory]
        [InlineData("docker.io/library/nginx", "nginx")]
        [InlineData("registry-1.docker.io/bitnami/nginx", "bitnami/nginx")]
        [InlineData("nginx", "nginx")]
        // A first element is a registry only with '.' or ':' or as localhost, so these keep their long form.
        [InlineData("localhost:5000/image", "localhost:5000/image")]
        [InlineData("localhost/image", "localhost/image")]
        [InlineData("ghcr.io/org/app", "ghcr.io/org/app")]
        public void ShortFormDropsOnlyDockerHub(string name, string shortForm) => Assert.Equal(shortForm, ImageName.ShortFormOf(name));

        [Theory]
        [InlineData(null, "nginx", "library/nginx")]
        [InlineData("registry-1.docker.io", "nginx", "library/nginx")]
        [InlineData("docker.io", "bitnami/nginx", "bitnami/nginx")]
        [InlineData("ghcr.io", "nginx", "nginx")]
        [InlineData("localhost:5000", "image", "image")]
        public void ApiRepositoryAddsLibraryOnlyOnDockerHub(string? registry, string repository, string api) =>
            Assert.Equal(api, ImageName.ApiRepository(registry, repository));

        [Theory]
        [InlineData("localhost:5000/image", "localhost:5000", "image")]
        [InlineData("localhost/image", "localhost", "image")]
        [InlineData("bitnami/nginx", null, "bitnami/nginx")]
        [InlineData("my_registry/app", null, "my_registry/app")]
        [InlineData("registry.example:8443/a/b", "registry.example:8443", "a/b")]
        public void AFirstElementIsARegistryWithADotAColonOrAsLocalhost(string name, string? registry, string repository)
        {
            Assert.Equal(registry, ImageName.RegistryOf(name, out var rest));
            Assert.Equal(repository, rest);
        }
    }
}
