using System.Linq;
using System.Text.Json;
using ImageUpdater.Core.Registries;
using Xunit;

namespace ImageUpdater.Core.Tests.Registries
{
    public class ManifestIndexTests
    {
        private const string Index = """
            {"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
              {"digest":"sha256:a","platform":{"os":"linux","architecture":"amd64"}},
              {"digest":"sha256:b","platform":{"os":"linux","architecture":"arm","variant":"v7"}},
              {"digest":"sha256:c","platform":{"os":"unknown","architecture":"unknown"}},
              {"digest":"sha256:d","platform":{"os":"","architecture":"amd64"}},
              {"digest":"sha256:e"},
              {"platform":{"os":"linux","architecture":"s390x"}}]}
            """;

        // The ECR client skipped os == "unknown" and a missing os/arch; the OCI client an "unknown/" prefix and an empty os/arch (and threw on a missing digest).
        [Fact]
        public void RunnableEntriesSkipAttestationsAndIncompleteEntries()
        {
            using var doc = JsonDocument.Parse(Index);
            Assert.Equal(new[] { "sha256:a=linux/amd64", "sha256:b=linux/arm/v7" }, ManifestIndex.Entries(doc.RootElement).Select(e => e.Digest + "=" + e.Platform));
            Assert.Equal(new[] { "linux/amd64", "linux/arm/v7" }, ManifestIndex.Platforms(Index));
        }

        [Theory]
        [InlineData("not json")]
        [InlineData("""{"schemaVersion":2,"config":{"digest":"sha256:x"}}""")]
        public void ASingleManifestOrBadTextHasNoPlatforms(string text) => Assert.Empty(ManifestIndex.Platforms(text));
    }
}
