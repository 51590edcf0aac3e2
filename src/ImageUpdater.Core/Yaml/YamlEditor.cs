using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using YamlDotNet.Core;

namespace ImageUpdater.Core.Yaml
{
    /// <summary>
    /// Edits YAML text in place: finds nodes by key path with YamlDotNet's parser and splices only the changed span,
    /// so comments, blank lines, order, quoting, anchors, indentation, line breaks and BOM stay as they were.
    /// A replaced scalar is read back in place; an insertion or removal re-parses the whole text. A failed check throws (a bug, nothing is written).
    /// </summary>
    public sealed class YamlEditor
    {
        private readonly YamlPathResolver paths;
        private readonly YamlLayout layout;
        private readonly YamlNodeWriter writer;
        private List<SpanDocument>? documents;

        private YamlEditor(string text, bool hasBom, string sourceName)
        {
            OriginalText = text;
            Text = text;
            HasBom = hasBom;
            SourceName = sourceName;
            paths = new YamlPathResolver(sourceName);
            documents = YamlTreeReader.Read(text, sourceName);
            layout = YamlLayout.Detect(text, documents);
            writer = new YamlNodeWriter(layout);
        }

        /// <summary>The file name used in messages.</summary>
        public string SourceName { get; }

        /// <summary>The text as read, without a BOM.</summary>
        public string OriginalText { get; }

        /// <summary>The text with the edits so far, without a BOM.</summary>
        public string Text { get; private set; }

        public bool HasBom { get; }

        /// <summary>"\r\n" when the file's first line break is CRLF, else "\n"; new lines use it.</summary>
        public string LineBreak => layout.LineBreak;

        public bool IsChanged => !string.Equals(Text, OriginalText, StringComparison.Ordinal);

        private List<SpanDocument> Documents
        {
            get
            {
                if (documents is null)
                {
                    Reparse();
                }

                return documents!;
            }
        }

        /// <summary>Parses text (a leading U+FEFF is taken as a BOM and kept apart).</summary>
        public static YamlEditor Parse(string text, string sourceName = "(text)")
        {
            var bom = text.Length > 0 && text[0] == '\uFEFF';
            return new YamlEditor(bom ? text.Substring(1) : text, bom, sourceName);
        }

        /// <summary>Decodes UTF-8 bytes strictly (other encodings are refused rather than silently rewritten).</summary>
        public static YamlEditor FromBytes(byte[] bytes, string sourceName)
        {
            var text = YamlText.Decode(bytes, sourceName, out var bom);
            return new YamlEditor(text, bom, sourceName);
        }

        /// <summary>Reads a file, refusing absurd sizes before reading it.</summary>
        public static YamlEditor Load(string path)
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new ImageUpdaterException("YamlFileNotFound", FailureKind.ObjectNotFound, $"The file '{path}' does not exist; check the path.", path);
            }

