using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using ImageUpdater.Core.WriteBack;
using ImageUpdater.Core.Yaml;
using Xunit;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ImageUpdater.Core.Tests.Yaml
{
    /// <summary>Every real-world values file and kustomization: each image tag edited alone changes exactly that scalar's bytes.</summary>
    public class YamlCorpusTests
    {
        public static TheoryData<string> ValuesFiles() => Files("values-*.yaml");

        public static TheoryData<string> KustomizationFiles() => Files("kustomization-*.yaml");

        [Theory]
        [MemberData(nameof(ValuesFiles))]
        public void EachTagEditChangesOnlyThatScalar(string file)
        {
            var path = SharedData.RealWorld(file);
            var bytes = File.ReadAllBytes(path);
            var text = Encoding.UTF8.GetString(bytes);
            var tags = TagScalars(text).ToList();
            Assert.NotEmpty(tags);
            foreach (var (keyPath, node) in tags)
            {
                foreach (var value in new[] { "9.9.9-corpus", "1.10" })
                {
                    var editor = YamlEditor.FromBytes(bytes, file);
                    var change = editor.SetScalar(keyPath, value);
                    Assert.True(change.Changed, keyPath);
                    AssertOnlyScalarChanged(text, editor.Text, node, value, keyPath);
                    Assert.Equal(value, Reparse(editor.Text, keyPath));
                    Assert.Equal(Encoding.UTF8.GetBytes(editor.Text), editor.ToBytes());
                }

                var same = YamlEditor.FromBytes(bytes, file);
                Assert.False(same.SetScalar(keyPath, node.Value!).Changed);
                Assert.Equal(bytes, same.ToBytes());
            }
        }

        [Theory]
        [MemberData(nameof(KustomizationFiles))]
        public void EachKustomizeImageEditChangesOnlyItsTag(string file)
        {
            var path = SharedData.RealWorld(file);
            var text = File.ReadAllText(path);
            var editor = YamlEditor.Parse(text, file);
            var names = editor.GetItems("images", "name");
            if (names is null)
            {
                // kustomization-03-before has no images: the list is appended in the file's own sequence style.
                var created = new KustomizationTarget().Apply(path, File.ReadAllBytes(path), new[] { new ImageUpdate("nginx", "1.11.13") });
                Assert.Equal(text + "images:\n  - name: nginx\n    newTag: 1.11.13\n", created.NewText);
                return;
            }

            for (var i = 0; i < names.Count; i++)
            {
                var edit = new KustomizationTarget().Apply(path, File.ReadAllBytes(path), new[] { new ImageUpdate(names[i], "9.9.9-corpus") });
                var tagNode = TagScalars(text).FirstOrDefault(t => t.Path == $"images[{i}].newTag").Node;
                var digest = editor.GetScalar($"images[{i}].digest");
                if (digest is not null)
                {
                    // A new tag replaces a digest (which kustomize would otherwise use instead of the tag).
                    Assert.Equal(text.Replace("  digest: " + digest, "  newTag: 9.9.9-corpus"), edit.NewText);
                }
                else if (tagNode is not null)
                {
                    AssertOnlyScalarChanged(text, edit.NewText, tagNode, "9.9.9-corpus", $"images[{i}].newTag");
                }
                else
                {
                    // No newTag yet: exactly one line is added, after the entry's last line, at the entry's key indentation.
                    var oldLines = UnifiedDiff.SplitLines(text);
                    var newLines = UnifiedDiff.SplitLines(edit.NewText);
                    Assert.Equal(oldLines.Count + 1, newLines.Count);
                    var added = newLines.Select((l, n) => (l, n)).First(p => p.n >= oldLines.Count || p.l != oldLines[p.n]);
                    Assert.Equal("  newTag: 9.9.9-corpus", added.l.TrimEnd('\n'));
                    Assert.Equal(oldLines, newLines.Where((_, n) => n != added.n).ToList());
                }

                Assert.Equal("9.9.9-corpus", Reparse(edit.NewText, $"images[{i}].newTag"));
            }
        }

        public static TheoryData<string> SmallFiles()
        {
            var data = new TheoryData<string>();
            if (SharedData.Path is { } root)
            {
                foreach (var file in Directory.GetFiles(Path.Combine(root, "real-world"), "*.yaml").Where(f => new FileInfo(f).Length < 20_000).OrderBy(f => f, StringComparer.Ordinal))
                {
                    data.Add(Path.GetFileName(file));
                }
            }
            else
            {
                data.Add("(corpus absent)");
            }

            return data;
        }

        /// <summary>Every scalar value (null ones too) of every small corpus file, replaced alone: the parsed documents differ in that value only.</summary>
        [Theory]
        [MemberData(nameof(SmallFiles))]
        public void EveryScalarEditLeavesEveryOtherValueAlone(string file)
        {
            var text = File.ReadAllText(SharedData.RealWorld(file));
            var before = Flatten(text);
            foreach (var path in before.Keys)
            {
                var edited = YamlEditor.Parse(text, file);
                edited.SetScalar(path, "x 1.10: #y");
                var after = Flatten(edited.Text);
                Assert.Equal("x 1.10: #y", after[path]);
                foreach (var pair in before)
                {
                    if (pair.Key != path && after[pair.Key] != pair.Value)
                    {
                        // Only other views of the same anchored node may change with it.
                        Assert.Equal("x 1.10: #y", after[pair.Key]);
                    }
                }

                Assert.Equal(before.Count, after.Count);
            }
        }

        /// <summary>Scalar leaves of all documents by key path (the first document holding a path wins, as in the editor).</summary>
        private static Dictionary<string, string?> Flatten(string text)
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            var leaves = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var document in stream.Documents)
            {
                Walk(document.RootNode, new List<YamlPathSegment>());
            }

            return leaves;

            void Walk(YamlNode node, List<YamlPathSegment> path)
            {
                switch (node)
                {
                    case YamlMappingNode mapping:
                        foreach (var entry in mapping.Children)
                        {
                            if (entry.Key is YamlScalarNode key && key.Value != "<<")
                            {
                                Walk(entry.Value, new List<YamlPathSegment>(path) { YamlPathSegment.ForKey(key.Value!) });
                            }
                        }

                        break;
                    case YamlSequenceNode sequence:
                        for (var i = 0; i < sequence.Children.Count; i++)
                        {
                            Walk(sequence.Children[i], new List<YamlPathSegment>(path) { YamlPathSegment.ForIndex(i) });
                        }

                        break;
                    case YamlScalarNode scalar when path.Count > 0:
                        var leaf = YamlKeyPath.Format(path);
                        if (!leaves.ContainsKey(leaf))
                        {
                            leaves[leaf] = scalar.Style == ScalarStyle.Plain && (scalar.Value == "" || scalar.Value == "~" || scalar.Value == "null") ? null : scalar.Value;
                        }

                        break;
                }
            }
        }

        [Fact]
        public void WriteBackPairKeepsWhatUpstreamReformatted()
        {
            var before = File.ReadAllText(SharedData.RealWorld("values-writeback-write-helmvalues-before.yaml"));
            var upstream = File.ReadAllText(SharedData.RealWorld("values-writeback-write-helmvalues-after.yaml"));
            var edit = new HelmValuesTarget().Apply(SharedData.RealWorld("values-writeback-write-helmvalues-before.yaml"),
                new[] { new ImageUpdate(null, "1.27.5") { HelmImageTagKey = "image.tag" } });
            Assert.Equal(before.Replace("tag: 1.27.1  #", "tag: 1.27.5  #"), edit.NewText);
            Assert.NotEqual(upstream, edit.NewText);
            Assert.False(edit.NewText.EndsWith("\n", StringComparison.Ordinal));
            Assert.Equal("1.27.1", edit.Results[0].OldTag);
        }

        [Fact]
        public void AnchoredImageBlockReportsItsAlias()
        {
            var path = SharedData.RealWorld("values-enterprise-logs.yaml");
            var edit = new HelmValuesTarget().Apply(path, new[] { new ImageUpdate(null, "v1.6.0") { HelmImageTagKey = "image.tag" } });
            Assert.Contains("loki-distributed.loki.image.tag", edit.Results[0].Message);
            Assert.Equal(1, UnifiedDiff.SplitLines(edit.Diff).Count(l => l.StartsWith("+ ", StringComparison.Ordinal) || (l.StartsWith("+", StringComparison.Ordinal) && !l.StartsWith("+++", StringComparison.Ordinal))));
        }

        [Fact]
        public void ArgoCDSourceHelmMergesOnlyManagedParameters()
        {
            var path = SharedData.RealWorld("argocd-source-01.yaml");
            var text = File.ReadAllText(path);
            var target = new ArgoCDSourceTarget("guestbook", ArgoCDSourceForm.Helm);
            var edit = target.Apply(path, File.ReadAllBytes(path), new[]
            {
                new ImageUpdate("gcr.io/heptio-images/ks-guestbook-demo", "0.3") { HelmImageNameKey = "image.repository", HelmImageTagKey = "image.tag" },
            });
            Assert.Equal(text.Replace("value: \"0.2\"", "value: \"0.3\""), edit.NewText);
            Assert.Equal("0.2", edit.Results[0].OldTag);
        }

        [Fact]
        public void ArgoCDSourceKustomizeReplacesTheImagesEntry()
        {
            var path = SharedData.RealWorld("argocd-source-02.yaml");
            var text = File.ReadAllText(path);
            var target = new ArgoCDSourceTarget("image-list-kustomize", ArgoCDSourceForm.Kustomize);
            var digest = "sha256:" + new string('a', 64);
            var edit = target.Apply(path, File.ReadAllBytes(path), new[] { new ImageUpdate("docker.io/bitnami/nginx", "latest") { Digest = digest } });
            var lines = text.Split('\n');
            Assert.Equal(text.Replace(lines[3], "  - docker.io/bitnami/nginx:latest@" + digest), edit.NewText);
        }

        private static TheoryData<string> Files(string pattern)
        {
            var data = new TheoryData<string>();
            if (SharedData.Path is { } root)
            {
                foreach (var file in Directory.GetFiles(Path.Combine(root, "real-world"), pattern).OrderBy(f => f, StringComparer.Ordinal))
                {
                    data.Add(Path.GetFileName(file));
                }
            }
            else
            {
                data.Add("(corpus absent)");
            }

            return data;
        }

        /// <summary>Scalars under a key named tag or newTag, with their Helm key paths (found by YamlDotNet's representation model).</summary>
        private static IEnumerable<(string Path, YamlScalarNode Node)> TagScalars(string text)
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            var seen = new HashSet<YamlNode>();
            foreach (var document in stream.Documents)
            {
                foreach (var found in Walk(document.RootNode, new List<string>()))
                {
                    if (seen.Add(found.Node))
                    {
                        yield return found;
                    }
                }
            }

            IEnumerable<(string Path, YamlScalarNode Node)> Walk(YamlNode node, List<string> path)
            {
                if (node is YamlMappingNode mapping)
                {
                    foreach (var entry in mapping.Children)
                    {
                        var key = ((YamlScalarNode)entry.Key).Value!;
                        var next = new List<string>(path) { (path.Count == 0 ? string.Empty : ".") + YamlKeyPath.Format(new[] { YamlPathSegment.ForKey(key) }) };
                        if ((key == "tag" || key == "newTag") && entry.Value is YamlScalarNode scalar && scalar.Tag.IsEmpty && scalar.Anchor.IsEmpty)
                        {
                            yield return (string.Concat(next), scalar);
                        }

                        foreach (var inner in Walk(entry.Value, next))
                        {
                            yield return inner;
                        }
                    }
                }
                else if (node is YamlSequenceNode sequence)
                {
                    for (var i = 0; i < sequence.Children.Count; i++)
                    {
                        foreach (var inner in Walk(sequence.Children[i], new List<string>(path) { $"[{i}]" }))
                        {
                            yield return inner;
                        }
                    }
                }
            }
        }

        /// <summary>The new text is the old one with the scalar's own text (and nothing else) replaced by the value in the scalar's quoting style.</summary>
        private static void AssertOnlyScalarChanged(string oldText, string newText, YamlScalarNode node, string value, string keyPath)
        {
            var start = (int)node.Start.Index;
            var end = (int)node.End.Index;
            string expected;
            if (start == end)
            {
                expected = " " + YamlScalarText.Render(value, ScalarStyle.Plain, false);
            }
            else
            {
                var style = node.Style == ScalarStyle.Plain && !YamlScalarText.IsSafePlain(value, false) ? ScalarStyle.DoubleQuoted : node.Style;
                expected = style switch
                {
                    ScalarStyle.SingleQuoted => "'" + value + "'",
                    ScalarStyle.DoubleQuoted => "\"" + value + "\"",
                    _ => value,
                };
            }

            Assert.True(newText == oldText.Substring(0, start) + expected + oldText.Substring(end), $"{keyPath}: more than the scalar at {node.Start} changed");
        }

        private static string? Reparse(string text, string keyPath)
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            foreach (var document in stream.Documents)
            {
                YamlNode? node = document.RootNode;
                foreach (var segment in YamlKeyPath.Parse(keyPath).Segments)
                {
                    node = segment.IsIndex
                        ? (node as YamlSequenceNode)?.Children.ElementAtOrDefault(segment.Index)
                        : (node as YamlMappingNode)?.Children.TryGetValue(new YamlScalarNode(segment.Key), out var child) == true ? child : null;
                }

                if (node is YamlScalarNode scalar)
                {
                    return scalar.Value;
                }
            }

            return null;
        }
    }
}
