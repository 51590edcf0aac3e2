using System.Diagnostics;
using System.IO;
using ImageUpdater.Core;
using ImageUpdater.Core.WriteBack;
using ImageUpdater.Core.WriteBack.Templates;
using Xunit;

namespace ImageUpdater.Core.Tests.WriteBack
{
    /// <summary>Item 8: rendered branch names follow <c>git check-ref-format --branch</c>, plus names that shadow other refs.</summary>
    public class GitRefNameTests
    {
        public static readonly TheoryData<string> Names = new TheoryData<string>
        {
            "main", "image-updater/web-1.2.3", "feature/a.b_c-d", "ünïcode", "a/b/c", "x@y", "v1.0", "{weird}", "a#b", "a!b",
            "..", "a..b", "a@{b", "x.lock", "a/x.lock/b", "-dash", ".hidden", "a/.hidden", "ends.", "ends/", "/starts", "a//b",
            "nl\nx", "tab\tx", "sp ace", "til~de", "car^et", "co:lon", "q?", "st*ar", "br[acket", "back\\slash", "del\u007f",
        };

        private static bool GitAccepts(string name)
        {
            var info = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetTempPath() };
            info.ArgumentList.Add("check-ref-format");
            info.ArgumentList.Add("--branch");
            info.ArgumentList.Add(name);
            using var git = Process.Start(info)!;
            git.StandardOutput.ReadToEnd();
            git.StandardError.ReadToEnd();
            git.WaitForExit();
            return git.ExitCode == 0;
        }

        [Theory]
        [MemberData(nameof(Names))]
        public void AgreesWithGitCheckRefFormat(string name)
        {
            Assert.Equal(GitAccepts(name), GitRefName.FormatProblem(name) is null);
        }

        [Theory]
        [InlineData("HEAD")]
        [InlineData("@")]
        [InlineData("refs/tags/v1")]
        [InlineData("refs/heads/main")]
        [InlineData("origin/main")]
        public void NamesThatShadowOtherRefsAreRefusedToo(string name)
        {
            Assert.NotNull(GitRefName.BranchProblem(name));
        }

        [Fact]
        public void ARenderedBranchIsCheckedForItsOwnApplication()
        {
            var changes = new[] { new ImageChange("web", null, "1.0.0", "1.1.0") };
            Assert.Equal("image-updater-web", BranchNameTemplate.Render("image-updater-{{.AppName}}", "web", null, changes));
            var error = Assert.Throws<ImageUpdaterException>(() => BranchNameTemplate.Render("origin/{{.AppName}}", "web", null, changes));
            Assert.Equal("GitBranchNameInvalid", error.ErrorId);
            Assert.Contains("'web'", error.Message);
            // Truncation to 255 characters must not leave a name git refuses.
            Assert.Throws<ImageUpdaterException>(() => BranchNameTemplate.Render(new string('a', 250) + ".lock" + "{{.AppName}}", "web", null, changes));
        }
    }
}
