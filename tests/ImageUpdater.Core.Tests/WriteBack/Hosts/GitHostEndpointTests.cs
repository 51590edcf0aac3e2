using System;
using ImageUpdater.Core.WriteBack;
using ImageUpdater.Core.WriteBack.Hosts;
using Xunit;

namespace ImageUpdater.Core.Tests.WriteBack.Hosts
{
    public sealed class GitHostEndpointTests
    {
        [Theory]
        [InlineData("https://github.com/org/app.git", GitHostKind.GitHub, "https://api.github.com/", "org/app")]
        [InlineData("git@github.com:org/app.git", GitHostKind.GitHub, "https://api.github.com/", "org/app")]
        [InlineData("https://gitlab.com/group/sub/app.git", GitHostKind.GitLab, "https://gitlab.com/api/v4/", "group/sub/app")]
        [InlineData("https://dev.azure.com/org/proj/_git/app", GitHostKind.AzureDevOps, "https://dev.azure.com/", "org/proj/app")]
        [InlineData("git@ssh.dev.azure.com:v3/org/proj/app", GitHostKind.AzureDevOps, "https://dev.azure.com/", "org/proj/app")]
        public void RecognisesPublicHosts(string url, GitHostKind kind, string api, string repository)
        {
            var endpoint = GitHostEndpoint.Recognise(url);

            Assert.Equal((kind, api, repository), (endpoint.Kind, endpoint.ApiBase.AbsoluteUri, endpoint.Repository));
        }

        [Fact]
        public void SelfHostedNeedsTheKindAndTakesItsApiBase()
        {
            var error = Assert.Throws<ArgumentException>(() => GitHostEndpoint.Recognise("https://user:s3cret@git.example.com/org/app.git"));
            Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);

            var enterprise = GitHostEndpoint.Recognise("https://ghe.example.com/org/app.git", GitHostKind.GitHub);
            Assert.Equal("https://ghe.example.com/api/v3/", enterprise.ApiBase.AbsoluteUri);
            var gitlab = GitHostEndpoint.Recognise("https://git.example.com/org/app.git", GitHostKind.GitLab, "https://git.example.com/gitlab/api/v4");
            Assert.Equal("https://git.example.com/gitlab/api/v4/", gitlab.ApiBase.AbsoluteUri);
        }

        [Fact]
        public void DefaultTextIsATableWithEscapedCells()
        {
            var request = PullRequestText.For(new[] { new ImageUpdate("r/a", "2") { OldTag = "1", Reason = "x|y" } }, "w", "main", "bump {{.Count}} on {{.Base}}");

            Assert.Equal("bump 1 on main", request.Title);
            Assert.Contains("| — | r/a | 1 | 2 | x\\|y |", request.Body, StringComparison.Ordinal);
        }
    }
}
