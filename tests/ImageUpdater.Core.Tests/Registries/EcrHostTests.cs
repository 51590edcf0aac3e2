using ImageUpdater.Core.Registries.Ecr;
using Xunit;

namespace ImageUpdater.Core.Tests.Registries
{
    public class EcrHostTests
    {
        [Theory]
        [InlineData("123456789012.dkr.ecr.eu-west-1.amazonaws.com", "123456789012", "eu-west-1", false, "https://api.ecr.eu-west-1.amazonaws.com/")]
        [InlineData("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", "123456789012", "cn-north-1", false, "https://api.ecr.cn-north-1.amazonaws.com.cn/")]
        [InlineData("123456789012.dkr.ecr-fips.us-east-1.amazonaws.com", "123456789012", "us-east-1", true, "https://ecr-fips.us-east-1.amazonaws.com/")]
        [InlineData("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com", "123456789012", "us-gov-west-1", true, "https://ecr-fips.us-gov-west-1.amazonaws.com/")]
        [InlineData("123456789012.dkr-ecr.eu-central-1.on.aws", "123456789012", "eu-central-1", false, "https://api.ecr.eu-central-1.amazonaws.com/")]
        [InlineData("123456789012.dkr-ecr-fips.us-east-2.on.aws", "123456789012", "us-east-2", true, "https://ecr-fips.us-east-2.amazonaws.com/")]
        [InlineData("HTTPS://123456789012.DKR.ECR.AP-SOUTHEAST-2.AMAZONAWS.COM/", "123456789012", "ap-southeast-2", false, "https://api.ecr.ap-southeast-2.amazonaws.com/")]
        [InlineData("123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov", "123456789012", "us-iso-east-1", false, "https://api.ecr.us-iso-east-1.c2s.ic.gov/")]
        public void ParsesRegistryHosts(string host, string account, string region, bool fips, string endpoint)
        {
            var parsed = EcrHost.Parse(host);
            Assert.Equal(account, parsed.AccountId);
            Assert.Equal(region, parsed.Region);
            Assert.Equal(fips, parsed.Fips);
            Assert.Equal(endpoint, parsed.ApiEndpoint.ToString());
        }

        [Theory]
        [InlineData("ghcr.io")]
        [InlineData("public.ecr.aws")]
        [InlineData("12345678901.dkr.ecr.us-east-1.amazonaws.com")]
        [InlineData("123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example")]
        [InlineData("123456789012.dkr.ecr.us-east-1.amazonaws.com:5000")]
        [InlineData("")]
        [InlineData(null)]
        public void RejectsOtherHosts(string? host)
        {
            Assert.False(EcrHost.IsEcrHost(host));
        }

        [Fact]
        public void ParseSaysWhatAHostShouldLookLike()
        {
            var ex = Assert.Throws<ImageUpdaterException>(() => EcrHost.Parse("ghcr.io"));
            Assert.Equal(FailureKind.InvalidArgument, ex.Kind);
            Assert.Contains("<account>.dkr.ecr.<region>.amazonaws.com", ex.Message);
        }

        [Fact]
        public void BuildsRegistryHostOfAChinaRegion()
        {
            Assert.Equal("123456789012.dkr.ecr.cn-northwest-1.amazonaws.com.cn", EcrHost.RegistryHost("123456789012", "cn-northwest-1"));
        }
    }
}
