using ImageUpdater.Core.Annotations;
using Xunit;

namespace ImageUpdater.Core.Tests.Annotations
{
    public class RepositoryPathTests
    {
        [Theory]
        [InlineData("apps/web", "values.yaml", "apps/web/values.yaml")]
        [InlineData("apps/web", "/values.yaml", "values.yaml")]
        [InlineData("apps/web/", "./overlays/../values.yaml", "apps/web/values.yaml")]
        [InlineData("apps/web", "../shared/values.yaml", "apps/shared/values.yaml")]
        [InlineData(null, ".", "")]
        [InlineData("", "values.yaml", "values.yaml")]
        // '\' separated only in the validation copy (AnnotationParser's RepositoryPath); GitTarget.Resolve read 'a\b' as one file name on Linux.
        [InlineData("apps\\web", "sub\\values.yaml", "apps/web/sub/values.yaml")]
        [InlineData("apps/web", "\\values.yaml", "values.yaml")]
        public void ResolvesInsideTheRepository(string? sourcePath, string path, string resolved) => Assert.Equal(resolved, RepositoryPath.Resolve(sourcePath, path));

        [Theory]
        [InlineData("apps/web", "../../../etc/passwd")]
        [InlineData("apps/web", "/../x.yaml")]
        [InlineData(null, "..")]
        [InlineData("apps", "..\\..\\x.yaml")]
        [InlineData("", "C:\\Windows\\x.yaml")]
        [InlineData("", "c:/x.yaml")]
        [InlineData("", "\\\\server\\share\\x.yaml")]
        [InlineData("", "//server/share/x.yaml")]
        [InlineData("D:/apps", "values.yaml")]
        [InlineData("../outside", "values.yaml")]
        public void RefusesPathsThatLeaveIt(string? sourcePath, string path) => Assert.Null(RepositoryPath.Resolve(sourcePath, path));
    }
}
