using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ImageUpdater.Core.Yaml;
using Xunit;

namespace ImageUpdater.Core.Tests.Yaml
{
    public class YamlEditorTests
    {
        private static string Set(string yaml, string path, string value)
        {
            var editor = YamlEditor.Parse(yaml, "values.yaml");
            editor.SetScalar(path, value);
            return editor.Text;
        }

        [Fact]
        public void PlainScalarKeepsCommentsAndSpacing()
        {
            var yaml = "# top\nimage:\n  repository: nginx   # repo\n  tag: 1.27.1  # comment\n\n  pullPolicy: IfNotPresent\n";
            Assert.Equal(yaml.Replace("1.27.1", "1.27.5"), Set(yaml, "image.tag", "1.27.5"));
        }

        [Theory]
        [InlineData("tag: 'v1'\n", "v2", "tag: 'v2'\n")]
        [InlineData("tag: \"v1\"\n", "v2", "tag: \"v2\"\n")]
        [InlineData("tag: v1\n", "1.10", "tag: \"1.10\"\n")]
        [InlineData("tag: v1\n", "1.5", "tag: \"1.5\"\n")]
        [InlineData("tag: v1\n", "true", "tag: \"true\"\n")]
        [InlineData("tag: v1\n", "1e3", "tag: \"1e3\"\n")]
        [InlineData("tag: v1\n", "0x1", "tag: \"0x1\"\n")]
        [InlineData("tag: v1\n", "123", "tag: \"123\"\n")]
        [InlineData("tag: v1\n", "08", "tag: \"08\"\n")]
        [InlineData("tag: v1\n", "null", "tag: \"null\"\n")]
        [InlineData("tag: v1\n", "", "tag: \"\"\n")]
        [InlineData("tag: v1\n", "2024-12-17", "tag: \"2024-12-17\"\n")]
        [InlineData("tag: v1\n", "1.2.3", "tag: 1.2.3\n")]
        [InlineData("tag: v1\n", "1e51a1d", "tag: 1e51a1d\n")]
        [InlineData("tag: v1\n", "2024-12-17T16.34.22-82dd806", "tag: 2024-12-17T16.34.22-82dd806\n")]
        [InlineData("tag: v1\n", "a: b", "tag: \"a: b\"\n")]
        [InlineData("tag: v1\n", "x #y", "tag: \"x #y\"\n")]
        [InlineData("tag: 'v1'\n", "it's", "tag: 'it''s'\n")]
        [InlineData("tag: \"v1\"\n", "a\"b\\c", "tag: \"a\\\"b\\\\c\"\n")]
        [InlineData("tag: \"1.5\"\n", "1.6", "tag: \"1.6\"\n")]
        [InlineData("tag: '1.5'\n", "1.6", "tag: '1.6'\n")]
        [InlineData("tag:\n", "v2", "tag: v2\n")]
        [InlineData("tag: ~\n", "v2", "tag: v2\n")]
        [InlineData("tag: #0.0.0.0\n", "v2", "tag: v2 #0.0.0.0\n")]
        [InlineData("tag: \"\" # defaults to global.image.tag\n", "v2", "tag: \"v2\" # defaults to global.image.tag\n")]
        public void QuotingKeepsTheValueAString(string yaml, string value, string expected)
        {
            var text = Set(yaml, "tag", value);
            Assert.Equal(expected, text);
            Assert.Equal(value, new YamlDotNet.RepresentationModel.YamlStream().Let(s => { s.Load(new StringReader(text)); return ((YamlDotNet.RepresentationModel.YamlScalarNode)((YamlDotNet.RepresentationModel.YamlMappingNode)s.Documents[0].RootNode).Children[new YamlDotNet.RepresentationModel.YamlScalarNode("tag")]).Value; }));
        }

