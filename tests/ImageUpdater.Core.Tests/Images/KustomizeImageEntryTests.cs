using ImageUpdater.Core.Images;
using Xunit;

namespace ImageUpdater.Core.Tests.Images
{
    public class KustomizeImageEntryTests
    {
        [Theory]
        [InlineData("acme/api=123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:2.0.0", "acme/api", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api", "2.0.0", null)]
        [InlineData("nginx:1.25.0", null, "nginx", "1.25.0", null)]
        [InlineData("localhost:5000/web@sha256:abc", null, "localhost:5000/web", null, "sha256:abc")]
        [InlineData("web=mirror/web:1.0@sha256:abc", "web", "mirror/web", "1.0", "sha256:abc")]
        [InlineData("redis", null, "redis", null, null)]
        public void ParsesOriginalNameTagAndDigest(string text, string? original, string newName, string? tag, string? digest)
        {
            var entry = KustomizeImageEntry.Parse(text);
            Assert.Equal(original, entry.Original);
            Assert.Equal(newName, entry.NewName);
            Assert.Equal(tag, entry.Tag);
            Assert.Equal(digest, entry.Digest);
            Assert.Equal(original ?? newName, entry.Name);
        }

        [Theory]
        [InlineData("nginx:1.25.0", "docker.io/library/nginx", true)]
        [InlineData("acme/api=ghcr.io/acme/api:1", "acme/api", true)]
        // Issue14 item 7: an entry written without a registry is the same entry as the name with one (upstream compares ImageName, the path).
        [InlineData("acme/api=ghcr.io/acme/api:1", "ghcr.io/acme/api", true)]
        [InlineData("library/foobar:1.0.1", "gcr.io/library/foobar", true)]
        [InlineData("foobar:1.0.1", "gcr.io/library/foobar", true)]
        [InlineData("gcr.io/library/foobar:1.0.1", "foobar", true)]
        [InlineData("gcr.io/acme/api:1", "quay.io/acme/api", false)]
        [InlineData("acme/web:1", "acme/api", false)]
        // ApplicationImagePatch.SameImageName did not know registry-1.docker.io; ArgoCDSourceTarget did.
        [InlineData("registry-1.docker.io/library/nginx:1", "nginx", true)]
        [InlineData("localhost:5000/image:1", "image", true)]
        [InlineData("localhost:5000/image:1", "localhost:5001/image", false)]
        public void MatchesByTheNameItAppliesTo(string text, string image, bool matches) => Assert.Equal(matches, KustomizeImageEntry.Parse(text).Matches(image));

        [Theory]
        [InlineData("acme/api", "ghcr.io/acme/api", "2.1.0", null, "acme/api=ghcr.io/acme/api:2.1.0")]
        // The argocd path wrote 'web=web:1.0' when kustomize.image-name equals the image; the .argocd-source file wrote 'web:1.0'. Both now write the latter.
        [InlineData("web", "web", "1.0", null, "web:1.0")]
        [InlineData(null, "web", null, "sha256:abc", "web:latest@sha256:abc")]
        public void FormatsOriginalOnlyWhenItDiffers(string? original, string name, string? tag, string? digest, string text) =>
            Assert.Equal(text, new KustomizeImageEntry(original, name, tag, digest).ToString());
    }
}
