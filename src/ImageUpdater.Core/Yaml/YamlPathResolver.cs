using System.Collections.Generic;
using System.Linq;
using YamlDotNet.Core;

namespace ImageUpdater.Core.Yaml
{
    /// <summary>
    /// Finds the node a key path names, across the documents of a file: merge keys (&lt;&lt;) are followed, a literal dotted key wins
    /// over the nested path, a duplicate key is an error, and a missing node reports the deepest place that exists.
    /// </summary>
    internal sealed class YamlPathResolver
    {
        public YamlPathResolver(string sourceName) => SourceName = sourceName;

        /// <summary>The file name used in messages.</summary>
        public string SourceName { get; }

        public static SpanNode Deref(SpanNode node) => node is SpanAlias alias ? alias.Target : node;

        /// <summary>A node's kind as messages name it.</summary>
        public static string Kind(SpanNode node) => node switch
        {
            SpanMapping => "mapping",
            SpanSequence => "list",
            SpanScalar { IsNull: true } => "null value",
            SpanScalar s => $"scalar ('{(s.Value.Length > 40 ? s.Value.Substring(0, 40) + "…" : s.Value)}')",
            _ => "alias",
        };

        /// <summary>The first document where the path leads to a node; else the one where it got furthest.</summary>
        public YamlLocation Locate(IReadOnlyList<SpanDocument> docs, YamlKeyPath path)
        {
            YamlLocation? best = null;
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

            return best ?? new YamlLocation { Matched = 0 };
        }

        /// <summary>The entry for a key: a duplicate key is an error; missing keys are looked up through merge keys (&lt;&lt;).</summary>
        public SpanEntry? FindKey(SpanMapping mapping, string key, YamlKeyPath path)
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

        public YamlEditException Error(string id, FailureKind kind, SpanNode at, string message) =>
            new YamlEditException(id, kind, SourceName, at.Line, at.Column, message);

        private static string Here(IReadOnlyList<YamlPathSegment> segments, int count) =>
            count == 0 ? "the document root" : "'" + YamlKeyPath.Format(segments.Take(count)) + "'";

        private YamlLocation Resolve(SpanDocument doc, YamlKeyPath path)
        {
            var segments = path.Segments;
            var node = doc.Root;
            SpanMapping? holder = null;
            SpanEntry? holderEntry = null;
            for (var i = 0; i < segments.Count; i++)
            {
                if (node is null)
                {
                    return new YamlLocation { Document = doc, Matched = i };
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
                            return new YamlLocation { Document = doc, Found = Deref(dotted.Value), Holder = mapping, Entry = dotted, Matched = segments.Count };
                        }
                    }

                    var entry = FindKey(mapping, segment.Key!, path);
                    if (entry is null)
                    {
                        return new YamlLocation { Document = doc, Container = mapping, Matched = i };
                    }

                    holder = mapping;
                    holderEntry = entry;
                    node = entry.Value;
                }
                else if (node is SpanScalar { IsNull: true } empty)
                {
                    return new YamlLocation { Document = doc, Container = empty, Matched = i };
                }
                else
                {
                    throw Error(node is SpanScalar ? "YamlPathIntoScalar" : "YamlPathIntoSequence", FailureKind.InvalidArgument, node,
                        $"The key path '{path}' goes through {Here(segments, i)}, which is a {Kind(node)}" +
                        (node is SpanSequence ? "; address its items with [n] (for example images[0].tag)." : ", not a mapping; check the key path."));
                }
            }

            return new YamlLocation { Document = doc, Found = node is null ? null : Deref(node), Holder = holder, Entry = holderEntry, Matched = segments.Count };
        }
    }

    /// <summary>Where a key path led in one document.</summary>
    internal sealed class YamlLocation
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
