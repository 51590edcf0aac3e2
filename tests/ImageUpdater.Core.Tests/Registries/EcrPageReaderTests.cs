using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using ImageUpdater.Core.Registries.Ecr;
using Xunit;

namespace ImageUpdater.Core.Tests.Registries
{
    /// <summary>The forward-only reader of DescribeImages pages: the awsJson shapes the API model allows, unknown members skipped.</summary>
    public class EcrPageReaderTests
    {
        private const string Page = @"{
  ""imageDetails"": [
    { ""registryId"": ""123456789012"", ""repositoryName"": ""team/app"", ""imageDigest"": ""sha256:aa"",
      ""imageTags"": [""1.0.0"", ""latest""], ""imageSizeInBytes"": 1.2e3, ""imagePushedAt"": 1.7e9,
      ""imageScanStatus"": { ""status"": ""COMPLETE"", ""nested"": [1, {""x"": [2]}] },
      ""imageManifestMediaType"": ""application/vnd.oci.image.index.v1+json"", ""artifactMediaType"": ""application/vnd.oci.image.config.v1+json"" },
    { ""registryId"": ""123456789012"", ""repositoryName"": ""team/app"", ""imageDigest"": ""sha256:bb"",
      ""imageTags"": [""v2\u002e0""], ""imagePushedAt"": ""1700000000.5"", ""lastRecordedPullTime"": 1700000100,
      ""imageManifestMediaType"": ""application/vnd.oci.image.index.v1+json"" },
    { ""imageDigest"": ""sha256:cc"", ""imageTags"": null, ""imagePushedAt"": null }
  ],
  ""unknownTopLevel"": { ""a"": [1, 2, 3] },
  ""nextToken"": ""page-2""
}";

        [Fact]
        public void ReadsEveryImageAndTheNextToken()
        {
            var details = new List<EcrImageDetail>();

            var next = DescribeImagesReader.Read(Encoding.UTF8.GetBytes(Page), details);

            Assert.Equal("page-2", next);
            Assert.Equal(3, details.Count);
            Assert.Equal(new[] { "1.0.0", "latest" }, details[0].ImageTags);
            Assert.Equal(1200L, details[0].ImageSizeInBytes);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), details[0].ImagePushedAt);
            Assert.Equal(new[] { "v2.0" }, details[1].ImageTags);
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_500), details[1].ImagePushedAt);
            Assert.Equal("sha256:cc", details[2].ImageDigest);
            Assert.Empty(details[2].ImageTags);
            Assert.Null(details[2].ImagePushedAt);
        }

        [Fact]
        public void StringsEveryImageRepeatsAreKeptOnce()
        {
            var details = new List<EcrImageDetail>();

            DescribeImagesReader.Read(Encoding.UTF8.GetBytes(Page), details);

            Assert.Equal("team/app", details[1].RepositoryName);
            Assert.Same(details[0].RepositoryName, details[1].RepositoryName);
            Assert.Same(details[0].RegistryId, details[1].RegistryId);
            Assert.Same(details[0].ImageManifestMediaType, details[1].ImageManifestMediaType);
        }

        [Fact]
        public void LastPageHasNoTokenAndAnEmptyBodyHasNoImages()
        {
            var details = new List<EcrImageDetail>();

            Assert.Null(DescribeImagesReader.Read(Encoding.UTF8.GetBytes(@"{""imageDetails"":[]}"), details));
            Assert.Null(DescribeImagesReader.Read(Array.Empty<byte>(), details));
            Assert.Empty(details);
        }

        [Fact]
        public void ABrokenPageIsAJsonError()
        {
            Assert.ThrowsAny<JsonException>(() => DescribeImagesReader.Read(Encoding.UTF8.GetBytes(@"{""imageDetails"":[{""imageDigest"":"), new List<EcrImageDetail>()));
            Assert.ThrowsAny<JsonException>(() => DescribeImagesReader.Read(Encoding.UTF8.GetBytes(@"[1]"), new List<EcrImageDetail>()));
        }
    }
}
