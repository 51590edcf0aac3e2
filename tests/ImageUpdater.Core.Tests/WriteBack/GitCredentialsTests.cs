using System.Collections.Generic;
using System.Net;
using ImageUpdater.Core.WriteBack;
using Xunit;

namespace ImageUpdater.Core.Tests.WriteBack
{
    /// <summary>Which HTTPS credential goes to which repository (issue 15 item 1): bound prefixes, the applications' own hosts, nothing else.</summary>
    public sealed class GitCredentialsTests
    {
        private static readonly NetworkCredential Plain = new NetworkCredential("bot", "PLAIN-S3CRET");
        private static readonly NetworkCredential OrgA = new NetworkCredential("a", "ORG-A-S3CRET");
        private static readonly NetworkCredential OrgARepo = new NetworkCredential("a-repo", "ORG-A-REPO-S3CRET");

        private static GitCredentials Map() => new GitCredentials
        {
            HttpsByPrefix = new[]
            {
                new KeyValuePair<string, NetworkCredential>("https://github.com/org-a", OrgA),
                new KeyValuePair<string, NetworkCredential>("github.com/org-a/special.git", OrgARepo),
            },
        };

        [Fact]
        public void TheLongestMapPrefixWins()
        {
            Assert.Same(OrgARepo, Map().For("https://github.com/org-a/special.git", new string[0], out _).Https);
            Assert.Same(OrgA, Map().For("https://github.com/org-a/other.git", new string[0], out _).Https);
        }

        [Fact]
        public void AMapPrefixCoversWholePathSegmentsOnly()
        {
            var chosen = Map().For("https://github.com/org-ab/x.git", new string[0], out var refusal);

            Assert.Null(chosen.Https);
            Assert.Contains("not under any prefix", refusal);
        }

        [Fact]
        public void APlainCredentialGoesToTheHostsOfTheApplicationsOwnRepoUrls()
        {
            var credentials = new GitCredentials { Https = Plain };

            Assert.Same(Plain, credentials.For("https://git.example.com/team/other.git", new[] { "https://git.example.com/team/gitops.git" }, out _).Https);
        }

        [Fact]
        public void APlainCredentialDoesNotFollowAnAnnotationToAnotherHost()
        {
            var credentials = new GitCredentials { Https = Plain };

            var chosen = credentials.For("https://attacker.example/x.git", new[] { "https://git.example.com/team/gitops.git" }, out var refusal);

            Assert.Null(chosen.Https);
            Assert.Contains("attacker.example", refusal);
            Assert.DoesNotContain("PLAIN-S3CRET", refusal);
        }

        [Fact]
        public void APortIsPartOfTheHost()
        {
            var chosen = new GitCredentials { Https = Plain }.For("http://127.0.0.1:2/x.git", new[] { "http://127.0.0.1:1/gitops.git" }, out _);

            Assert.Null(chosen.Https);
        }

        [Fact]
        public void GitCredentialScopeBindsAnotherHost()
        {
            var credentials = new GitCredentials { Https = Plain, HttpsScope = new[] { "mirror.example.com/team" } };

            Assert.Same(Plain, credentials.For("https://mirror.example.com/team/x.git", new string[0], out _).Https);
            Assert.Null(credentials.For("https://mirror.example.com/other/x.git", new string[0], out _).Https);
        }

        [Fact]
        public void PlainHttpToAnotherMachineNeedsAllowHttp()
        {
            var credentials = new GitCredentials { Https = Plain };
            var own = new[] { "http://git.lan/gitops.git" };

            Assert.Null(credentials.For("http://git.lan/gitops.git", own, out var refusal).Https);
            Assert.Contains("plain http", refusal);
            Assert.Same(Plain, credentials.For("http://127.0.0.1:8080/gitops.git", new[] { "http://127.0.0.1:8080/gitops.git" }, out _).Https);
            credentials.AllowHttp = true;
            Assert.Same(Plain, credentials.For("http://git.lan/gitops.git", own, out _).Https);
        }

        [Fact]
        public void SshSettingsAreKeptAndNoHttpsCredentialGoesOverSsh()
        {
            var credentials = new GitCredentials { Https = Plain, SshKeyPath = "/keys/id" };

            var chosen = credentials.For("git@github.com:org/repo.git", new[] { "git@github.com:org/repo.git" }, out var refusal);

            Assert.Null(chosen.Https);
            Assert.Equal("/keys/id", chosen.SshKeyPath);
            Assert.Null(refusal);
        }

        [Fact]
        public void ToStringNamesPrefixesNotSecrets()
        {
            var text = Map().ToString();

            Assert.Contains("github.com/org-a", text);
            Assert.DoesNotContain("S3CRET", text);
        }
    }
}
