using System;
using System.Collections.Generic;
using System.IO;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ImageUpdater.Core.Yaml
{
    /// <summary>Reads text into <see cref="SpanDocument"/>s whose nodes know their offsets, refusing what is unsafe to handle.</summary>
    internal static class YamlTreeReader
    {
        /// <summary>Larger files are refused: no values file comes near it, and it bounds memory.</summary>
        public const int MaxChars = 16 * 1024 * 1024;

        /// <summary>Nodes a document may have once aliases are expanded (a "billion laughs" file has ~10^9).</summary>
        public const long MaxExpandedNodes = 1_000_000;

        public const int MaxDepth = 256;

        public static List<SpanDocument> Read(string text, string file)
        {
            if (text.Length > MaxChars)
            {
                throw new YamlEditException("YamlFileTooLarge", FailureKind.LimitsExceeded, file, 0, 0,
                    $"The file has {text.Length:N0} characters, more than the {MaxChars:N0} this editor accepts; edit it by hand or split it.");
            }

            YamlTextCheck.RefuseUnreadable(text, file);
            var documents = new List<SpanDocument>();
            var nodes = 0L;
            var parser = new Parser(new StringReader(text));
            var stack = new List<SpanNode>();
            var pendingKey = new List<SpanNode?>();
            var anchors = new Dictionary<string, SpanNode>(StringComparer.Ordinal);
            SpanDocument? document = null;
            try
            {
                while (parser.MoveNext())
                {
                    var e = parser.Current!;
                    switch (e)
                    {
                        case DocumentStart:
                            document = new SpanDocument { Index = documents.Count };
                            documents.Add(document);
                            anchors.Clear();
                            nodes = 0;
                            break;
                        case Scalar s:
                            var scalar = new SpanScalar { Value = s.Value, Style = s.Style };
                            Place(scalar, e, s.Anchor.IsEmpty ? null : s.Anchor.Value);
                            scalar.ValueStart = s.Anchor.IsEmpty && s.Tag.IsEmpty ? scalar.Start : SkipProperties(text, scalar.Start, scalar.End);
                            if (scalar.ValueStart < scalar.Start || (scalar.ValueStart == scalar.End && s.Value.Length == 0))
                            {
                                // An empty value after an anchor or tag ("key: !t", "key: &a"): it is right after them, not past the line break.
                                scalar.ValueStart = Math.Abs(scalar.ValueStart);
                                scalar.End = scalar.ValueStart;
                            }

                            scalar.ContentEnd = s.Style == ScalarStyle.Literal || s.Style == ScalarStyle.Folded ? TrimEnd(text, scalar.ValueStart, scalar.End) : scalar.End;
                            Attach(scalar);
                            break;
                        case AnchorAlias a:
                            if (!anchors.TryGetValue(a.Value.Value, out var target))
                            {
                                throw Error("YamlUnknownAlias", e.Start, $"The alias *{a.Value.Value} names no anchor defined before it in this document; fix the file.");
                            }

                            if (stack.Contains(target))
                            {
                                throw Error("YamlRecursiveAlias", e.Start, $"The alias *{a.Value.Value} refers to a node that contains it; recursive YAML is refused.");
                            }

                            var alias = new SpanAlias(a.Value.Value, target) { ExpandedSize = target.ExpandedSize };
                            Place(alias, e, null);
                            alias.ContentEnd = alias.End;
                            document!.Aliases.Add(alias);
                            Attach(alias);
                            break;
                        case MappingStart m:
                            var mapping = new SpanMapping { IsFlow = m.Style == MappingStyle.Flow };
                            Place(mapping, e, m.Anchor.IsEmpty ? null : m.Anchor.Value);
                            Attach(mapping);
                            Push(mapping, e.Start);
                            break;
                        case SequenceStart q:
                            var sequence = new SpanSequence { IsFlow = q.Style == SequenceStyle.Flow };
                            Place(sequence, e, q.Anchor.IsEmpty ? null : q.Anchor.Value);
                            Attach(sequence);
                            Push(sequence, e.Start);
                            break;
                        case MappingEnd:
                        case SequenceEnd:
                            Pop(e);
                            break;
                    }
                }
            }
            catch (YamlException ex)
            {
                throw new YamlEditException("YamlInvalid", FailureKind.InvalidData, file, (int)ex.Start.Line, (int)ex.Start.Column,
                    "The file is not valid YAML (" + Reason(ex) + "); it was left untouched. Fix the YAML and try again.", ex);
            }
            catch (InvalidOperationException ex)
            {
                // YamlDotNet's scanner throws this (not a YamlException) for some unclosed flow collections (found by YamlFuzzTests).
                throw new YamlEditException("YamlInvalid", FailureKind.InvalidData, file, 0, 0,
                    "The file is not valid YAML (an unclosed flow collection); it was left untouched. Fix the YAML and try again.", ex);
            }

            YamlTextCheck.RefuseTabIndentation(text, documents, file);
            return documents;

            void Place(SpanNode node, ParsingEvent e, string? anchor)
            {
                nodes++;
                node.Start = (int)e.Start.Index;
                node.End = (int)e.End.Index;
                node.Line = (int)e.Start.Line;
                node.Column = (int)e.Start.Column;
                node.Anchor = anchor;
                node.InFlow = stack.Count > 0 && (stack[stack.Count - 1] is SpanMapping { IsFlow: true } || stack[stack.Count - 1] is SpanSequence { IsFlow: true });
                if (anchor is not null)
                {
                    anchors[anchor] = node;
                }
            }

            void Attach(SpanNode node)
            {
                if (stack.Count == 0)
                {
                    document!.Root = node;
                    CheckSize(node, null);
                    return;
                }

                var top = stack.Count - 1;
                node.Parent = stack[top];
                if (stack[top] is SpanMapping mapping)
                {
                    var key = pendingKey[top];
                    if (key is null)
                    {
                        pendingKey[top] = node;
                    }
                    else
                    {
                        node.Segment = YamlPathSegment.ForKey((key as SpanScalar)?.Value ?? "?");
                        mapping.Entries.Add(new SpanEntry(key, node));
                        pendingKey[top] = null;
                    }
                }
                else
                {
                    var sequence = (SpanSequence)stack[top];
                    node.Segment = YamlPathSegment.ForIndex(sequence.Items.Count);
                    sequence.Items.Add(node);
                }
            }

            void Push(SpanNode node, Mark start)
            {
                if (stack.Count >= MaxDepth)
                {
                    throw Error("YamlTooDeep", start, $"The file nests collections more than {MaxDepth} levels deep; this editor refuses it.");
                }

                stack.Add(node);
                pendingKey.Add(null);
            }

            void Pop(ParsingEvent e)
            {
                var node = stack[stack.Count - 1];
                if (pendingKey[pendingKey.Count - 1] is { } orphan)
                {
                    // YamlDotNet drops the alias of "  : *a" and ends the mapping after its key; other parsers read a value there.
                    throw new YamlEditException("YamlInvalid", FailureKind.InvalidData, file, orphan.Line, orphan.Column, "The file is not valid YAML as every parser reads it (a mapping key here has no value); it was left untouched. Fix the YAML and try again.");
                }

                stack.RemoveAt(stack.Count - 1);
                pendingKey.RemoveAt(pendingKey.Count - 1);
                node.End = (int)e.End.Index;
                long size = 1;
                SpanNode? last = null;
                if (node is SpanMapping mapping)
                {
                    foreach (var entry in mapping.Entries)
                    {
                        size += entry.Key.ExpandedSize + entry.Value.ExpandedSize;
                        last = entry.Value;
                    }

                    if (mapping.IsFlow)
                    {
                        mapping.Close = (int)e.Start.Index;
                    }
                }
                else
                {
                    var sequence = (SpanSequence)node;
                    foreach (var item in sequence.Items)
                    {
                        size += item.ExpandedSize;
                        last = item;
                    }

                    if (sequence.IsFlow)
                    {
                        sequence.Close = (int)e.Start.Index;
                    }
                }

                var flow = node is SpanMapping { IsFlow: true } || node is SpanSequence { IsFlow: true };
                node.ContentEnd = flow ? (int)e.Start.Index + 1 : last?.ContentEnd ?? node.Start;
                node.ExpandedSize = size;
                CheckSize(node, e);
            }

            void CheckSize(SpanNode node, ParsingEvent? e)
            {
                // What aliases add beyond the nodes actually written: a large flat file is no bomb.
                if (node.ExpandedSize > MaxExpandedNodes + nodes)
                {
                    throw new YamlEditException("YamlAliasBomb", FailureKind.LimitsExceeded, file, node.Line, node.Column,
                        $"Expanding the aliases of this node gives more than {MaxExpandedNodes:N0} nodes (an alias bomb); the file is refused and left untouched.");
                }
            }

            YamlEditException Error(string id, Mark at, string message) =>
                new YamlEditException(id, FailureKind.InvalidData, file, (int)at.Line, (int)at.Column, message);
        }

        private static string Reason(YamlException ex)
        {
            // YamlDotNet prefixes its message with the marks, which the exception already gives.
            var message = ex.Message;
            var close = message.IndexOf("): ", StringComparison.Ordinal);
            return close >= 0 && message.StartsWith("(", StringComparison.Ordinal) ? message.Substring(close + 3) : message;
        }

        /// <summary>Skips anchor and tag (and the blanks, breaks and comments between them) before a scalar's text.</summary>
        /// <summary>
        /// Where a node's own text starts after its anchor and tag (and blanks and comments); when nothing follows them before
        /// <paramref name="end"/>, the end of the last property, negated, so an empty value can go right after it.
        /// </summary>
        private static int SkipProperties(string text, int start, int end)
        {
            var i = start;
            var afterProperty = start;
            while (i < end)
            {
                var c = text[i];
                if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
                {
                    i++;
                }
                else if (c == '#')
                {
                    while (i < end && text[i] != '\n')
                    {
                        i++;
                    }
                }
                else if (c == '&' || c == '!')
                {
                    if (c == '!' && i + 1 < end && text[i + 1] == '<')
                    {
                        while (i < end && text[i] != '>')
                        {
                            i++;
                        }

                        i++;
                    }
                    else
                    {
                        while (i < end && !IsBlank(text[i]))
                        {
                            i++;
                        }
                    }

                    afterProperty = Math.Min(i, end);
                }
                else
                {
                    return i;
                }
            }

            return afterProperty > start && afterProperty < end ? -afterProperty : Math.Min(i, end);
        }

        private static int TrimEnd(string text, int start, int end)
        {
            while (end > start && IsBlank(text[end - 1]))
            {
                end--;
            }

            return end;
        }

        private static bool IsBlank(char c) => c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }
}
