using System;
using System.IO;
using System.Text;
using ImageUpdater.Core;
using ImageUpdater.Core.Yaml;
using Xunit;

namespace ImageUpdater.Core.Tests.Yaml
{
    /// <summary>Item 16: text YAML parsers disagree on is refused as YamlInvalid; limits that hit honest files do not.</summary>
    public class YamlTextCheckTests
    {
        [Theory]
        [InlineData("a: 1\0\nimage:\n  tag: v1\n", 1, 5)]
        [InlineData("a: 1\rimage:\r  tag: v1\r", 1, 5)]
        [InlineData("a: 1\u0085image:\n  tag: v1\n", 1, 5)]
        [InlineData("a: 1\nb: x\u2028y\nimage:\n  tag: v1\n", 2, 5)]
        [InlineData("a: 1\u001b[31m\n", 1, 5)]
        [InlineData("image:\n\ttag: v1\n", 0, 0)]
        [InlineData("\timage: x\n", 1, 1)]
        public void RefusedAsYamlInvalid(string yaml, int line, int column)
        {
            var ex = Assert.Throws<YamlEditException>(() => YamlEditor.Parse(yaml, "values.yaml").SetScalar("image.tag", "v2"));
            Assert.Equal("YamlInvalid", ex.ErrorId);
            Assert.Equal(FailureKind.InvalidData, ex.Kind);
            if (line > 0)
            {
                // 0: YamlDotNet refuses it itself, at a place of its choosing.
                Assert.Equal(line, ex.Line);
                Assert.Equal(column, ex.Column);
            }
            Assert.DoesNotContain("a bug", ex.Message);
        }

        [Theory]
        [InlineData("script: |\n  echo a\n  \techo b\nimage:\n  tag: v1\n")]
        [InlineData("msg: \"one\n\ttwo\"\nimage:\n  tag: v1\n")]
        [InlineData("image:\r\n  tag: v1\r\n")]
        [InlineData("a: 1 # tab\tin comment\nimage:\n  tag: v1\n")]
        [InlineData("\t# a comment after a tab\nimage:\n  tag: v1\n")]
        public void TabsInsideScalarsAndCrlfStillEdit(string yaml)
        {
            var editor = YamlEditor.Parse(yaml, "values.yaml");
            editor.SetScalar("image.tag", "v2");
            Assert.Equal("v2", editor.GetScalar("image.tag"));
        }

        [Fact]
        public void ALargeFlatFileWithoutAliasesIsNoAliasBomb()
        {
            var text = new StringBuilder();
            for (var i = 0; i < 700_000; i++)
            {
                text.Append("k").Append(i).Append(": v\n");
            }

            text.Append("image:\n  tag: v1\n");
            var editor = YamlEditor.Parse(text.ToString(), "big.yaml");
            editor.SetScalar("image.tag", "v2");
            Assert.Equal("v2", editor.GetScalar("image.tag"));
        }

        [Fact]
        public void ADeviceWithoutLengthIsCappedWhileReading()
        {
            if (!File.Exists("/dev/zero"))
            {
                Assert.Skip("no /dev/zero here");
            }

            var ex = Assert.Throws<YamlEditException>(() => YamlEditor.ReadBytes("/dev/zero"));
            Assert.Equal("YamlFileTooLarge", ex.ErrorId);
        }
    }
}
