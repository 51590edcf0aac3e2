using ImageUpdater.Core.Annotations;
using Xunit;

namespace ImageUpdater.Core.Tests.Annotations
{
    /// <summary>Item 6: write-back never lands in files that configure CI or git unless the operator allows the path.</summary>
    public class ProtectedPathsTests
    {
        [Theory]
        [InlineData(".github/workflows/deploy.yml")]
        [InlineData("sub/.GitHub/workflows/x.yaml")]
        [InlineData(".gitlab-ci.yml")]
        [InlineData("apps/.gitattributes")]
        [InlineData(".gitmodules")]
        [InlineData(".git/config")]
        [InlineData(".azure-pipelines/build.yml")]
        [InlineData("azure-pipelines.yml")]
        [InlineData("ci/Jenkinsfile")]
        [InlineData(".github. /workflows/x.yml")]
        public void Refused(string path)
        {
            Assert.NotNull(ProtectedPaths.Problem(path));
        }

        [Theory]
        [InlineData("apps/a/values.yaml")]
        [InlineData(".argocd-source-a.yaml")]
        [InlineData("github/values.yaml")]
        [InlineData("docs/.github-notes.yaml")]
        public void Allowed(string path)
        {
            Assert.Null(ProtectedPaths.Problem(path));
        }

        [Fact]
        public void TheOperatorCanAllowAFileOrAFolder()
        {
            Assert.Null(ProtectedPaths.Problem(".github/workflows/deploy.yml", new[] { ".github/workflows/deploy.yml" }));
            Assert.Null(ProtectedPaths.Problem(".github/workflows/deploy.yml", new[] { "/.github/" }));
            Assert.NotNull(ProtectedPaths.Problem(".github/workflows/deploy.yml", new[] { ".github/actions" }));
        }
    }
}
