using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ImageUpdater.Core.Yaml
{
    /// <summary>
    /// Reads untrusted YAML (Application manifests) into plain objects: <c>Dictionary&lt;string, object?&gt;</c>,
    /// <c>List&lt;object?&gt;</c>, string scalars and null, with the editor's limits on size, depth and alias expansion, so a
    /// hostile file fails alone instead of overflowing the stack or filling memory. An alias shares the node it names.
    /// </summary>
    internal static class YamlObjectReader
    {
        /// <summary>The text of a file, refusing one longer than the limit without reading it all (a device or a huge file).</summary>
        public static string ReadFile(string file)
        {
            using var reader = new StreamReader(file, detectEncodingFromByteOrderMarks: true);
            var text = new StringBuilder();
            var buffer = new char[64 * 1024];
            int read;
            while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
            {
                text.Append(buffer, 0, read);
                if (text.Length > YamlTreeReader.MaxChars)
                {
                    throw TooLarge(file);
                }
            }

            return text.ToString();
        }

        /// <summary>The documents of a YAML stream; each is a mapping, a sequence, a string or null.</summary>
        public static List<object?> Read(string text, string origin)
        {
            if (text.Length > YamlTreeReader.MaxChars)
            {
                throw TooLarge(origin);
            }

            var documents = new List<object?>();
            var stack = new List<Frame>();
            var anchors = new Dictionary<string, Anchored>(StringComparer.Ordinal);
            object? root = null;
            var at = Mark.Empty;
            // A byte order mark at the start of the stream is not content (YAML 1.2 §5.2); YamlDotNet would read it into the first key.
            var parser = new Parser(new StringReader(text.Length > 0 && text[0] == '\uFEFF' ? text.Substring(1) : text));
            try
            {
                while (Next())
                {
                    var e = parser.Current!;
                    at = e.Start;
                    switch (e)
                    {
                        case DocumentStart:
                            anchors.Clear();
                            root = null;
                            break;
                        case DocumentEnd:
                            documents.Add(root);
                            break;
                        case Scalar s:
                            string? value = IsNull(s) ? null : s.Value;
                            if (!s.Anchor.IsEmpty)
                            {
                                anchors[s.Anchor.Value] = new Anchored(value, 1, complete: true);
                            }

                            Add(value, 1);
                            break;
                        case AnchorAlias a:
                            if (!anchors.TryGetValue(a.Value.Value, out var target))
                            {
                                throw Failure("InvalidYaml", $"not valid YAML: the alias *{a.Value.Value} names no anchor defined before it in this document.");
                            }

                            if (!target.Complete)
                            {
                                throw Failure("InvalidYaml", $"the alias *{a.Value.Value} refers to a node that contains it; recursive YAML is refused.");
                            }

                            Add(target.Node, target.Size);
                            break;
                        case MappingStart m:
                            Push(new Dictionary<string, object?>(StringComparer.Ordinal), m.Anchor);
                            break;
                        case SequenceStart q:
                            Push(new List<object?>(), q.Anchor);
                            break;
                        case MappingEnd:
                        case SequenceEnd:
                            var frame = stack[stack.Count - 1];
                            if (frame.HasKey)
                            {
                                // YamlDotNet drops the alias of "  : *a" and ends the mapping after its key; other parsers read a value there.
                                throw Failure("InvalidYaml", "not valid YAML as every parser reads it: a mapping key has no value.");
                            }

                            stack.RemoveAt(stack.Count - 1);
                            if (frame.Anchor is not null)
                            {
                                anchors[frame.Anchor] = new Anchored(frame.Node, frame.Size, complete: true);
                            }

                            Add(frame.Node, frame.Size);
                            break;
                    }
                }
            }
            catch (YamlException ex)
            {
                throw new ImageUpdaterException("InvalidYaml", FailureKind.InvalidData, $"{origin}:{ex.Start.Line}:{ex.Start.Column}: not valid YAML: {Innermost(ex).Message}", origin, ex);
            }

            return documents;

            bool Next()
            {
                try
                {
                    return parser.MoveNext();
                }
                catch (InvalidOperationException ex)
                {
                    // YamlDotNet throws this (not a YamlException) for some unclosed flow collections.
                    throw new ImageUpdaterException("InvalidYaml", FailureKind.InvalidData, $"{origin}:{at.Line}:{at.Column}: not valid YAML: {ex.Message}", origin, ex);
                }
            }

            void Push(object node, AnchorName anchor)
            {
                if (stack.Count >= YamlTreeReader.MaxDepth)
                {
                    throw Failure("YamlTooDeep", $"collections nest more than {YamlTreeReader.MaxDepth} levels deep; the file is refused.");
                }

                var name = anchor.IsEmpty ? null : anchor.Value;
                if (name is not null)
                {
                    anchors[name] = new Anchored(node, 1, complete: false);
                }

                stack.Add(new Frame(node, name));
            }

            void Add(object? node, long size)
            {
                if (stack.Count == 0)
                {
                    root = node;
                    return;
                }

                var top = stack[stack.Count - 1];
                top.Size += size;
                if (top.Size > YamlTreeReader.MaxExpandedNodes)
                {
                    throw Failure("YamlAliasBomb", $"expanding its aliases gives more than {YamlTreeReader.MaxExpandedNodes:N0} nodes (an alias bomb); the file is refused.");
                }

                if (top.Node is List<object?> list)
                {
                    list.Add(node);
                }
                else if (!top.HasKey)
                {
                    // A key that is itself a collection cannot name an Application field: its entry is dropped.
                    top.Key = node is null ? string.Empty : node as string;
                    top.HasKey = true;
                }
                else
                {
                    if (top.Key is not null)
                    {
                        ((Dictionary<string, object?>)top.Node)[top.Key] = node;
                    }

                    top.HasKey = false;
                }
            }

            ImageUpdaterException Failure(string id, string message) =>
                new ImageUpdaterException(id, FailureKind.InvalidData, $"{origin}:{at.Line}:{at.Column}: {message}", origin);
        }

        private static bool IsNull(Scalar s) =>
            (s.Tag.IsGlobal && s.Tag.Value == "tag:yaml.org,2002:null")
            || (s.Style == ScalarStyle.Plain && (s.Value.Length == 0 || s.Value == "~" || s.Value == "null" || s.Value == "Null" || s.Value == "NULL"));

        private static ImageUpdaterException TooLarge(string origin) =>
            new ImageUpdaterException("YamlFileTooLarge", FailureKind.InvalidData, $"{origin}: the file has more than {YamlTreeReader.MaxChars:N0} characters; the file is refused.", origin);

        private static Exception Innermost(Exception ex)
        {
            while (ex.InnerException is YamlException inner)
            {
                ex = inner;
            }

            return ex;
        }

        private sealed class Frame
        {
            public Frame(object node, string? anchor)
            {
                Node = node;
                Anchor = anchor;
            }

            public object Node { get; }

            public string? Anchor { get; }

            /// <summary>Nodes below this one once aliases are expanded, itself included.</summary>
            public long Size { get; set; } = 1;

            public bool HasKey { get; set; }

            public string? Key { get; set; }
        }

        private readonly struct Anchored
        {
            public Anchored(object? node, long size, bool complete)
            {
                Node = node;
                Size = size;
                Complete = complete;
            }

            public object? Node { get; }

            public long Size { get; }

            public bool Complete { get; }
        }
    }
}
