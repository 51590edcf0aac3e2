using System;
using System.IO;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.WriteBack;
using Xunit;

namespace ImageUpdater.Core.Tests.WriteBack
{
    /// <summary>GitTarget.Resolve applies RepositoryPath, the rule annotation validation uses.</summary>
    public class GitTargetTests
    {
        private static ArgoApplication App(string sourcePath, string target) => new ArgoApplication("a")
        {
            Namespace = "argocd",
            Sources = new[] { new ApplicationSource { RepoUrl = "https://git.example.com/r.git", Path = sourcePath, IsHelm = true } },
            WriteBack = new WriteBackSpec { Method = WriteBackMethod.Git, Target = new WriteBackTarget(WriteBackTargetKind.HelmValues, target) },
        };

        private static string Root() => Path.Combine(Path.GetTempPath(), "gittarget-" + Guid.NewGuid().ToString("N"));

        [Theory]
        [InlineData("apps/a", "sub\\values.yaml", "apps/a/sub/values.yaml")]
        [InlineData("apps/a", "/values.yaml", "values.yaml")]
        [InlineData("apps\\a", "../b/values.yaml", "apps/b/values.yaml")]
        public void ResolvesWithBothSeparators(string sourcePath, string target, string relative)
        {
            var app = App(sourcePath, target);
            Assert.Equal(relative, GitTarget.Resolve(Root(), app, app.AnnotatedSource, RepositoryFiles.WorkingTree).RelativePath);
        }

        [Theory]
        // On Linux GitTarget.Resolve read '..\..\..\x' as one file name in the source folder, while validation refused it.
        [InlineData("apps/a", "..\\..\\..\\x.yaml")]
        [InlineData("apps/a", "../../../x.yaml")]
        [InlineData("", "C:\\x.yaml")]
        [InlineData("", "//server/share/x.yaml")]
        public void RefusesWhatValidationRefuses(string sourcePath, string target)
        {
            var app = App(sourcePath, target);
            Assert.Null(RepositoryPath.Resolve(sourcePath, target));
            var ex = Assert.Throws<ImageUpdaterException>(() => GitTarget.Resolve(Root(), app, app.AnnotatedSource, RepositoryFiles.WorkingTree));
            Assert.Equal("WriteBackTargetOutsideRepository", ex.ErrorId);
        }
    }
}
