using ImageUpdater.Core.Security;
using Xunit;

namespace ImageUpdater.Core.Tests.Security
{
    /// <summary>Item 17: one rule masks URL secrets in every text the module writes.</summary>
    public class UrlRedactionTests
    {
        [Theory]
        [InlineData("http://bot:TOKEN@host/x.git", "http://***@host/x.git")]
        [InlineData("https://ghp_TOKEN@github.com/org/repo", "https://***@github.com/org/repo")]
        [InlineData("Push to https://u:p%40ss@git.example.com:8443/a.git failed", "Push to https://***@git.example.com:8443/a.git failed")]
        [InlineData("https://host/x.git?private_token=TOKEN&ref=main", "https://host/x.git?private_token=***&ref=main")]
        [InlineData("https://s3.example.com/o?X-Amz-Signature=TOKEN&X-Amz-Credential=AKIA", "https://s3.example.com/o?X-Amz-Signature=***&X-Amz-Credential=***")]
        [InlineData("'http://a:TOKEN@h/x' and 'ssh://git@h/y'", "'http://***@h/x' and 'ssh://git@h/y'")]
        [InlineData("ssh://git:TOKEN@h/y", "ssh://***@h/y")]
        [InlineData("https://host/x.git", "https://host/x.git")]
        [InlineData("user@example.com wrote it", "user@example.com wrote it")]
        [InlineData("", "")]
        public void Masks(string text, string expected)
        {
            Assert.Equal(expected, UrlRedaction.Redact(text));
            Assert.DoesNotContain("TOKEN", UrlRedaction.Redact(text));
        }

        [Fact]
        public void NullStaysNullAndCleanTextHasNoSecret()
        {
            Assert.Null(UrlRedaction.Redact(null));
            Assert.False(UrlRedaction.HasSecret("https://host/x.git"));
            Assert.True(UrlRedaction.HasSecret("http://bot:TOKEN@host/x.git"));
        }
    }
}
