using System.Collections.Generic;
using YamlDotNet.Core;

namespace ImageUpdater.Core.Yaml
{
    /// <summary>A node of a parsed document with its place in the text (char offsets into the BOM-less text).</summary>
    internal abstract class SpanNode
    {
        /// <summary>Start of the node including its anchor and tag.</summary>
        public int Start { get; set; }

        public int End { get; set; }

        /// <summary>Where the last character of the node's own text ends (block collections: their last child's).</summary>
        public int ContentEnd { get; set; }

        public int Line { get; set; }

        public int Column { get; set; }

        public string? Anchor { get; set; }

        public SpanNode? Parent { get; set; }

        /// <summary>How this node hangs from its parent: a key or an index (meaningless for a root).</summary>
        public YamlPathSegment Segment { get; set; }

        /// <summary>Nodes after expanding aliases (for the alias-bomb limit).</summary>
        public long ExpandedSize { get; set; } = 1;

        public bool InFlow { get; set; }
    }

    internal sealed class SpanScalar : SpanNode
    {
        public string Value { get; set; } = string.Empty;

        public ScalarStyle Style { get; set; }

        /// <summary>Start of the scalar's own text, after anchor and tag.</summary>
        public int ValueStart { get; set; }

        /// <summary>A plain empty or <c>~</c>/<c>null</c> scalar: YAML null.</summary>
        public bool IsNull => Style == ScalarStyle.Plain && (Value.Length == 0 || Value == "~" || Value == "null" || Value == "Null" || Value == "NULL");
    }

    internal sealed class SpanEntry
    {
        public SpanEntry(SpanNode key, SpanNode value)
        {
            Key = key;
            Value = value;
        }

        public SpanNode Key { get; }

        public SpanNode Value { get; }

        public string? KeyText => (Key as SpanScalar)?.Value;
    }

    internal sealed class SpanMapping : SpanNode
    {
        public List<SpanEntry> Entries { get; } = new List<SpanEntry>();

        public bool IsFlow { get; set; }

        /// <summary>For flow mappings: the offset of the closing brace.</summary>
        public int Close { get; set; }
    }

    internal sealed class SpanSequence : SpanNode
    {
        public List<SpanNode> Items { get; } = new List<SpanNode>();

        public bool IsFlow { get; set; }

        /// <summary>For flow sequences: the offset of the closing bracket.</summary>
        public int Close { get; set; }
    }

    internal sealed class SpanAlias : SpanNode
    {
        public SpanAlias(string name, SpanNode target)
        {
            Name = name;
            Target = target;
        }

        public string Name { get; }

        public SpanNode Target { get; }
    }

    internal sealed class SpanDocument
    {
        public int Index { get; set; }

        public SpanNode? Root { get; set; }

        public List<SpanAlias> Aliases { get; } = new List<SpanAlias>();
    }
}
