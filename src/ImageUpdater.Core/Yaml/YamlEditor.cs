using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
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
        private static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(false, true);
        private List<SpanDocument>? documents;
        private int indentUnit;
        private int sequenceIndent;

        private YamlEditor(string text, bool hasBom, string sourceName)
        {
            OriginalText = text;
            Text = text;
            HasBom = hasBom;
            SourceName = sourceName;
            LineBreak = DetectLineBreak(text);
            documents = YamlTreeReader.Read(text, sourceName);
            DetectIndentation();
        }

        /// <summary>The file name used in messages.</summary>
        public string SourceName { get; }

        /// <summary>The text as read, without a BOM.</summary>
        public string OriginalText { get; }

        /// <summary>The text with the edits so far, without a BOM.</summary>
        public string Text { get; private set; }

        public bool HasBom { get; }

        /// <summary>"\r\n" when the file's first line break is CRLF, else "\n"; new lines use it.</summary>
        public string LineBreak { get; }

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
            if (bytes.Length > YamlTreeReader.MaxChars * 2L)
            {
                throw TooLarge(sourceName, bytes.Length);
            }

            var bom = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF;
            string text;
            try
            {
                text = bom ? StrictUtf8.GetString(bytes, 3, bytes.Length - 3) : StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException ex)
            {
                throw new YamlEditException("YamlNotUtf8", FailureKind.InvalidData, sourceName, 0, 0,
                    "The file is not UTF-8 text; save it as UTF-8 and try again. It was left untouched.", ex);
            }

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
        public static byte[] ReadBytes(string path)
        {
            var limit = YamlTreeReader.MaxChars * 2L;
            var info = new FileInfo(path);
            if (info.Exists && info.Length > limit)
            {
                throw TooLarge(path, info.Length);
            }

            // Devices and pipes (/dev/zero) report no length: the cap holds while reading too.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var bytes = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (bytes.Length + read > limit)
                {
                    throw TooLarge(path, bytes.Length + read);
                }

                bytes.Write(chunk, 0, read);
            }

            return bytes.ToArray();
        }

        /// <summary>The bytes to write: the edited text in UTF-8, with the BOM when the file had one.</summary>
        public byte[] ToBytes()
        {
            var body = StrictUtf8.GetBytes(Text);
            if (!HasBom)
            {
                return body;
            }

            var bytes = new byte[body.Length + 3];
            bytes[0] = 0xEF;
            bytes[1] = 0xBB;
            bytes[2] = 0xBF;
            Buffer.BlockCopy(body, 0, bytes, 3, body.Length);
            return bytes;
        }

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
                    node = node is SpanMapping mapping ? FindKey(mapping, itemKey, path)?.Value : null;
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
                var places = OtherPlaces(location.Document!, scalar, path);
                if (!scalar.IsNull && scalar.Value == value && (!plain || scalar.Style == ScalarStyle.Plain))
                {
                    return new YamlScalarChange(path.Text, value, value, false, false, scalar.Line, scalar.Column, places);
                }

                ReplaceScalar(scalar, value, plain);
                change = new YamlScalarChange(path.Text, scalar.IsNull ? null : scalar.Value, value, true, false, scalar.Line, scalar.Column, places);
            }
            else
            {
                var target = Create(path, location, plain ? new PlainText(value) : value);
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
            Append(sequencePath, fields.Select(f => new KeyValuePair<string, object>(f.Key, f.Value is bool b ? new PlainText(b ? "true" : "false") : f.Value)).ToList());

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
                var lineStart = LineStart(entry.Key.Start);
                if (IsBlankRange(lineStart, entry.Key.Start))
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
                    Splice(last?.ContentEnd ?? sequence.Close, last?.ContentEnd ?? sequence.Close, (last is null ? string.Empty : ", ") + Flow(item));
                }
                else
                {
                    var dash = DashIndent(sequence);
                    var gap = sequence.Items[0].Column - 1 - dash;
                    var lines = Indent(dash) + "-" + new string(' ', Math.Max(1, gap - 1)) + Item(item, dash + Math.Max(2, gap));
                    InsertLines(LineAfter(sequence.ContentEnd), lines);
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
            if (scalar.ValueStart == scalar.End)
            {
                // An empty value: the parser marks the spot right after "key:".
                var before = scalar.ValueStart > 0 ? Text[scalar.ValueStart - 1] : '\n';
                rendered = (before == ' ' || before == '\t' || before == '\n' ? string.Empty : " ") + rendered;
            }

            Splice(scalar.ValueStart, scalar.ContentEnd, rendered);
            CheckScalar(rendered.TrimStart(' '), scalar.InFlow, value);
        }

        /// <summary>
        /// Checks a replaced scalar's new text where it stands: only that span changed, so reading it back in the same
        /// context (block value or flow item) as one scalar of the same value is enough; the document is re-parsed lazily.
        /// </summary>
        private void CheckScalar(string rendered, bool inFlow, string value)
        {
            var snippet = inFlow ? "[" + rendered + "]" : "k: " + rendered;
            var scalars = new List<string>();
            try
            {
                var parser = new Parser(new StringReader(snippet));
                while (parser.MoveNext())
                {
                    if (parser.Current is YamlDotNet.Core.Events.Scalar scalar)
                    {
                        scalars.Add(scalar.Value);
                    }
                    else if (parser.Current is YamlDotNet.Core.Events.MappingStart && inFlow)
                    {
                        scalars.Add("(mapping)");
                    }
                }
            }
            catch (YamlException ex)
            {
                throw Broken($"the new value {rendered} does not parse ({ex.Message})");
            }

            var read = inFlow ? scalars.SingleOrDefault() : scalars.Count == 2 ? scalars[1] : null;
            if (read != value)
            {
                throw Broken($"the new text {rendered} reads as '{read}' instead of '{value}'");
            }
        }

        private (int Line, int Column, IReadOnlyList<string> Places) Create(YamlKeyPath path, Location location, object leaf)
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

            var places = location.Container is SpanNode c && location.Document is { } doc ? OtherPlaces(doc, c, null) : Array.Empty<string>();
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
                    var block = Block(new List<KeyValuePair<string, object>> { new KeyValuePair<string, object>(rest[0].Key!, value) }, 0);
                    InsertLines(Text.Length, block);
                    Reparse();
                    return (LineOf(Text.Length), 1, places);
            }
        }

        private void InsertEntry(SpanMapping mapping, string key, object value)
        {
            if (mapping.IsFlow)
            {
                var last = mapping.Entries.Count > 0 ? mapping.Entries[mapping.Entries.Count - 1] : null;
                var at = last?.Value.ContentEnd ?? mapping.Close;
                Splice(at, at, (last is null ? string.Empty : ", ") + Key(key, true) + ": " + Flow(value));
            }
            else
            {
                var indent = KeyIndent(mapping);
                InsertLines(LineAfter(mapping.ContentEnd), Indent(indent) + Key(key, false) + ":" + AfterKey(value, indent));
            }

            Reparse();
        }

        /// <summary>Gives a null value (<c>key:</c>, <c>key: ~</c>) content: a scalar in place, a collection on the lines below.</summary>
        private void FillNull(SpanScalar scalar, object value)
        {
            if (value is string || value is PlainText)
            {
                ReplaceScalar(scalar, value.ToString()!, value is PlainText);
                return;
            }

            if (scalar.InFlow)
            {
                var before = scalar.ValueStart == scalar.End ? " " : string.Empty;
                Splice(scalar.ValueStart, scalar.ContentEnd, before + Flow(value));
                Reparse();
                return;
            }

            int childIndent;
            if (scalar.Parent is SpanMapping { IsFlow: false } parent)
            {
                childIndent = KeyIndent(parent) + (value is List<object> ? sequenceIndent : indentUnit);
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
            InsertLines(insertAt, Block(value, childIndent));
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
                Splice(Text.Length, Text.Length, LineBreak + lines);
            }
            else
            {
                Splice(at, at, lines + LineBreak);
            }
        }

        private string AfterKey(object value, int keyIndent) => value switch
        {
            string s => " " + YamlScalarText.Render(s, ScalarStyle.Plain, false),
            PlainText p => " " + p.Text,
            List<KeyValuePair<string, object>> { Count: 0 } => " {}",
            List<object> { Count: 0 } => " []",
            List<KeyValuePair<string, object>> map => LineBreak + Block(map, keyIndent + indentUnit),
            List<object> list => LineBreak + Block(list, keyIndent + sequenceIndent),
            _ => throw Broken("unknown value " + value.GetType().Name),
        };

        /// <summary>Block lines of a mapping (keys at <paramref name="indent"/>) or a list (dashes at it), without a final line break.</summary>
        private string Block(object value, int indent)
        {
            var lines = new List<string>();
            if (value is List<KeyValuePair<string, object>> map)
            {
                foreach (var entry in map)
                {
                    lines.Add(Indent(indent) + Key(entry.Key, false) + ":" + AfterKey(entry.Value, indent));
                }
            }
            else
            {
                foreach (var item in (List<object>)value)
                {
                    lines.Add(Indent(indent) + "- " + Item(item, indent + 2));
                }
            }

            return string.Join(LineBreak, lines);
        }

        /// <summary>A list item's text after "- ": a scalar, or a mapping whose first key sits on the dash line.</summary>
        private string Item(object item, int contentIndent)
        {
            if (item is List<KeyValuePair<string, object>> { Count: > 0 } map)
            {
                return Block(map, contentIndent).Substring(contentIndent);
            }

            return item switch
            {
                string s => YamlScalarText.Render(s, ScalarStyle.Plain, false),
                PlainText p => p.Text,
                _ => Flow(item),
            };
        }

        private static string Flow(object value) => value switch
        {
            string s => YamlScalarText.Render(s, ScalarStyle.Plain, true),
            PlainText p => p.Text,
            List<KeyValuePair<string, object>> map => "{" + string.Join(", ", map.Select(e => Key(e.Key, true) + ": " + Flow(e.Value))) + "}",
            List<object> list => "[" + string.Join(", ", list.Select(Flow)) + "]",
            _ => throw Broken("unknown value " + value.GetType().Name),
        };

        private static string Key(string key, bool inFlow) => YamlScalarText.Render(key, ScalarStyle.Plain, inFlow);

        private static string Indent(int n) => new string(' ', Math.Max(0, n));

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

        private Location Locate(YamlKeyPath path)
        {
            var docs = Documents;
            Location? best = null;
            ImageUpdaterException? error = null;
            foreach (var doc in docs)
            {
                try
                {
                    var location = Resolve(doc, path);
                    if (location.Found is not null)
                    {
                        return location;
                    }

                    if (best is null || location.Matched > best.Matched)
                    {
                        best = location;
                    }
                }
                catch (ImageUpdaterException ex) when (docs.Count > 1)
                {
                    error ??= ex;
                }
            }

            if (error is not null)
            {
                throw error;
            }

            return best ?? new Location { Matched = 0 };
        }

        private Location Resolve(SpanDocument doc, YamlKeyPath path)
        {
            var segments = path.Segments;
            var node = doc.Root;
            SpanMapping? holder = null;
            SpanEntry? holderEntry = null;
            for (var i = 0; i < segments.Count; i++)
            {
                if (node is null)
                {
                    return new Location { Document = doc, Matched = i };
                }

                node = Deref(node);
                var segment = segments[i];
                if (segment.IsIndex)
                {
                    if (node is not SpanSequence sequence)
                    {
                        throw Error("YamlPathNotSequence", FailureKind.InvalidArgument, node,
                            $"The key path '{path}' indexes {Here(segments, i)}, which is a {Kind(node)}, not a list; check the key path.");
                    }

                    if (segment.Index >= sequence.Items.Count)
                    {
                        throw Error("YamlIndexOutOfRange", FailureKind.InvalidArgument, sequence,
                            $"The key path '{path}' asks for item [{segment.Index}] of {Here(segments, i)}, which has {sequence.Items.Count} item(s); check the index.");
                    }

                    node = sequence.Items[segment.Index];
                    holder = null;
                    holderEntry = null;
                    continue;
                }

                if (node is SpanMapping mapping)
                {
                    // A literal dotted key ("image.tag": x) wins over the nested path, as upstream matches it first.
                    if (i < segments.Count - 1 && segments.Skip(i).All(s => !s.IsIndex))
                    {
                        var literal = string.Join(".", segments.Skip(i).Select(s => s.Key));
                        var dotted = FindKey(mapping, literal, path);
                        if (dotted is not null)
                        {
                            return new Location { Document = doc, Found = Deref(dotted.Value), Holder = mapping, Entry = dotted, Matched = segments.Count };
                        }
                    }

                    var entry = FindKey(mapping, segment.Key!, path);
                    if (entry is null)
                    {
                        return new Location { Document = doc, Container = mapping, Matched = i };
                    }

                    holder = mapping;
                    holderEntry = entry;
                    node = entry.Value;
                }
                else if (node is SpanScalar { IsNull: true } empty)
                {
                    return new Location { Document = doc, Container = empty, Matched = i };
                }
                else
                {
                    throw Error(node is SpanScalar ? "YamlPathIntoScalar" : "YamlPathIntoSequence", FailureKind.InvalidArgument, node,
                        $"The key path '{path}' goes through {Here(segments, i)}, which is a {Kind(node)}" +
                        (node is SpanSequence ? "; address its items with [n] (for example images[0].tag)." : ", not a mapping; check the key path."));
                }
            }

            return new Location { Document = doc, Found = node is null ? null : Deref(node), Holder = holder, Entry = holderEntry, Matched = segments.Count };
        }

        /// <summary>The entry for a key: a duplicate key is an error; missing keys are looked up through merge keys (&lt;&lt;).</summary>
        private SpanEntry? FindKey(SpanMapping mapping, string key, YamlKeyPath path)
        {
            SpanEntry? match = null;
            SpanEntry? merge = null;
            foreach (var entry in mapping.Entries)
            {
                if (entry.KeyText == key)
                {
                    if (match is not null)
                    {
                        throw Error("YamlDuplicateKey", FailureKind.InvalidData, entry.Key,
                            $"The key '{key}' appears twice in this mapping (first at line {match.Key.Line}), so '{path}' is ambiguous; remove one of them.");
                    }

                    match = entry;
                }
                else if (entry.KeyText == "<<" && entry.Key is SpanScalar { Style: ScalarStyle.Plain })
                {
                    merge = entry;
                }
            }

            if (match is not null || merge is null)
            {
                return match;
            }

            var sources = Deref(merge.Value) is SpanSequence list ? list.Items.Select(Deref) : new[] { Deref(merge.Value) };
            foreach (var source in sources)
            {
                if (source is SpanMapping from && FindKey(from, key, path) is { } inherited)
                {
                    return inherited;
                }
            }

            return null;
        }

        /// <summary>Every key path that shows <paramref name="node"/>, through aliases of it or of its ancestors, except <paramref name="asked"/>.</summary>
        private static IReadOnlyList<string> OtherPlaces(SpanDocument doc, SpanNode node, YamlKeyPath? asked)
        {
            if (doc.Aliases.Count == 0)
            {
                return Array.Empty<string>();
            }

            var places = new List<string>();
            Collect(node, new List<YamlPathSegment>());
            var own = asked is null ? null : YamlKeyPath.Format(asked.Segments);
            return places.Distinct().Where(p => p != own && p != asked?.Text).ToList();

            void Collect(SpanNode target, List<YamlPathSegment> below)
            {
                if (places.Count >= 100)
                {
                    return;
                }

                var rel = new List<YamlPathSegment>(below);
                for (SpanNode? at = target; at is not null; at = at.Parent)
                {
                    foreach (var alias in doc.Aliases)
                    {
                        if (alias.Target == at)
                        {
                            // An alias under "<<" merges into the mapping that holds the merge key.
                            var shown = alias.Parent is SpanMapping && alias.Segment.Key == "<<" ? alias.Parent
                                : alias.Parent is SpanSequence && alias.Parent.Segment.Key == "<<" ? alias.Parent.Parent
                                : alias;
                            if (shown is not null)
                            {
                                Collect(shown, rel);
                            }
                        }
                    }

                    if (at.Parent is null)
                    {
                        break;
                    }

                    rel.Insert(0, at.Segment);
                }

                var full = new List<YamlPathSegment>();
                for (var at = target; at.Parent is not null; at = at.Parent)
                {
                    full.Insert(0, at.Segment);
                }

                full.AddRange(below);
                places.Add(YamlKeyPath.Format(full));
            }
        }

        private void DetectIndentation()
        {
            int? unit = null;
            int? seq = null;
            foreach (var doc in Documents)
            {
                Walk(doc.Root);
            }

            indentUnit = unit ?? 2;
            sequenceIndent = seq ?? 0;

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
                            seq = DashIndent(list) - KeyIndent(mapping);
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
        private static int KeyIndent(SpanMapping mapping) => (mapping.Entries.Count > 0 ? mapping.Entries[0].Key.Column : mapping.Column) - 1;

        /// <summary>The column (0-based) of a block sequence's dashes, found before its first item.</summary>
        private int DashIndent(SpanSequence sequence)
        {
            var i = sequence.Items[0].Start - 1;
            while (i > 0 && (Text[i] == ' ' || Text[i] == '\t'))
            {
                i--;
            }

            return Text[i] == '-' ? i - LineStart(i) : sequence.Column - 1;
        }

        private static SpanNode Deref(SpanNode node) => node is SpanAlias alias ? alias.Target : node;

        private static string DetectLineBreak(string text)
        {
            var lf = text.IndexOf('\n');
            return lf > 0 && text[lf - 1] == '\r' ? "\r\n" : "\n";
        }

        private int LineAfter(int position)
        {
            var lf = Text.IndexOf('\n', Math.Min(position, Text.Length));
            return lf < 0 ? Text.Length : lf + 1;
        }

        private int LineStart(int position)
        {
            var lf = position > 0 ? Text.LastIndexOf('\n', position - 1) : -1;
            return lf + 1;
        }

        private int LineOf(int position)
        {
            var line = 1;
            for (var i = 0; i < position && i < Text.Length; i++)
            {
                if (Text[i] == '\n')
                {
                    line++;
                }
            }

            return line;
        }

        private bool IsBlankRange(int start, int end)
        {
            for (var i = start; i < end; i++)
            {
                if (Text[i] != ' ' && Text[i] != '\t')
                {
                    return false;
                }
            }

            return true;
        }

        private static string Here(IReadOnlyList<YamlPathSegment> segments, int count) =>
            count == 0 ? "the document root" : "'" + YamlKeyPath.Format(segments.Take(count)) + "'";

        private static string Kind(SpanNode node) => node switch
        {
            SpanMapping => "mapping",
            SpanSequence => "list",
            SpanScalar { IsNull: true } => "null value",
            SpanScalar s => $"scalar ('{(s.Value.Length > 40 ? s.Value.Substring(0, 40) + "…" : s.Value)}')",
            _ => "alias",
        };

        private YamlEditException NotScalar(YamlKeyPath path, SpanNode node) =>
            Error("YamlNotScalar", FailureKind.InvalidArgument, node, $"'{path}' is a {Kind(node)}, not a scalar value; point the key path at the value itself (for example image.tag).");

        private YamlEditException Error(string id, FailureKind kind, SpanNode at, string message) =>
            new YamlEditException(id, kind, SourceName, at.Line, at.Column, message);

        private static ImageUpdaterException Broken(string why) =>
            new ImageUpdaterException("YamlEditCheckFailed", FailureKind.InvalidOperation,
                $"The edit was abandoned because {why}. This is a bug in ImageUpdater.PS; nothing was written. Please report it with the file.");

        private static YamlEditException TooLarge(string file, long bytes) =>
            new YamlEditException("YamlFileTooLarge", FailureKind.LimitsExceeded, file, 0, 0,
                $"The file has {bytes:N0} bytes or more, more than this editor accepts ({YamlTreeReader.MaxChars:N0} characters); edit it by hand or split it.");

        /// <summary>A value written as is, unquoted (booleans).</summary>
        private sealed class PlainText
        {
            public PlainText(string text) => Text = text;

            public string Text { get; }

            public override string ToString() => Text;
        }

        private sealed class Location
        {
            public SpanDocument? Document { get; set; }

            /// <summary>The node at the full path (aliases followed), or null when something is missing.</summary>
            public SpanNode? Found { get; set; }

            /// <summary>When missing: the deepest node that exists (a mapping or a null value); null for a file without documents.</summary>
            public SpanNode? Container { get; set; }

            /// <summary>The mapping and entry holding <see cref="Found"/> when the last segment is a key.</summary>
            public SpanMapping? Holder { get; set; }

            public SpanEntry? Entry { get; set; }

            public int Matched { get; set; }
        }
    }
}
