using System.Net;
using ImageUpdater.Core.Security;
using Xunit;

namespace ImageUpdater.Core.Tests.Security
{
    /// <summary>Items 1 and 2: a credential goes only where the operator bound it.</summary>
    public class CredentialScopeTests
    {
        [Theory]
        [InlineData("https://git.example.com/team/gitops.git", null)]
        [InlineData("https://bot:TOKEN@git.example.com/team/other.git", null)]
        [InlineData("https://GIT.example.com/team/x", null)]
        [InlineData("https://git.example.com/teamevil/x.git", "not under any prefix")]
        [InlineData("https://evil.example.com/team/gitops.git", "not under any prefix")]
        [InlineData("http://git.example.com/team/gitops.git", "plain http")]
        [InlineData("file:///srv/git/gitops.git", "local path")]
        [InlineData("/srv/git/gitops.git", "local path")]
        [InlineData("../gitops.git", "local path")]
        [InlineData("C:\\repos\\gitops", "local path")]
        public void GitUrls(string target, string? problem)
        {
            var scope = new CredentialScope(new[] { "https://git.example.com/team/", "registry.example.com" });
            var why = scope.Problem(target);
            if (problem is null)
            {
                Assert.Null(why);
            }
            else
            {
                Assert.Contains(problem, why);
                Assert.DoesNotContain("TOKEN", why);
            }
        }

        [Fact]
        public void LoopbackHttpAndExplicitSwitches()
        {
            Assert.Null(new CredentialScope(new[] { "127.0.0.1:8080" }).Problem("http://127.0.0.1:8080/gitops.git"));
            Assert.Null(new CredentialScope(new[] { "git.lan" }, allowHttp: true).Problem("http://git.lan/gitops.git"));
            Assert.Null(new CredentialScope(null, allowLocal: true).Problem("/srv/git/gitops.git"));
            Assert.Contains("no host or URL prefix", new CredentialScope(null).Problem("https://ghcr.io/org/app"));
        }

        [Fact]
        public void TheLongestPrefixWins()
        {
            var team = new NetworkCredential("team", "t");
            var org = new NetworkCredential("org", "o");
            var credentials = new[] { (new CredentialScope(new[] { "git.example.com" }), org), (new CredentialScope(new[] { "git.example.com/team" }), team) };
            Assert.Same(team, CredentialScope.Pick(credentials, "https://git.example.com/team/gitops.git"));
            Assert.Same(org, CredentialScope.Pick(credentials, "https://git.example.com/other/gitops.git"));
            Assert.Null(CredentialScope.Pick(credentials, "https://evil.example.com/team/gitops.git"));
            Assert.Equal("git.example.com/team", credentials[1].Item1.Match("https://git.example.com/team/x.git"));
        }
    }
}
