using System.Collections.Generic;
using ImageUpdater.Core.WriteBack.Templates;
using Xunit;

namespace ImageUpdater.Core.Tests.WriteBack
{
    /// <summary>Item 16: commit messages from annotation templates cannot forge trailers or grow without bound.</summary>
    public class CommitMessageSafetyTests
    {
        private static readonly ImageChange[] Changes = { new ImageChange("web", "web", "1.0.0", "1.1.0") };

        [Fact]
        public void ForgedTrailersAreRemovedWithAWarning()
        {
            var warnings = new List<string>();
            var message = CommitMessageTemplate.Render("update {{.AppName}}\n\nSigned-off-by: The CEO <ceo@example.com>\n  co-authored-by : x\nChange-Id: I00\nkept: line", "web", null, Changes, warnings.Add);
            Assert.Equal("update web\n\nkept: line", message);
            Assert.Contains(warnings, w => w.Contains("3 trailer line(s)"));
        }

        [Fact]
        public void LongMessagesAreCut()
        {
            var warnings = new List<string>();
            var message = CommitMessageTemplate.Render(new string('x', 200 * 1024), "web", null, Changes, warnings.Add);
            Assert.Equal(CommitMessageTemplate.MaxLength, message.Length);
            Assert.Contains(warnings, w => w.Contains("cut to"));
        }

        [Fact]
        public void TheDefaultMessageIsUnchanged()
        {
            var warnings = new List<string>();
            Assert.Equal("build: automatic update of web\n\nupdates image web tag '1.0.0' to '1.1.0'\n", CommitMessageTemplate.Render(null, "web", null, Changes, warnings.Add));
            Assert.Empty(warnings);
        }
    }
}
