using System.Linq;
using System.Text;
using ImageUpdater.Core;
using ImageUpdater.Core.WriteBack;
using ImageUpdater.Core.Yaml;
using Xunit;

namespace ImageUpdater.Core.Tests.Yaml
{
    /// <summary>Issue 15's YAML items: the fuzz tier's findings, shared values (item 10) and block scalars at the end of a file (item 16).</summary>
    public sealed class Issue15YamlTests
    {
        [Fact]
        public void TheManifestReaderTakesALeadingByteOrderMarkAsNoContent()
        {
            // Fuzz seed 20261130 case 5532: the reader kept U+FEFF in the first key, so the oracle looked in the wrong document.
            var documents = YamlObjectReader.Read("\uFEFFimage:\r\n  tag: 1.0.0\r\n\r\n---\nimage: &img\n  tag: 0.9\nother: *img\n\nother: value\r\n", "bom.yaml");
            Assert.True(((System.Collections.Generic.Dictionary<string, object?>)documents[0]!).ContainsKey("image"));
        }

        [Fact]
        public void FuzzCase5532CreatesTheKeyInTheFirstDocumentOnly()
        {
            var text = "image:\r\n  tag: 1.0.0\r\n\r\n---\nimage: &img\n  tag: 0.9\nother: *img\n\nother: value\r\n";
            var editor = YamlEditor.Parse("\uFEFF" + text);
            var change = editor.SetScalar("image.new2", "1.10");
            Assert.True(change.Created);
            Assert.Empty(change.OtherPlaces);
            Assert.Equal("image:\r\n  tag: 1.0.0\r\n  new2: \"1.10\"\r\n\r\n---\nimage: &img\n  tag: 0.9\nother: *img\n\nother: value\r\n", editor.Text);
        }

        [Fact]
        public void FuzzCase24297AKeyWhoseValueYamlDotNetDropsIsRefusedByEditorAndReader()
        {
            // "  : *defaults": YamlDotNet ends the mapping after the empty key and loses the alias; other parsers read a value.
            var text = "defaults: &defaults\n  tag: 1.0.0\napp1:\n  : *defaults\nimage:\n  tag: 1.0.0\n";
            Assert.Equal("YamlInvalid", Assert.ThrowsAny<ImageUpdaterException>(() => YamlEditor.Parse(text)).ErrorId);
            Assert.Equal("InvalidYaml", Assert.ThrowsAny<ImageUpdaterException>(() => YamlObjectReader.Read(text, "m.yaml")).ErrorId);
        }

        [Fact]
        public void FuzzCase33631AKeyCreatedAfterAnEmptyValueStaysInItsDocument()
        {
            var editor = YamlEditor.Parse("---\nimae:\n?  tag: 1.0.0\n...\n");
            editor.SetScalar("image.tag", "v1");
            Assert.Equal("---\nimae:\n?  tag: 1.0.0\nimage:\n  tag: v1\n...\n", editor.Text);
            Assert.Single(YamlObjectReader.Read(editor.Text, "t"));
        }

        [Theory]
        // Fuzz seed 20261130 case 140995: a flow-mapping key with no ':' has an empty value; writing it must not rename the key.
        [InlineData("image: {repository: nginx, tag,: 1.0.0}\n", "image: {repository: nginx, tag: v1,: 1.0.0}\n")]
        [InlineData("image: {repository: nginx, tag}\n", "image: {repository: nginx, tag: v1}\n")]
        [InlineData("image: {repository: nginx, tag: }\n", "image: {repository: nginx, tag: v1}\n")]
        public void FuzzCase140995AFlowKeyWithoutAColonGetsOne(string before, string after)
        {
            var editor = YamlEditor.Parse(before);
            editor.SetScalar("image.tag", "v1");
            Assert.Equal(after, editor.Text);
        }

