using System.Collections.Generic;
using YamlDotNet.Core;

namespace ImageUpdater.Core.Yaml
{
    /// <summary>A node of a parsed document with its place in the text (char offsets into the BOM-less text).</summary>
    internal abstract class YamlNode
    {
        /// <summary>Start of the node including its anchor and tag.</summary>
        public int Start { get; set; }

        public int End { get; set; }

        /// <summary>Where the last character of the node's own text ends (block collections: their last child's).</summary>
        public int ContentEnd { get; set; }

        public int Line { get; set; }

        public int Column { get; set; }

        public string? Anchor { get; set; }

        public YamlNode? Parent { get; set; }

        /// <summary>How this node hangs from its parent: a key or an index (meaningless for a root).</summary>
        public YamlPathSegment Segment { get; set; }

        /// <summary>Nodes after expanding aliases (for the alias-bomb limit).</summary>
        public long ExpandedSize { get; set; } = 1;

        public bool InFlow { get; set; }
    }

    internal sealed class YamlScalar : YamlNode
    {
        public string Value { get; set; } = string.Empty;

        public ScalarStyle Style { get; set; }

        /// <summary>Start of the scalar's own text, after anchor and tag.</summary>
        public int ValueStart { get; set; }

        /// <summary>A plain empty or <c>~</c>/<c>null</c> scalar: YAML null.</summary>
        public bool IsNull => Style == ScalarStyle.Plain && (Value.Length == 0 || Value == "~" || Value == "null" || Value == "Null" || Value == "NULL");
    }

    internal sealed class YamlMappingEntry
    {
        public YamlMappingEntry(YamlNode key, YamlNode value)
        {
            Key = key;
            Value = value;
        }

        public YamlNode Key { get; }

        public YamlNode Value { get; }

        public string? KeyText => (Key as YamlScalar)?.Value;
    }

    internal sealed class YamlMapping : YamlNode
    {
        public List<YamlMappingEntry> Entries { get; } = new List<YamlMappingEntry>();

        public bool IsFlow { get; set; }

        /// <summary>For flow mappings: the offset of the closing brace.</summary>
        public int Close { get; set; }
    }

    internal sealed class YamlSequence : YamlNode
    {
        public List<YamlNode> Items { get; } = new List<YamlNode>();

        public bool IsFlow { get; set; }

        /// <summary>For flow sequences: the offset of the closing bracket.</summary>
        public int Close { get; set; }
    }

    internal sealed class YamlAlias : YamlNode
    {
        public YamlAlias(string name, YamlNode target)
        {
            Name = name;
            Target = target;
        }

        public string Name { get; }

        public YamlNode Target { get; }
    }

    internal sealed class YamlDocumentNode
    {
        public int Index { get; set; }

        public YamlNode? Root { get; set; }

        public List<YamlAlias> Aliases { get; } = new List<YamlAlias>();
    }
}
