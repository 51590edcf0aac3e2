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
            // Sized from the file (a manifest is a few kB), and a buffer below the large-object heap's 85 kB, as every file pays for it.
            var length = reader.BaseStream.CanSeek ? reader.BaseStream.Length : 0;
            // Capped: a file over the limit must not reserve the limit's memory before it is refused.
            var text = new StringBuilder((int)Math.Min(Math.Max(length, 16), 1024 * 1024));
            var buffer = new char[length is > 0 and < 8 * 1024 ? length : 8 * 1024];
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

        /// <summary>
        /// The documents of a YAML stream; each is a mapping, a sequence, a string or null. With <paramref name="keep"/> only those
        /// paths are built (an anchored node is always built whole, as an alias may use it anywhere); limits and errors are the same.
        /// </summary>
        public static List<object?> Read(string text, string origin, YamlKeep? keep = null)
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

                            Add(value, 1, built: true);
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

                            Add(target.Node, target.Size, built: true);
                            break;
                        case MappingStart m:
                            Push(m.Anchor, mapping: true);
                            break;
                        case SequenceStart q:
                            Push(q.Anchor, mapping: false);
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

                            Add(frame.Node, frame.Size, built: frame.Node is not null);
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

            void Push(AnchorName anchor, bool mapping)
            {
                if (stack.Count >= YamlTreeReader.MaxDepth)
                {
                    throw Failure("YamlTooDeep", $"collections nest more than {YamlTreeReader.MaxDepth} levels deep; the file is refused.");
                }

                var name = anchor.IsEmpty ? null : anchor.Value;
                var wanted = Wanted(out var below);
                if (name is not null)
                {
                    wanted = true;
                    below = null;
                }

                object? node = !wanted ? null : mapping ? new Dictionary<string, object?>(StringComparer.Ordinal) : new List<object?>();
                if (name is not null)
                {
                    anchors[name] = new Anchored(node, 1, complete: false);
                }

                stack.Add(new Frame(node, name, mapping) { Keep = below });
            }

            // Whether the node starting now is built, and the filter below it: keys always are, values as the filter says.
            bool Wanted(out YamlKeep? below)
            {
                below = keep;
                if (stack.Count == 0)
                {
                    return true;
                }

                var top = stack[stack.Count - 1];
                below = top.Keep;
                if (top.Node is null)
                {
                    return false;
                }

                if (top.Keep is null || top.Node is List<object?>)
                {
                    return true;
                }

                // A collection as a key names no field and is dropped, so it need not be built; a value is built if its key is kept.
                return top.HasKey && top.Keep.Keeps(top.Key, out below);
            }

            void Add(object? node, long size, bool built)
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
                else if (top.Node is null)
                {
                    // An unbuilt mapping or sequence only counts its nodes.
                    top.HasKey = !top.HasKey && top.IsMapping;
                }
                else if (!top.HasKey)
                {
                    // A key that is itself a collection cannot name an Application field: its entry is dropped.
                    top.Key = !built ? null : node is null ? string.Empty : node as string;
                    top.HasKey = true;
                }
                else
                {
                    if (top.Key is not null && built && (top.Keep is null || top.Keep.Keeps(top.Key, out _)))
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
            public Frame(object? node, string? anchor, bool isMapping)
            {
                Node = node;
                Anchor = anchor;
                IsMapping = isMapping;
            }

            /// <summary>The dictionary or list built, or null for a node the filter leaves out.</summary>
            public object? Node { get; }

            public bool IsMapping { get; }

            /// <summary>The filter below this node; null = everything.</summary>
            public YamlKeep? Keep { get; set; }

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
