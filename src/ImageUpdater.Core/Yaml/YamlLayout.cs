using System;
using System.Collections.Generic;

namespace ImageUpdater.Core.Yaml
{
    /// <summary>
    /// The file's layout as new lines must follow it: the indent unit and the sequence indent (read from the first nested
    /// block mapping and block list), the line break, and the line arithmetic over the current text.
    /// </summary>
    internal sealed class YamlLayout
    {
        private YamlLayout(int indentUnit, int sequenceIndent, string lineBreak)
        {
            IndentUnit = indentUnit;
            SequenceIndent = sequenceIndent;
            LineBreak = lineBreak;
        }

        /// <summary>Columns a nested mapping's keys sit right of their parent's keys (2 when the file shows none).</summary>
        public int IndentUnit { get; }

        /// <summary>Columns a block list's dashes sit right of the key that holds it (0 when the file shows none).</summary>
        public int SequenceIndent { get; }

        /// <summary>"\r\n" when the file's first line break is CRLF, else "\n"; new lines use it.</summary>
        public string LineBreak { get; }

        public static YamlLayout Detect(string text, IEnumerable<SpanDocument> documents)
        {
            int? unit = null;
            int? seq = null;
            foreach (var doc in documents)
            {
                Walk(doc.Root);
            }

            return new YamlLayout(unit ?? 2, seq ?? 0, YamlText.DetectLineBreak(text));

            void Walk(SpanNode? node)
            {
                if (node is SpanMapping mapping)
                {
                    foreach (var entry in mapping.Entries)
                    {
                        if (!mapping.IsFlow && entry.Value is SpanMapping { IsFlow: false } child && child.Entries[0].Key.Line > entry.Key.Line && unit is null)
                        {
                            unit = KeyIndent(child) - KeyIndent(mapping);
                        }

                        if (!mapping.IsFlow && entry.Value is SpanSequence { IsFlow: false } list && list.Items[0].Line > entry.Key.Line && seq is null)
                        {
                            seq = DashIndent(text, list) - KeyIndent(mapping);
                        }

                        Walk(entry.Value);
                    }
                }
                else if (node is SpanSequence sequence)
                {
                    foreach (var item in sequence.Items)
                    {
                        Walk(item);
                    }
                }
            }
        }

        /// <summary>The column (0-based) of a block mapping's keys; the mapping's own start may be its anchor or tag.</summary>
        public static int KeyIndent(SpanMapping mapping) => (mapping.Entries.Count > 0 ? mapping.Entries[0].Key.Column : mapping.Column) - 1;

        /// <summary>The column (0-based) of a block sequence's dashes, found before its first item.</summary>
        public static int DashIndent(string text, SpanSequence sequence)
        {
            var i = sequence.Items[0].Start - 1;
            while (i > 0 && (text[i] == ' ' || text[i] == '\t'))
            {
                i--;
            }

            return text[i] == '-' ? i - LineStart(text, i) : sequence.Column - 1;
        }

        /// <summary>The start of the line after the one holding <paramref name="position"/> (or the text's end).</summary>
        public static int LineAfter(string text, int position)
        {
            var lf = text.IndexOf('\n', Math.Min(position, text.Length));
            return lf < 0 ? text.Length : lf + 1;
        }

        public static int LineStart(string text, int position)
        {
            var lf = position > 0 ? text.LastIndexOf('\n', position - 1) : -1;
            return lf + 1;
        }

        /// <summary>The 1-based line number of a position.</summary>
        public static int LineOf(string text, int position)
        {
            var line = 1;
            for (var i = 0; i < position && i < text.Length; i++)
            {
                if (text[i] == '\n')
                {
                    line++;
                }
            }

            return line;
        }

        /// <summary>True when the range holds only spaces, tabs and line breaks.</summary>
        public static bool IsWhiteRange(string text, int start, int end)
        {
            for (var i = start; i < end; i++)
            {
                if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n')
                {
                    return false;
                }
            }

            return true;
        }

        public static bool IsBlankRange(string text, int start, int end)
        {
            for (var i = start; i < end; i++)
            {
                if (text[i] != ' ' && text[i] != '\t')
                {
                    return false;
                }
            }

            return true;
        }
    }
}