        [Theory]
        [InlineData("images:\n- repository: a\n  tag: v1\n- repository: b\n  tag: v1\n", "images[1].tag", "images:\n- repository: a\n  tag: v1\n- repository: b\n  tag: v2\n")]
        [InlineData("images:\n  - repository: a\n    tag: v1\n", "images[0].tag", "images:\n  - repository: a\n    tag: v2\n")]
        [InlineData("annotations:\n  example.com/tag: v1\n", "annotations.example\\.com/tag", "annotations:\n  example.com/tag: v2\n")]
        [InlineData("image.tag: v1\nimage:\n  tag: v0\n", "image.tag", "image.tag: v2\nimage:\n  tag: v0\n")]
        [InlineData("image: {repository: a, tag: v1}\n", "image.tag", "image: {repository: a, tag: v2}\n")]
        [InlineData("tags: [v1, v1]\n", "tags[1]", "tags: [v1, v2]\n")]
        [InlineData("tags: {a: v1, b: [v1]}\n", "tags.b[0]", "tags: {a: v1, b: [v2]}\n")]
        [InlineData("image:\r\n  tag: v1\r\n  x: 1\r\n", "image.tag", "image:\r\n  tag: v2\r\n  x: 1\r\n")]
        [InlineData("image:\n  tag: v1", "image.tag", "image:\n  tag: v2")]
        [InlineData("kind: A\n---\nimage:\n  tag: v1\n", "image.tag", "kind: A\n---\nimage:\n  tag: v2\n")]
        [InlineData("# 😀 emoji\nimage:\n  tag: v1 # 😀\n", "image.tag", "# 😀 emoji\nimage:\n  tag: v2 # 😀\n")]
        [InlineData("image:\n  tag: !!str v1\n", "image.tag", "image:\n  tag: !!str v2\n")]
        [InlineData("image:\n  tag: |\n    v1\n\nnext: 1\n", "image.tag", "image:\n  tag: v2\n\nnext: 1\n")]
        public void EditsOnlyTheScalar(string yaml, string path, string expected)
        {
            Assert.Equal(expected, Set(yaml, path, "v2"));
        }

        [Theory]
        [InlineData("image:\n  repository: nginx\n", "image.tag", "image:\n  repository: nginx\n  tag: v2\n")]
        [InlineData("image:\n    repository: nginx\nother: 1\n", "image.tag", "image:\n    repository: nginx\n    tag: v2\nother: 1\n")]
        [InlineData("a:\n    b: 1\nimage: {}\n", "image.tag", "a:\n    b: 1\nimage: {tag: v2}\n")]
        [InlineData("a:\n    b: 1\n", "image.tag", "a:\n    b: 1\nimage:\n    tag: v2\n")]
        [InlineData("a:\n  b: 1", "image.tag", "a:\n  b: 1\nimage:\n  tag: v2")]
        [InlineData("a:\r\n  b: 1\r\n", "image.tag", "a:\r\n  b: 1\r\nimage:\r\n  tag: v2\r\n")]
        [InlineData("image:\nnext: 1\n", "image.tag", "image:\n  tag: v2\nnext: 1\n")]
        [InlineData("image: ~ # none\nnext: 1\n", "image.tag", "image: # none\n  tag: v2\nnext: 1\n")]
        [InlineData("sub:\n  image:\n    repository: x\n  # trailing comment\nnext: 1\n", "sub.image.tag", "sub:\n  image:\n    repository: x\n    tag: v2\n  # trailing comment\nnext: 1\n")]
        [InlineData("", "image.tag", "image:\n  tag: v2\n")]
        [InlineData("# only a comment\n", "image.tag", "# only a comment\nimage:\n  tag: v2\n")]
        [InlineData("image: {repository: x}\n", "image.tag", "image: {repository: x, tag: v2}\n")]
        [InlineData("image:\n  repository: x\n", "image.tag", "image:\n  repository: x\n  tag: v2\n")]
        public void CreatesMissingKeysInTheFilesIndentation(string yaml, string path, string expected)
        {
            var editor = YamlEditor.Parse(yaml, "values.yaml");
            var change = editor.SetScalar(path, "v2");
            Assert.True(change.Created);
            Assert.Equal(expected, editor.Text);
        }

        [Fact]
        public void NewValueNeedingQuotesIsQuotedWhenCreated()
        {
            Assert.Equal("image:\n  a: 1\n  tag: \"1.10\"\n", Set("image:\n  a: 1\n", "image.tag", "1.10"));
            Assert.Equal("image: {tag: \"1.10\"}\n", Set("image: {}\n", "image.tag", "1.10"));
        }

