using System.Collections.Generic;

namespace ImageUpdater.Core.Yaml
{
    /// <summary>
    /// Text that YAML parsers disagree on is refused before an edit, so the file a run writes is read the same by Argo CD, Helm and
    /// kubectl: characters outside YAML's printable set (NUL, other controls, NEL), lone CR or U+2028/U+2029 line breaks, and
    /// lines indented with a tab (YamlDotNet reads some of these; libyaml and Go's yaml refuse them).
    /// </summary>
    internal static class YamlTextCheck
    {
        /// <summary>Throws YamlInvalid at the first character no editor should accept.</summary>
        public static void RefuseUnreadable(string text, string file)
        {
            int line = 1, column = 1;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                string? problem = null;
                if (c == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n'))
                {
                    problem = "a carriage return without a line feed (CR-only line endings); save the file with LF or CRLF line endings";
                }
                else if (c == '\u2028' || c == '\u2029' || c == '\u0085')
                {
                    problem = $"the line separator U+{(int)c:X4}, which YAML parsers read differently; replace it with a line feed or remove it";
                }
                else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7F && c <= 0x9F))
                {
                    problem = $"the control character U+{(int)c:X4}{(c == 0 ? " (NUL)" : string.Empty)}, which YAML does not allow; remove it";
                }

                if (problem is not null)
                {
                    throw new YamlEditException("YamlInvalid", FailureKind.InvalidData, file, line, column, $"The file is not valid YAML: it contains {problem}. It was left untouched.");
                }

                if (c == '\n')
                {
                    line++;
                    column = 1;
                }
                else
                {
                    column++;
                }
            }
        }

        /// <summary>Throws YamlInvalid for a content line that starts with a tab outside a multi-line scalar (where a tab may be text).</summary>
        public static void RefuseTabIndentation(string text, IReadOnlyList<SpanDocument> documents, string file)
        {
            if (text.IndexOf('\t') < 0)
            {
                return;
            }

            var scalars = new List<(int Start, int End)>();
            foreach (var document in documents)
            {
                Collect(document.Root, scalars);
            }

            var line = 1;
            for (var start = 0; start < text.Length; line++)
            {
                var end = text.IndexOf('\n', start);
                end = end < 0 ? text.Length : end;
                if (text[start] == '\t' && !Inside(scalars, start))
                {
                    var first = start;
                    while (first < end && (text[first] == '\t' || text[first] == ' '))
                    {
                        first++;
                    }

                    if (first < end && text[first] != '\r' && text[first] != '#')
                    {
                        throw new YamlEditException("YamlInvalid", FailureKind.InvalidData, file, line, 1, "The file is not valid YAML: the line is indented with a tab, which YAML forbids (Helm and Argo CD refuse it). Indent with spaces; the file was left untouched.");
                    }
                }

                start = end + 1;
            }
        }

        private static void Collect(SpanNode? node, List<(int Start, int End)> scalars)
        {
            switch (node)
            {
                case SpanScalar scalar:
                    scalars.Add((scalar.Start, scalar.End));
                    break;
                case SpanMapping mapping:
                    foreach (var entry in mapping.Entries)
                    {
                        Collect(entry.Key, scalars);
                        Collect(entry.Value, scalars);
                    }

                    break;
                case SpanSequence sequence:
                    foreach (var item in sequence.Items)
                    {
                        Collect(item, scalars);
                    }

                    break;
            }
        }

        private static bool Inside(List<(int Start, int End)> spans, int offset)
        {
            foreach (var (start, end) in spans)
            {
                if (offset > start && offset < end)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