            return FromBytes(ReadBytes(path), path);
        }

        /// <summary>A file's bytes, refusing absurd sizes before reading.</summary>
        public static byte[] ReadBytes(string path) => YamlText.ReadBytes(path);

        /// <summary>The bytes to write: the edited text in UTF-8, with the BOM when the file had one.</summary>
        public byte[] ToBytes() => YamlText.Encode(Text, HasBom);

        /// <summary>True when the path leads to a node (of any kind) in some document.</summary>
        public bool Exists(string keyPath) => Locate(YamlKeyPath.Parse(keyPath)).Found is not null;

        /// <summary>The scalar at the path: its string value, null when the key is missing or null.</summary>
        public string? GetScalar(string keyPath)
        {
            var path = YamlKeyPath.Parse(keyPath);
            var found = Locate(path).Found;
            if (found is null)
            {
                return null;
            }

            var scalar = found as SpanScalar ?? throw NotScalar(path, found);
            return scalar.IsNull ? null : scalar.Value;
        }

        /// <summary>For each item of the sequence at the path, the scalar at <paramref name="itemKey"/> inside it (or the item itself when null); null when the sequence is missing.</summary>
        public IReadOnlyList<string?>? GetItems(string sequencePath, string? itemKey)
        {
            var path = YamlKeyPath.Parse(sequencePath);
            var found = Locate(path).Found;
            if (found is null || found is SpanScalar { IsNull: true })
            {
                return null;
            }

            if (found is not SpanSequence sequence)
            {
                throw Error("YamlNotSequence", FailureKind.InvalidData, found, $"'{path}' is a {Kind(found)}, not a list; fix the file or the key path.");
            }

            var values = new List<string?>();
            foreach (var item in sequence.Items)
            {
                var node = Deref(item);
                if (itemKey is not null)
                {
                    node = node is SpanMapping mapping ? paths.FindKey(mapping, itemKey, path)?.Value : null;
                    node = node is null ? null : Deref(node);
                }

                values.Add(node is SpanScalar { IsNull: false } scalar ? scalar.Value : null);
            }

            return values;
        }

        /// <summary>
        /// Sets the scalar at the path to <paramref name="value"/> (a string, quoted when plain text would read as another type),
        /// creating missing keys in the file's indentation. An equal value changes nothing.
        /// </summary>
        public YamlScalarChange SetScalar(string keyPath, string value) => SetScalar(keyPath, value, false);

        /// <summary>
        /// Sets the scalar as <see cref="SetScalar(string, string)"/> does, except where the key comes into its mapping through a merge key
        /// (<c>&lt;&lt;: *defaults</c>) and so is shared: then the key is created in that mapping, which overrides the merged value and leaves
        /// the shared one as it was (<see cref="YamlScalarChange.Overrides"/> names it). A value shared any other way is set as it stands.
        /// </summary>
        public YamlScalarChange SetOwnScalar(string keyPath, string value)
        {
            var path = YamlKeyPath.Parse(keyPath);
            var location = Locate(path);
            if (location is { Found: SpanScalar scalar, Holder: { } holder, Entry: { KeyText: { } key } entry, Document: { } doc } && !holder.Entries.Contains(entry)
                && YamlAliasPlaces.Other(doc, scalar, path) is { Count: > 0 } shared && YamlAliasPlaces.OtherThanItself(doc, holder).Count == 0)
            {
                InsertEntry(holder, key, value);
                var check = GetScalar(keyPath);
                return check == value
                    ? new YamlScalarChange(path.Text, scalar.IsNull ? null : scalar.Value, value, true, true, holder.Line, holder.Column, Array.Empty<string>()) { Overrides = shared }
                    : throw Broken($"'{path}' reads '{check}' after the overriding key was added instead of '{value}'");
            }

            return SetScalar(keyPath, value);
        }

        /// <summary>Sets a boolean (written plain: <c>true</c>/<c>false</c>).</summary>
        public YamlScalarChange SetScalar(string keyPath, bool value) => SetScalar(keyPath, value ? "true" : "false", true);

        private YamlScalarChange SetScalar(string keyPath, string value, bool plain)
        {
            var path = YamlKeyPath.Parse(keyPath);
            var location = Locate(path);
            YamlScalarChange change;
            if (location.Found is { } found)
            {
                var scalar = found as SpanScalar ?? throw NotScalar(path, found);
                var places = YamlAliasPlaces.Other(location.Document!, scalar, path);
                if (!scalar.IsNull && scalar.Value == value && (!plain || scalar.Style == ScalarStyle.Plain))
                {
                    return new YamlScalarChange(path.Text, value, value, false, false, scalar.Line, scalar.Column, places);
                }

                ReplaceScalar(scalar, value, plain);
                change = new YamlScalarChange(path.Text, scalar.IsNull ? null : scalar.Value, value, true, false, scalar.Line, scalar.Column, places);
            }
            else
            {
                var target = Create(path, location, plain ? new YamlNodeWriter.PlainText(value) : value);
                change = new YamlScalarChange(path.Text, null, value, true, true, target.Line, target.Column, target.Places);
            }

            if (change.Created)
            {
                var check = GetScalar(keyPath);
                if (check != value)
                {
                    throw Broken($"'{path}' reads '{check}' after the edit instead of '{value}'");
                }
            }

            return change;
        }

        /// <summary>Appends a scalar item to the sequence at the path, creating the sequence when it is missing.</summary>
        public void AppendItem(string sequencePath, string item) => Append(sequencePath, item);

        /// <summary>Appends a mapping item (keys in the order given) to the sequence at the path, creating the sequence when it is missing.</summary>
        public void AppendItem(string sequencePath, IReadOnlyList<KeyValuePair<string, string>> fields) =>
            Append(sequencePath, fields.Select(f => new KeyValuePair<string, object>(f.Key, f.Value)).ToList());

        /// <summary>Appends a mapping item whose values are strings or booleans (booleans written plain).</summary>
        public void AppendItem(string sequencePath, IReadOnlyList<KeyValuePair<string, object>> fields) =>
            Append(sequencePath, fields.Select(f => new KeyValuePair<string, object>(f.Key, f.Value is bool b ? new YamlNodeWriter.PlainText(b ? "true" : "false") : f.Value)).ToList());

        /// <summary>How many YAML documents the text holds.</summary>
        public int DocumentCount => Documents.Count;

        /// <summary>Removes a key and its value; false when it was not there.</summary>
        public bool RemoveKey(string keyPath)
        {
            var path = YamlKeyPath.Parse(keyPath);
            var location = Locate(path);
            if (location.Found is null || location.Holder is null || location.Entry is null)
            {
                return false;
            }

            var mapping = location.Holder;
            var entry = location.Entry;
            var index = mapping.Entries.IndexOf(entry);
            var next = index + 1 < mapping.Entries.Count ? mapping.Entries[index + 1] : null;
            if (mapping.IsFlow)
            {
                if (index > 0)
                {
                    Splice(mapping.Entries[index - 1].Value.ContentEnd, entry.Value.ContentEnd, string.Empty);
                }
                else
                {
                    Splice(entry.Key.Start, next?.Key.Start ?? entry.Value.ContentEnd, string.Empty);
                }
            }
            else
            {
                var lineStart = YamlLayout.LineStart(Text, entry.Key.Start);
                if (YamlLayout.IsBlankRange(Text, lineStart, entry.Key.Start))
                {
                    Splice(lineStart, LineAfter(entry.Value.ContentEnd), string.Empty);
                }
                else if (next is not null)
                {
                    Splice(entry.Key.Start, next.Key.Start, string.Empty);
                }
                else
                {
                    throw Error("YamlCannotRemove", FailureKind.InvalidOperation, entry.Key,
                        $"'{path}' shares its line with the item marker and is the item's only key; remove it by hand.");
                }
            }

            Reparse();
            return true;
        }

        /// <summary>A unified diff from the text as read to the text now ("" when unchanged).</summary>
        public string Diff(string? name = null) => UnifiedDiff.Create(OriginalText, Text, name ?? SourceName);

        private void Append(string sequencePath, object item)
        {
            var path = YamlKeyPath.Parse(sequencePath);
            var location = Locate(path);
            if (location.Found is SpanSequence sequence)
            {
                if (sequence.IsFlow)
                {
                    var last = sequence.Items.Count > 0 ? sequence.Items[sequence.Items.Count - 1] : null;
                    Splice(last?.ContentEnd ?? sequence.Close, last?.ContentEnd ?? sequence.Close, (last is null ? string.Empty : ", ") + YamlNodeWriter.Flow(item));
                }
                else
                {
                    var dash = YamlLayout.DashIndent(Text, sequence);
                    var gap = sequence.Items[0].Column - 1 - dash;
                    var lines = YamlNodeWriter.Indent(dash) + "-" + new string(' ', Math.Max(1, gap - 1)) + writer.Item(item, dash + Math.Max(2, gap));
                    InsertLines(YamlBlockEnd.LineAfter(Text, sequence), lines);
                }
            }
            else if (location.Found is SpanScalar { IsNull: true } empty)
            {
                FillNull(empty, new List<object> { item });
            }
            else if (location.Found is { } other)
            {
                throw Error("YamlNotSequence", FailureKind.InvalidData, other, $"'{path}' is a {Kind(other)}, not a list; fix the file or the key path.");
            }
            else
            {
                Create(path, location, new List<object> { item });
            }

            Reparse();
        }

        private void ReplaceScalar(SpanScalar scalar, string value, bool plain)
        {
            var style = scalar.Style == ScalarStyle.Literal || scalar.Style == ScalarStyle.Folded || scalar.IsNull ? ScalarStyle.Plain : scalar.Style;
            var rendered = plain ? value : YamlScalarText.Render(value, style, scalar.InFlow);
            var lead = string.Empty;
            if (scalar.ValueStart == scalar.End)
            {
                // An empty value: the parser marks the spot right after "key:" (in a flow mapping also after a key with no ':' at all, "{tag, …}").
                var before = scalar.ValueStart > 0 ? Text[scalar.ValueStart - 1] : '\n';
                var colon = Text.LastIndexOf(':', Math.Max(0, scalar.ValueStart - 1));
                var hasColon = !scalar.InFlow || (colon >= 0 && Text.Substring(colon + 1, scalar.ValueStart - colon - 1).Trim().Length == 0);
                lead = (hasColon ? string.Empty : ":") + (hasColon && (before == ' ' || before == '\t' || before == '\n') ? string.Empty : " ");
            }

            Splice(scalar.ValueStart, scalar.ContentEnd, lead + rendered);
            CheckScalar(rendered, scalar.InFlow, value);
        }

        /// <summary>Checks a replaced scalar's new text where it stands (only that span changed); the document is re-parsed lazily.</summary>
        private static void CheckScalar(string rendered, bool inFlow, string value)
        {
            var read = YamlScalarText.ReadBack(rendered, inFlow, out var error);
            if (error is not null || read != value)
            {
                throw Broken(error is not null ? $"the new value {rendered} does not parse ({error})" : $"the new text {rendered} reads as '{read}' instead of '{value}'");
            }
        }

        private (int Line, int Column, IReadOnlyList<string> Places) Create(YamlKeyPath path, YamlLocation location, object leaf)
        {
            var rest = path.Segments.Skip(location.Matched).ToList();
            var firstIndex = rest.FindIndex(s => s.IsIndex);
            if (firstIndex >= 0)
            {
                var at = (SpanNode?)location.Container;
                throw new YamlEditException("YamlIndexOutOfRange", FailureKind.InvalidArgument, SourceName, at?.Line ?? 0, at?.Column ?? 0,
                    $"The key path '{path}' needs the list item {YamlKeyPath.Format(path.Segments.Take(location.Matched + firstIndex + 1))}, which does not exist; list items are not created, so check the index.");
            }

            object value = leaf;
            for (var i = rest.Count - 1; i >= 1; i--)
            {
                value = new List<KeyValuePair<string, object>> { new KeyValuePair<string, object>(rest[i].Key!, value) };
            }

            var places = location.Container is SpanNode c && location.Document is { } doc ? YamlAliasPlaces.OtherThanItself(doc, c) : Array.Empty<string>();
            switch (location.Container)
            {
                case SpanMapping mapping:
                    InsertEntry(mapping, rest.Count == 0 ? throw Broken("nothing to create") : rest[0].Key!, value);
                    return (mapping.Line, mapping.Column, places);
                case SpanScalar scalar:
                    FillNull(scalar, rest.Count == 0 ? value : new List<KeyValuePair<string, object>> { new KeyValuePair<string, object>(rest[0].Key!, value) });
                    return (scalar.Line, scalar.Column, places);
                default:
                    // No document at all (empty file or only comments): the new keys go at the end.
                    var block = writer.Block(new List<KeyValuePair<string, object>> { new KeyValuePair<string, object>(rest[0].Key!, value) }, 0);
                    InsertLines(Text.Length, block);
                    Reparse();
                    return (YamlLayout.LineOf(Text, Text.Length), 1, places);
            }
        }

        private void InsertEntry(SpanMapping mapping, string key, object value)
        {
            if (mapping.IsFlow)
            {
                var last = mapping.Entries.Count > 0 ? mapping.Entries[mapping.Entries.Count - 1] : null;
                var at = last?.Value.ContentEnd ?? mapping.Close;
                Splice(at, at, (last is null ? string.Empty : ", ") + YamlNodeWriter.Key(key, true) + ": " + YamlNodeWriter.Flow(value));
            }
            else
            {
                var indent = YamlLayout.KeyIndent(mapping);
                InsertLines(YamlBlockEnd.LineAfter(Text, mapping), YamlNodeWriter.Indent(indent) + YamlNodeWriter.Key(key, false) + ":" + writer.AfterKey(value, indent));
            }

            Reparse();
        }

        /// <summary>Gives a null value (<c>key:</c>, <c>key: ~</c>) content: a scalar in place, a collection on the lines below.</summary>
        private void FillNull(SpanScalar scalar, object value)
        {
            if (value is string || value is YamlNodeWriter.PlainText)
            {
                ReplaceScalar(scalar, value.ToString()!, value is YamlNodeWriter.PlainText);
                return;
            }

            if (scalar.InFlow)
            {
                var before = scalar.ValueStart == scalar.End ? " " : string.Empty;
                Splice(scalar.ValueStart, scalar.ContentEnd, before + YamlNodeWriter.Flow(value));
                Reparse();
                return;
            }

            int childIndent;
            if (scalar.Parent is SpanMapping { IsFlow: false } parent)
            {
                childIndent = YamlLayout.KeyIndent(parent) + (value is List<object> ? layout.SequenceIndent : layout.IndentUnit);
            }
            else if (scalar.Parent is null)
            {
                childIndent = 0;
            }
            else
            {
                throw Error("YamlCannotCreate", FailureKind.InvalidOperation, scalar, "The empty value here is a list item; give it content by hand first.");
            }

            var insertAt = LineAfter(scalar.Parent is null ? scalar.Start : scalar.End);
            InsertLines(insertAt, writer.Block(value, childIndent));
            if (scalar.ValueStart < scalar.ContentEnd)
            {
                // An explicit ~ or null goes, with the blanks before it.
                var from = scalar.ValueStart;
                while (from > 0 && (Text[from - 1] == ' ' || Text[from - 1] == '\t'))
                {
                    from--;
                }

                Splice(from, scalar.ContentEnd, string.Empty);
            }

            Reparse();
        }

        /// <summary>Inserts whole lines at <paramref name="at"/> (a line start, or the end of a file without a final line break).</summary>
        private void InsertLines(int at, string lines)
        {
            if (at >= Text.Length && Text.Length > 0 && Text[Text.Length - 1] != '\n')
            {
                KeepFinalBlockScalar();
                Splice(Text.Length, Text.Length, LineBreak + lines);
            }
            else
            {
                Splice(at, at, lines + LineBreak);
            }
        }

        /// <summary>Before lines are appended to a file without a final line break, a block scalar ending it keeps its value.</summary>
        private void KeepFinalBlockScalar()
        {
            if (YamlBlockEnd.ClipAtEnd(Text, Documents.Count == 0 ? null : Documents[Documents.Count - 1].Root) is { } scalar)
            {
                var (at, length) = scalar.Value.EndsWith("\n", StringComparison.Ordinal)
                    ? throw Error("YamlCannotCreate", FailureKind.InvalidOperation, scalar, "The file ends inside a block scalar that keeps its trailing line breaks but has no final line break; add one at the end of the file first.")
                    : YamlBlockEnd.ChompingSpan(Text, scalar);
                Splice(at, at + length, "-");
            }
        }

        private void Splice(int start, int end, string replacement)
        {
            Text = Text.Substring(0, start) + replacement + Text.Substring(end);
            documents = null;
        }

        /// <summary>Parses the edited text; an edit that broke it is a bug, reported without writing anything.</summary>
        private void Reparse()
        {
            try
            {
                documents = YamlTreeReader.Read(Text, SourceName);
            }
            catch (YamlEditException ex)
            {
                throw Broken("the edited text no longer parses: " + ex.Message);
            }
        }

        private YamlLocation Locate(YamlKeyPath path) => paths.Locate(Documents, path);

        private static SpanNode Deref(SpanNode node) => YamlPathResolver.Deref(node);

        private static string Kind(SpanNode node) => YamlPathResolver.Kind(node);

        private int LineAfter(int position) => YamlLayout.LineAfter(Text, position);

        private YamlEditException NotScalar(YamlKeyPath path, SpanNode node) =>
            Error("YamlNotScalar", FailureKind.InvalidArgument, node, $"'{path}' is a {Kind(node)}, not a scalar value; point the key path at the value itself (for example image.tag).");

        private YamlEditException Error(string id, FailureKind kind, SpanNode at, string message) => paths.Error(id, kind, at, message);

        /// <summary>A failed self-check: a bug, reported before anything is written.</summary>
        internal static ImageUpdaterException Broken(string why) =>
            new ImageUpdaterException("YamlEditCheckFailed", FailureKind.InvalidOperation,
                $"The edit was abandoned because {why}. This is a bug in ImageUpdater.PS; nothing was written. Please report it with the file.");
    }
}