        [Theory]
        [InlineData("a,b", "[\"a,b\"]")]
        [InlineData("a:b", "[\"a:b\"]")]
        [InlineData("{x}", "[\"{x}\"]")]
        [InlineData("v2", "[v2]")]
        public void FlowItemsAreQuotedWhenFlowSyntaxWouldSplitThem(string value, string expected)
        {
            Assert.Equal("tags: " + expected + "\n", Set("tags: [v1]\n", "tags[0]", value));
        }

        [Fact]
        public void UnchangedValueLeavesTextAlone()
        {
            var editor = YamlEditor.Parse("image:\n  tag: \"v1\"\n", "v.yaml");
            var change = editor.SetScalar("image.tag", "v1");
            Assert.False(change.Changed);
            Assert.False(editor.IsChanged);
            Assert.Equal(string.Empty, editor.Diff());
        }

        [Fact]
        public void BomIsKept()
        {
            var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(System.Text.Encoding.UTF8.GetBytes("image:\n  tag: v1\n"));
            var editor = YamlEditor.FromBytes(bytes, "v.yaml");
            editor.SetScalar("image.tag", "v2");
            Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }.Concat(System.Text.Encoding.UTF8.GetBytes("image:\n  tag: v2\n")), editor.ToBytes());
        }

        [Fact]
        public void AliasEditsTheAnchorOnceAndReportsTheOtherPlaces()
        {
            var yaml = "image: &image\n  repository: loki\n  tag: v1\nloki:\n  image: *image\nother:\n  <<: *image\n";
            var editor = YamlEditor.Parse(yaml, "v.yaml");
            var change = editor.SetScalar("loki.image.tag", "v2");
            Assert.Equal(yaml.Replace("tag: v1", "tag: v2"), editor.Text);
            Assert.Contains("image.tag", change.OtherPlaces);
            Assert.Contains("other.tag", change.OtherPlaces);
            Assert.DoesNotContain("loki.image.tag", change.OtherPlaces);
        }

        [Fact]
        public void EditThroughMergeKeyEditsTheBaseAndNamesTheOthers()
        {
            var yaml = "base: &base\n  tag: v1\n  pull: Always\nweb:\n  <<: *base\n  pull: Never\napi:\n  <<: [*base]\n";
            var editor = YamlEditor.Parse(yaml, "v.yaml");
            var change = editor.SetScalar("web.tag", "v2");
            Assert.Equal(yaml.Replace("tag: v1", "tag: v2"), editor.Text);
            Assert.Equal(new[] { "api.tag", "base.tag" }, change.OtherPlaces.OrderBy(p => p, StringComparer.Ordinal));
        }

        [Fact]
        public void WhitespaceOnlyLinesTrailingBlanksAndOddIndentsSurvive()
        {
            var yaml = "a:   \n      \nimage:\n     tag: v1   # two  spaces  \n   \n     pull:  x  \nz: [ 1,2 ]  \n";
            Assert.Equal(yaml.Replace("tag: v1 ", "tag: v2 "), Set(yaml, "image.tag", "v2"));
        }

        [Fact]
        public void CreatingInsideAnAliasedMappingNamesTheOtherPlaces()
        {
            var editor = YamlEditor.Parse("image: &i\n  repository: x\nsidecar:\n  image: *i\n", "v.yaml");
            var change = editor.SetScalar("image.tag", "v2");
            Assert.Equal("image: &i\n  repository: x\n  tag: v2\nsidecar:\n  image: *i\n", editor.Text);
            Assert.Contains("sidecar.image", change.OtherPlaces);

            editor = YamlEditor.Parse("list: &l\n  - a\nother: *l\n", "v.yaml");
            editor.AppendItem("list", "b");
            Assert.Equal("list: &l\n  - a\n  - b\nother: *l\n", editor.Text);
        }

        [Fact]
        public void ScalarAnchorIsKept()
        {
            var yaml = "port: &p http\nsvc:\n  port: *p\n";
            var editor = YamlEditor.Parse(yaml, "v.yaml");
            var change = editor.SetScalar("svc.port", "https");
            Assert.Equal("port: &p https\nsvc:\n  port: *p\n", editor.Text);
            Assert.Equal(new[] { "port" }, change.OtherPlaces);
        }

        [Theory]
        [InlineData("image: nginx\n", "image.tag", "YamlPathIntoScalar", 1, 8)]
        [InlineData("image:\n- a\n", "image.tag", "YamlPathIntoSequence", 2, 1)]
        [InlineData("images:\n- tag: a\n", "images[3].tag", "YamlIndexOutOfRange", 2, 1)]
        [InlineData("image:\n  tag: a\n  tag: b\n", "image.tag", "YamlDuplicateKey", 3, 3)]
        [InlineData("image:\n  tag: [a\n", "image.tag", "YamlInvalid", 3, 1)]
        [InlineData("a: 1\n b: 2\n", "a", "YamlInvalid", 2, 3)]
        [InlineData("image:\n  tag: v1\n", "image[0]", "YamlPathNotSequence", 2, 3)]
        [InlineData("image:\n  tag: v1\n", "image", "YamlNotScalar", 2, 3)]
        public void StructuralErrorsNameLineAndColumn(string yaml, string path, string errorId, int line, int column)
        {
            var ex = Assert.Throws<YamlEditException>(() => YamlEditor.Parse(yaml, "values.yaml").SetScalar(path, "v2"));
            Assert.Equal(errorId, ex.ErrorId);
            Assert.Equal(line, ex.Line);
            Assert.Equal(column, ex.Column);
            Assert.StartsWith($"values.yaml:{line}:{column}: ", ex.Message);
        }

        [Fact]
        public void AliasBombIsRefused()
        {
            var yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n" +
                "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n" +
                "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\nimage:\n  tag: v1\n";
            var ex = Assert.Throws<YamlEditException>(() => YamlEditor.Parse(yaml, "bomb.yaml"));
            Assert.Equal("YamlAliasBomb", ex.ErrorId);
            Assert.Equal(FailureKind.LimitsExceeded, ex.Kind);
        }

        [Fact]
        public void HugeFileIsRefusedBeforeReading()
        {
            var dir = Directory.CreateTempSubdirectory("yaml-huge").FullName;
            var file = Path.Combine(dir, "values.yaml");
            using (var stream = File.Create(file))
            {
                stream.SetLength(40L * 1024 * 1024);
            }

            var ex = Assert.Throws<YamlEditException>(() => YamlEditor.Load(file));
            Assert.Equal("YamlFileTooLarge", ex.ErrorId);
            Directory.Delete(dir, true);
        }

        [Fact]
        public void NotUtf8IsRefused()
        {
            var ex = Assert.Throws<YamlEditException>(() => YamlEditor.FromBytes(new byte[] { (byte)'a', (byte)':', (byte)' ', 0xE9, (byte)'\n' }, "latin1.yaml"));
            Assert.Equal("YamlNotUtf8", ex.ErrorId);
        }

        [Fact]
        public void SequencesAreAppendedInTheFilesStyle()
        {
            var editor = YamlEditor.Parse("images:\n  - name: a\n    newTag: v1\n", "k.yaml");
            editor.AppendItem("images", new List<KeyValuePair<string, string>> { new("name", "b"), new("newTag", "1.10") });
            Assert.Equal("images:\n  - name: a\n    newTag: v1\n  - name: b\n    newTag: \"1.10\"\n", editor.Text);

            editor = YamlEditor.Parse("resources:\n  - a.yaml\n", "k.yaml");
            editor.AppendItem("images", new List<KeyValuePair<string, string>> { new("name", "b"), new("newTag", "v2") });
            Assert.Equal("resources:\n  - a.yaml\nimages:\n  - name: b\n    newTag: v2\n", editor.Text);

            editor = YamlEditor.Parse("images: [a]\n", "k.yaml");
            editor.AppendItem("images", "b:v2");
            Assert.Equal("images: [a, \"b:v2\"]\n", editor.Text);
        }

        [Fact]
        public void RemoveKeyDropsItsLine()
        {
            var editor = YamlEditor.Parse("images:\n- name: a\n  newTag: v1 # t\n  digest: sha256:1\n- name: b\n", "k.yaml");
            Assert.True(editor.RemoveKey("images[0].newTag"));
            Assert.Equal("images:\n- name: a\n  digest: sha256:1\n- name: b\n", editor.Text);
            editor = YamlEditor.Parse("images:\n- digest: sha256:1\n  name: a\n", "k.yaml");
            Assert.True(editor.RemoveKey("images[0].digest"));
            Assert.Equal("images:\n- name: a\n", editor.Text);
            Assert.False(editor.RemoveKey("images[0].digest"));
        }

        [Fact]
        public void DiffIsUnified()
        {
            var editor = YamlEditor.Parse("a: 1\nb: 2\nc: 3\nd: 4\ne: 5\nimage:\n  tag: v1\nf: 6\n", "values.yaml");
            editor.SetScalar("image.tag", "v2");
            Assert.Equal("--- a/values.yaml\n+++ b/values.yaml\n@@ -4,5 +4,5 @@\n d: 4\n e: 5\n image:\n-  tag: v1\n+  tag: v2\n f: 6\n", editor.Diff());
        }

        [Fact]
        public void DiffMarksMissingFinalNewline()
        {
            var diff = UnifiedDiff.Create("a: 1\ntag: v1", "a: 1\ntag: v2", "v.yaml");
            Assert.Equal("--- a/v.yaml\n+++ b/v.yaml\n@@ -1,2 +1,2 @@\n a: 1\n-tag: v1\n\\ No newline at end of file\n+tag: v2\n\\ No newline at end of file\n", diff);
        }

        [Fact]
        public void DiffScriptRebuildsBothTexts()
        {
            var random = new Random(7);
            for (var round = 0; round < 200; round++)
            {
                var a = Enumerable.Range(0, random.Next(0, 30)).Select(_ => "l" + random.Next(0, 6) + "\n").ToList();
                var b = a.Where(_ => random.Next(0, 4) != 0).Select(l => random.Next(0, 5) == 0 ? "x" + random.Next(0, 6) + "\n" : l).ToList();
                var ops = UnifiedDiff.Compare(a, b);
                Assert.Equal(a, ops.Where(o => o.Kind != '+').Select(o => a[o.A]).ToList());
                Assert.Equal(b, ops.Where(o => o.Kind != '-').Select(o => b[o.B]).ToList());
                Assert.All(ops.Where(o => o.Kind == ' '), o => Assert.Equal(a[o.A], b[o.B]));
            }
        }

        [Fact]
        public void DiffHasSeparateHunksForDistantChanges()
        {
            var a = string.Concat(Enumerable.Range(1, 20).Select(i => $"k{i}: {i}\n"));
            var b = a.Replace("k2: 2\n", "k2: two\n").Replace("k18: 18\n", string.Empty);
            Assert.Equal(
                "--- a/f\n+++ b/f\n@@ -1,5 +1,5 @@\n k1: 1\n-k2: 2\n+k2: two\n k3: 3\n k4: 4\n k5: 5\n@@ -15,6 +15,5 @@\n k15: 15\n k16: 16\n k17: 17\n-k18: 18\n k19: 19\n k20: 20\n",
                UnifiedDiff.Create(a, b, "f"));
        }

        [Fact]
        public void KeyPathSyntax()
        {
            Assert.Equal("images[0].tag", YamlKeyPath.Format(YamlKeyPath.Parse("images[0].tag").Segments));
            Assert.Equal(new[] { "a.b", "c" }, YamlKeyPath.Parse(@"a\.b.c").Segments.Select(s => s.Key));
            Assert.Throws<ImageUpdaterException>(() => YamlKeyPath.Parse("a..b"));
            Assert.Throws<ImageUpdaterException>(() => YamlKeyPath.Parse("a[x]"));
            Assert.Throws<ImageUpdaterException>(() => YamlKeyPath.Parse(""));
        }
    }

    internal static class TestExtensions
    {
        public static TResult Let<T, TResult>(this T value, Func<T, TResult> f) => f(value);

        public static byte[] Concat(this byte[] a, byte[] b)
        {
            var r = new byte[a.Length + b.Length];
            a.CopyTo(r, 0);
            b.CopyTo(r, a.Length);
            return r;
        }
    }
}
