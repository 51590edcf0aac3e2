using System;
using System.Collections.Generic;
using System.Linq;

namespace ImageUpdater.Core.Yaml
{
    /// <summary>The other key paths that show a node through anchors and aliases (an edit there changes them too).</summary>
    internal static class YamlAliasPlaces
    {
        /// <summary>Every other key path that shows <paramref name="node"/> (a key created in it appears there too); its own path is left out.</summary>
        public static IReadOnlyList<string> OtherThanItself(SpanDocument doc, SpanNode node)
        {
            var own = new List<YamlPathSegment>();
            for (var at = node; at.Parent is not null; at = at.Parent)
            {
                own.Insert(0, at.Segment);
            }

            var self = YamlKeyPath.Format(own);
            return Other(doc, node, null).Where(p => p != self).ToList();
        }

        /// <summary>Every key path that shows <paramref name="node"/>, through aliases of it or of its ancestors, except <paramref name="asked"/>.</summary>
        public static IReadOnlyList<string> Other(SpanDocument doc, SpanNode node, YamlKeyPath? asked)
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
    }
}