        [Theory]
        // Fuzz seed 20261130 case 8434: the value of an empty tagged scalar went past the line break, onto a line of its own.
        [InlineData("image:\n  repository: nginx\n  tag: !1.0.0\n", "image:\n  repository: nginx\n  tag: !1.0.0 2.0.0-rc.1\n")]
        [InlineData("image:\n  tag: &t\nnext: 1\n", "image:\n  tag: &t 2.0.0-rc.1\nnext: 1\n")]
        [InlineData("image:\n  tag: !t # why\nnext: 1\n", "image:\n  tag: !t 2.0.0-rc.1 # why\nnext: 1\n")]
        public void AnEmptyValueAfterAnAnchorOrTagIsWrittenRightAfterThem(string before, string after)
        {
            var editor = YamlEditor.Parse(before);
            editor.SetScalar("image.tag", "2.0.0-rc.1");
            Assert.Equal(after, editor.Text);
            Assert.Equal("2.0.0-rc.1", ((System.Collections.Generic.Dictionary<string, object?>)((System.Collections.Generic.Dictionary<string, object?>)YamlObjectReader.Read(editor.Text, "t")[0]!)["image"]!)["tag"]);
        }

        [Theory]
        // Item 16: clip chomping at the end of a file without a final line break: strip reads the same value once a line follows.
        [InlineData("image:\n  script: |\n    echo hi", "image.new", "image:\n  script: |-\n    echo hi\n  new: v1")]
        [InlineData("script: >\n  echo hi", "image.tag", "script: >-\n  echo hi\nimage:\n  tag: v1")]
        [InlineData("script: |2\n   echo hi", "image.tag", "script: |-2\n   echo hi\nimage:\n  tag: v1")]
        [InlineData("script: |+\n  echo hi", "image.tag", "script: |-\n  echo hi\nimage:\n  tag: v1")]
        [InlineData("script: |-\n  echo hi", "image.tag", "script: |-\n  echo hi\nimage:\n  tag: v1")]
        [InlineData("script: |\r\n  echo hi", "image.tag", "script: |-\r\n  echo hi\r\nimage:\r\n  tag: v1")]
        // A keep scalar's trailing line breaks are its value: new lines go after them.
        [InlineData("image:\n  script: |+\n    echo hi\n\n\nother: 1\n", "image.new", "image:\n  script: |+\n    echo hi\n\n\n  new: v1\nother: 1\n")]
        // With a final line break nothing needs to change but the new lines.
        [InlineData("image:\n  script: |\n    echo hi\n", "image.new", "image:\n  script: |\n    echo hi\n  new: v1\n")]
        public void ABlockScalarKeepsItsValueWhenAKeyIsCreatedAfterIt(string before, string key, string after)
        {
            var editor = YamlEditor.Parse(before);
            var script = ScriptOf(before);
            editor.SetScalar(key, "v1");
            Assert.Equal(after, editor.Text);
            Assert.Equal(script, ScriptOf(editor.Text));
        }

        [Fact]
        public void AnItemAppendedAfterABlockScalarEndingTheFileKeepsItsValue()
        {
            var editor = YamlEditor.Parse("list:\n- |\n  echo hi");
            editor.AppendItem("list", "b");
            Assert.Equal("list:\n- |-\n  echo hi\n- b", editor.Text);
            var list = (System.Collections.Generic.List<object?>)((System.Collections.Generic.Dictionary<string, object?>)YamlObjectReader.Read(editor.Text, "t")[0]!)["list"]!;
            Assert.Equal(new object?[] { "echo hi", "b" }, list);
        }

        [Fact]
        public void AKeepScalarWhoseLastLineHoldsOnlyBlanksGetsTheNewLinesBeforeThatLine()
        {
            var editor = YamlEditor.Parse("script: |+\n  echo hi\n\n  ");
            editor.SetScalar("image.tag", "v1");
            Assert.Equal("script: |+\n  echo hi\n\nimage:\n  tag: v1\n  ", editor.Text);
            Assert.Equal("echo hi\n\n", ScriptOf(editor.Text));
        }

        [Fact]
        public void SetOwnScalarOverridesAKeyAMergeKeyBrings()
        {
            var editor = YamlEditor.Parse("defaults: &defaults\n  repository: nginx\n  tag: 1.0.0\napp1:\n  <<: *defaults\napp2:\n  <<: *defaults\n");
            var change = editor.SetOwnScalar("app1.tag", "2.0.0");
            Assert.Equal("defaults: &defaults\n  repository: nginx\n  tag: 1.0.0\napp1:\n  <<: *defaults\n  tag: 2.0.0\napp2:\n  <<: *defaults\n", editor.Text);
            Assert.Equal("1.0.0", change.OldValue);
            Assert.Equal(new[] { "app2.tag", "defaults.tag" }, change.Overrides.OrderBy(p => p, System.StringComparer.Ordinal).ToArray());
            Assert.Equal("1.0.0", editor.GetScalar("app2.tag"));
        }

