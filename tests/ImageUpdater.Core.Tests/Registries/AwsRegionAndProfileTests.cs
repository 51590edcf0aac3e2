using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using ImageUpdater.Core.Registries.Ecr;
using Xunit;

namespace ImageUpdater.Core.Tests.Registries
{
    public class AwsRegionAndProfileTests
    {
        [Fact]
        public async Task TheImageHostRegionWinsOverTheRegionOptionWhichStaysTheDefaultForBareNames()
        {
            await using var tokyo = EcrTestBed.Start(o => { o.Region = "ap-northeast-1"; o.Generated["team/app"] = 3; });
            var options = EcrTestBed.Aws(tokyo);
            options.Region = "us-east-1";
            using var ecr = new EcrRegistryClient(options);

            var hosted = ecr.ClientFor("ap-northeast-1");
            Assert.Equal("ap-northeast-1", hosted.Region);
            Assert.Equal("the registry host", hosted.RegionSource);

            // The emulator verifies the SigV4 scope: a request signed for us-east-1 would be refused.
            var details = await hosted.DescribeImagesAsync("team/app", cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(3, details.Count);

            var bare = ecr.ClientFor(null);
            Assert.Equal("us-east-1", bare.Region);
            Assert.Equal("-Region", bare.RegionSource);
        }

        [Fact]
        public void TwoRegionsOfOneFleetGetTwoClientsEachSignedForItsOwnRegion()
        {
            using var ecr = new EcrRegistryClient(new AwsOptions { AccessKey = "AKIAEXAMPLE000000001", SecretKey = "secret", Region = "eu-west-1", EndpointUrl = new Uri("http://127.0.0.1:9/") });
            Assert.Equal("us-east-1", ecr.ClientFor("us-east-1").Region);
            Assert.Equal("ap-northeast-1", ecr.ClientFor("ap-northeast-1").Region);
            Assert.Same(ecr.ClientFor("us-east-1"), ecr.ClientFor("us-east-1"));
        }

        [Fact]
        public void AnUnknownProfileIsReportedFirstWithTheProfilesThereAre()
        {
            var file = Path.Combine(Path.GetTempPath(), "imageupdater-credentials-" + Guid.NewGuid().ToString("N"));
            File.WriteAllText(file, "[alpha]\naws_access_key_id = AKIAALPHA\naws_secret_access_key = a\n\n[beta]\naws_access_key_id = AKIABETA\naws_secret_access_key = b\n");
            try
            {
                var options = new AwsOptions { ProfileName = "nosuch", ProfilesLocation = file };
                var error = Assert.Throws<ImageUpdaterException>(() => options.ResolveRegion());
                Assert.Equal("AwsProfileNotFound", error.ErrorId);
                Assert.Contains("The AWS profile 'nosuch' does not exist; profiles found: ", error.Message);
                Assert.Contains("alpha", error.Message);
                Assert.Contains("beta", error.Message);
                Assert.Contains(file, error.Message);

                error = Assert.Throws<ImageUpdaterException>(() => options.ResolveCredentials());
                Assert.Equal("AwsProfileNotFound", error.ErrorId);
                Assert.Equal(new[] { "alpha", "beta" }, AwsSharedProfiles.Names(file).Where(n => n == "alpha" || n == "beta"));
            }
            finally
            {
                File.Delete(file);
            }
        }

        [Fact]
        public void TheRegionListCoversEveryPartitionOnce()
        {
            var names = AwsRegions.All.Select(r => r.Key).ToList();
            Assert.Contains("us-east-1", names);
            Assert.Contains("ap-northeast-1", names);
            Assert.Contains("cn-north-1", names);
            Assert.Contains("us-gov-west-1", names);
            Assert.Equal(names.Count, names.Distinct().Count());
            Assert.All(AwsRegions.All, r => Assert.False(string.IsNullOrEmpty(r.Value)));
        }
    }
}
