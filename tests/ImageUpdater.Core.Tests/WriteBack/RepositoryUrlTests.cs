using ImageUpdater.Core.WriteBack;
using Xunit;

namespace ImageUpdater.Core.Tests.WriteBack
{
    public class RepositoryUrlTests
    {
        [Theory]
        [InlineData("https://git.example.com/org/repo.git", "https://git.example.com/org/repo")]
        [InlineData("https://git.example.com/org/repo/", "https://GIT.example.com/org/repo.git")]
        [InlineData("https://token:x-oauth@git.example.com/org/repo", "https://git.example.com/org/repo")]
        // GitTarget.SameRepository kept the scheme (only the argocd path's ApplicationImagePatch.SameRepository dropped it): http and https now match on both paths.
        [InlineData("http://git.example.com/org/repo", "https://git.example.com/org/repo.git")]
        [InlineData("git@github.com:org/repo.git", "git@github.com:org/repo")]
        [InlineData("ssh://git@github.com/org/repo.git", "SSH://git@github.com/org/repo")]
        public void SameRepository(string a, string b) => Assert.True(RepositoryUrl.Same(a, b));

        [Theory]
        // ApplicationImagePatch.SameRepository dropped any scheme, so ssh:// and https:// matched there; they are different remotes with different credentials.
        [InlineData("ssh://github.com/org/repo", "https://github.com/org/repo")]
        [InlineData("git@github.com:org/repo", "https://github.com/org/repo")]
        [InlineData("https://git.example.com/org/repo", "https://git.example.com/org/repo2")]
        [InlineData(null, "https://git.example.com/org/repo")]
        public void DifferentRepositories(string? a, string b) => Assert.False(RepositoryUrl.Same(a, b));

        [Fact]
        public void CleanTakesTheTokenOutOfTheUrl()
        {
            Assert.Equal("https://git.example.com/org/repo.git", RepositoryUrl.Clean("https://bot:s3cret@git.example.com/org/repo.git", out var embedded));
            Assert.Equal("bot", embedded!.UserName);
            Assert.Equal("s3cret", embedded.Password);
            Assert.Equal("git@github.com:org/repo", RepositoryUrl.Clean(" git@github.com:org/repo ", out embedded));
            Assert.Null(embedded);
        }

        [Theory]
        [InlineData("HTTPS://x", true)]
        [InlineData("http://x", true)]
        [InlineData("ssh://x", false)]
        [InlineData("file:///tmp/x", false)]
        public void IsHttp(string url, bool http) => Assert.Equal(http, RepositoryUrl.IsHttp(url));
    }
}
