using System;
using YamlDotNet.Core;

namespace ImageUpdater.Core.Yaml
{
    /// <summary>
    /// Where a block collection ends when new lines are put after it: a literal or folded scalar owns the line breaks its chomping
    /// indicator keeps, so lines go after a keep (<c>|+</c>) scalar's trailing breaks, and a clip or keep scalar that ends a file without
    /// a final line break is switched to strip (<c>|-</c>), which reads the same value once a line break follows it.
    /// </summary>
    internal static class YamlBlockEnd
    {
        /// <summary>The start of the line after the node's last content, after the trailing line breaks of a keep block scalar.</summary>
        public static int LineAfter(string text, SpanNode node)
        {
            if (LastLeaf(node) is SpanScalar scalar && Header(text, scalar) is { } header && header.IndexOf('+') >= 0 && scalar.End > scalar.ContentEnd)
            {
                var end = Math.Min(scalar.End, text.Length);
                var lf = end > scalar.ContentEnd ? text.LastIndexOf('\n', end - 1, end - scalar.ContentEnd) : -1;
                if (lf >= scalar.ContentEnd)
                {
                    return lf + 1;
                }
            }

            if (LastLeaf(node) is SpanScalar { Style: ScalarStyle.Plain, Value.Length: 0 } empty && empty.Parent is SpanMapping holder
                && holder.Entries.Count > 0 && holder.Entries[holder.Entries.Count - 1].Value == empty)
            {
                // An empty value has no text; the parser may place it at the next token, past a "..." that ends the document.
                return YamlLayout.LineAfter(text, holder.Entries[holder.Entries.Count - 1].Key.ContentEnd);
            }

            return YamlLayout.LineAfter(text, node.ContentEnd);
        }

        /// <summary>The clip or keep block scalar that the text ends with (only blanks after it), or null.</summary>
        public static SpanScalar? ClipAtEnd(string text, SpanNode? root) =>
            LastLeaf(root) is SpanScalar scalar && Header(text, scalar) is { } header && header.IndexOf('-') < 0 && YamlLayout.IsWhiteRange(text, scalar.ContentEnd, text.Length)
                ? scalar
                : null;

        /// <summary>The span to replace with <c>-</c>: the keep indicator, or the empty span right after <c>|</c>/<c>&gt;</c>.</summary>
        public static (int At, int Length) ChompingSpan(string text, SpanScalar scalar)
        {
            var plus = (Header(text, scalar) ?? string.Empty).IndexOf('+');
            return plus >= 0 ? (scalar.ValueStart + 1 + plus, 1) : (scalar.ValueStart + 1, 0);
        }

        /// <summary>The indicators after a literal or folded scalar's <c>|</c> or <c>&gt;</c> (indentation and chomping); null for other scalars.</summary>
        public static string? Header(string text, SpanScalar scalar)
        {
            if ((scalar.Style != ScalarStyle.Literal && scalar.Style != ScalarStyle.Folded) || scalar.ValueStart >= text.Length || (text[scalar.ValueStart] != '|' && text[scalar.ValueStart] != '>'))
            {
                return null;
            }

            var end = scalar.ValueStart + 1;
            while (end < text.Length && end < scalar.ValueStart + 3 && "123456789+-".IndexOf(text[end]) >= 0)
            {
                end++;
            }

            return text.Substring(scalar.ValueStart + 1, end - scalar.ValueStart - 1);
        }

        /// <summary>The node a block collection ends with (its last entry's value or last item, descending); the node itself otherwise.</summary>
        private static SpanNode? LastLeaf(SpanNode? node)
        {
            while (true)
            {
                switch (node)
                {
                    case SpanMapping { IsFlow: false } mapping when mapping.Entries.Count > 0:
                        node = mapping.Entries[mapping.Entries.Count - 1].Value;
                        break;
                    case SpanSequence { IsFlow: false } sequence when sequence.Items.Count > 0:
                        node = sequence.Items[sequence.Items.Count - 1];
                        break;
                    default:
                        return node;
                }
            }
        }
    }
}