        [Theory]
        [InlineData("defaults: &d\n  tag: 1.0.0\napp1: *d\n", "app1.tag")]
        [InlineData("defaults: &d\n  image:\n    tag: 1.0.0\napp1:\n  <<: *d\napp2:\n  <<: *d\n", "app1.image.tag")]
        [InlineData("base: &b\n  app1:\n    <<: &d {tag: 1.0.0}\ncopy: *b\n", "base.app1.tag")]
        public void SetOwnScalarSetsAValueSharedAnyOtherWayAsItStands(string text, string key)
        {
            var editor = YamlEditor.Parse(text);
            var change = editor.SetOwnScalar(key, "2.0.0");
            Assert.Empty(change.Overrides);
            Assert.NotEmpty(change.OtherPlaces);
        }

        [Fact]
        public void AKeyCreatedInAFileWithAliasesNamesNoOtherPlaceUnlessItsMappingIsShared()
        {
            var own = YamlEditor.Parse("defaults: &d\n  tag: 1.0.0\nother: *d\nimage:\n  tag: 1.0.0\n").SetScalar("image.name", "nginx");
            Assert.Empty(own.OtherPlaces);
            var shared = YamlEditor.Parse("defaults: &d\n  tag: 1.0.0\nother: *d\n").SetScalar("defaults.name", "nginx");
            Assert.Equal(new[] { "other" }, shared.OtherPlaces);
        }

        [Fact]
        public void GitWriteBackOverridesAMergedKeyAndRefusesOtherSharedValuesUnlessAllowed()
        {
            var merged = Encoding.UTF8.GetBytes("defaults: &defaults\n  tag: 1.0.0\napp1:\n  <<: *defaults\n");
            var update = new[] { new ImageUpdate("nginx", "2.0.0") { HelmImageTagKey = "app1.tag", Application = "a" } };
            var edit = new HelmValuesTarget { SharedValues = SharedValuePolicy.Override }.Apply("values.yaml", merged, update);
            Assert.Equal("defaults: &defaults\n  tag: 1.0.0\napp1:\n  <<: *defaults\n  tag: 2.0.0\n", edit.NewText);
            var result = Assert.Single(edit.Results);
            Assert.Equal(new[] { "app1.tag" }, result.OverrideKeys);
            Assert.Equal(new[] { "defaults.tag" }, result.SharedPlaces);
            Assert.Empty(result.CreatedKeys);

            var aliased = Encoding.UTF8.GetBytes("defaults: &defaults\n  tag: 1.0.0\napp1: *defaults\n");
            var refused = Assert.ThrowsAny<ImageUpdaterException>(() => new HelmValuesTarget { SharedValues = SharedValuePolicy.Override }.Apply("values.yaml", aliased, update));
            Assert.Equal("WriteBackSharedValue", refused.ErrorId);
            Assert.Contains("-AllowSharedValueEdit", refused.Message);

            var allowed = new HelmValuesTarget { SharedValues = SharedValuePolicy.Edit }.Apply("values.yaml", aliased, update);
            Assert.Equal("defaults: &defaults\n  tag: 2.0.0\napp1: *defaults\n", allowed.NewText);
            Assert.Equal(new[] { "defaults.tag" }, Assert.Single(allowed.Results).SharedPlaces);
        }

        private static object? ScriptOf(string text)
        {
            var document = YamlObjectReader.Read(text, "t")[0] as System.Collections.Generic.Dictionary<string, object?>;
            if (document is null)
            {
                return null;
            }

            return document.TryGetValue("script", out var top) ? top
                : document.TryGetValue("image", out var image) && image is System.Collections.Generic.Dictionary<string, object?> m && m.TryGetValue("script", out var inner) ? inner : null;
        }
    }
}
