using System.Collections.Generic;

namespace ImageUpdater.Core.Yaml
{
    /// <summary>What <see cref="YamlEditor.SetScalar"/> did to one key path.</summary>
    public sealed class YamlScalarChange
    {
        internal YamlScalarChange(string path, string? oldValue, string newValue, bool changed, bool created, int line, int column, IReadOnlyList<string> otherPlaces)
        {
            Path = path;
            OldValue = oldValue;
            NewValue = newValue;
            Changed = changed;
            Created = created;
            Line = line;
            Column = column;
            OtherPlaces = otherPlaces;
        }

        public string Path { get; }

        /// <summary>The value before, or null when the key was missing or null.</summary>
        public string? OldValue { get; }

        public string NewValue { get; }

        public bool Changed { get; }

        /// <summary>The key (or keys on the way) did not exist and were added.</summary>
        public bool Created { get; }

        /// <summary>Where the value is (1-based), in the text before the edit.</summary>
        public int Line { get; }

        public int Column { get; }

        /// <summary>Other key paths that show the same node through anchors, aliases and merge keys, and so change with it.</summary>
        public IReadOnlyList<string> OtherPlaces { get; }

        /// <summary>
        /// When the key was created to override a value its mapping merged (<c>&lt;&lt;: *defaults</c>): the key paths that show the shared
        /// value, which stays as it was; empty otherwise.
        /// </summary>
        public IReadOnlyList<string> Overrides { get; internal init; } = System.Array.Empty<string>();

        public override string ToString() => Changed ? $"{Path}: {OldValue ?? "(none)"} -> {NewValue}" : $"{Path}: {NewValue} (unchanged)";
    }
}
