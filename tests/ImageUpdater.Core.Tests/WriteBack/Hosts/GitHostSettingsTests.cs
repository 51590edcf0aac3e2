using System;
using System.Net;
using ImageUpdater.Core.WriteBack;
using ImageUpdater.Core.WriteBack.Hosts;
using Xunit;

namespace ImageUpdater.Core.Tests.WriteBack.Hosts
{
    public sealed class GitHostSettingsTests
    {
        private static readonly GitWriteBackOptions Options = new GitWriteBackOptions();

        [Fact]
        public void AnExplicitTokenGoesToTheConfiguredApiWhateverTheRepositoryUrlSays()
        {
            var settings = new GitHostSettings { Kind = GitHostKind.GitLab, ApiUrl = new Uri("https://git.corp.example/api/v4"), Token = new NetworkCredential(string.Empty, "glpat-1") };

            var access = settings.Resolve("https://evil.example/group/app.git", new GitCredentials(), Options);

            Assert.Equal("https://git.corp.example/api/v4/", access.Endpoint.ApiBase.AbsoluteUri);
            Assert.Equal("-GitHostToken", access.TokenSource);
        }

        [Fact]
        public void AnExplicitTokenWithoutUrlGoesOnlyToThePublicApiOfTheNamedService()
        {
            var github = new GitHostSettings { Kind = GitHostKind.GitHub, Token = new NetworkCredential(string.Empty, "ghp_1") };
            Assert.Equal("https://api.github.com/", github.Resolve("https://github.com/org/app.git", new GitCredentials(), Options).Endpoint.ApiBase.AbsoluteUri);

            // A manifest naming another server with -GitHost GitHub would make it https://evil.example/api/v3: refused.
            var error = Assert.Throws<ImageUpdaterException>(() => github.Resolve("https://evil.example/org/app.git", new GitCredentials(), Options));
            Assert.Equal(("GitHostTokenNotBound", FailureKind.SecurityError), (error.ErrorId, error.Kind));
            Assert.DoesNotContain("ghp_1", error.Message, StringComparison.Ordinal);

            var auto = new GitHostSettings { Token = new NetworkCredential(string.Empty, "ghp_1") };
            Assert.Equal("GitHostTokenNotBound", Assert.Throws<ImageUpdaterException>(() => auto.Resolve("https://github.com/org/app.git", new GitCredentials(), Options)).ErrorId);
        }

        [Fact]
        public void TheGitCredentialGoesOnlyToItsOwnHostsApi()
        {
            var credentials = new GitCredentials { Https = new NetworkCredential("x-access-token", "ghp_2"), Source = "-GitCredential" };

            var github = new GitHostSettings().Resolve("https://github.com/org/app.git", credentials, Options);
            Assert.Equal(("https://api.github.com/", GitHostKind.GitHub), (github.Endpoint.ApiBase.AbsoluteUri, github.Endpoint.Kind));
            var gitlab = new GitHostSettings { Kind = GitHostKind.GitLab }.Resolve("https://git.corp.example/group/app.git", credentials, Options);
            Assert.Equal("https://git.corp.example/api/v4/", gitlab.Endpoint.ApiBase.AbsoluteUri);
            Assert.Contains("-GitCredential", gitlab.TokenSource, StringComparison.Ordinal);

            // A user:token@ written into a manifest's URL is not the operator's: no API call uses it.
            Assert.Equal("GitHostTokenRequired", Assert.Throws<ImageUpdaterException>(() => new GitHostSettings().Resolve("https://github.com/org/app.git", credentials, Options, credentialFromUrl: true)).ErrorId);
        }

        [Fact]
        public void PlainHttpToAnotherMachineIsRefusedLoopbackIsNot()
        {
            var token = new NetworkCredential(string.Empty, "t");
            var remote = new GitHostSettings { Kind = GitHostKind.GitHub, ApiUrl = new Uri("http://ghe.example/api/v3"), Token = token };
            Assert.Equal("GitHostTokenNotBound", Assert.Throws<ImageUpdaterException>(() => remote.Resolve("https://ghe.example/org/app.git", new GitCredentials(), Options)).ErrorId);

            var loopback = new GitHostSettings { Kind = GitHostKind.GitHub, ApiUrl = new Uri("http://127.0.0.1:8080/"), Token = token };
            Assert.Equal("http://127.0.0.1:8080/", loopback.Resolve("https://ghe.example/org/app.git", new GitCredentials(), Options).Endpoint.ApiBase.AbsoluteUri);
        }

        [Fact]
        public void NoTokenSaysWhichPermissionAndWhereToPutIt()
        {
            var error = Assert.Throws<ImageUpdaterException>(() => new GitHostSettings().Resolve("https://gitlab.com/group/app.git", new GitCredentials(), Options));

            Assert.Equal(("GitHostTokenRequired", FailureKind.AuthenticationError), (error.ErrorId, error.Kind));
            Assert.Contains("Developer role", error.Message, StringComparison.Ordinal);
            Assert.Contains("-GitHostToken", error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void AnUnknownHostAsksForGitHost()
        {
            var error = Assert.Throws<ImageUpdaterException>(() => new GitHostSettings().Resolve("https://u:s3cret@git.example.com/org/app.git", new GitCredentials(), Options));

            Assert.Equal(("GitHostUnknown", FailureKind.InvalidArgument), (error.ErrorId, error.Kind));
            Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("Auto", null)]
        [InlineData("gitlab", GitHostKind.GitLab)]
        [InlineData("AzureDevOps", GitHostKind.AzureDevOps)]
        public void ParsesGitHostValues(string text, GitHostKind? kind) => Assert.Equal(kind, GitHostSettings.ParseKind(text));
    }
}
