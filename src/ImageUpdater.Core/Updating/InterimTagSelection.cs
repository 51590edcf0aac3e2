using System;
using System.Collections.Generic;
using System.Linq;
using ImageUpdater.Core.Tags;

namespace ImageUpdater.Core.Updating
{
    // TEMPORARY until the tags branch lands TagSelector.Select: a crude ordering so the planner runs; constraints and filters are ignored.
    internal static class InterimTagSelection
    {
        public static TagSelectionResult Select(IReadOnlyList<ImageTag> tags, TagSelectionOptions options)
        {
            IEnumerable<ImageTag> ordered = options.Strategy switch
            {
                UpdateStrategy.NewestBuild => tags.OrderByDescending(t => t.PushedAt).ThenByDescending(t => t.Tag, StringComparer.Ordinal),
                UpdateStrategy.Alphabetical => tags.OrderByDescending(t => t.Tag, StringComparer.Ordinal),
                UpdateStrategy.Digest => tags.Where(t => t.Tag == options.Constraint),
                _ => tags.Where(t => Version.TryParse(t.Tag.TrimStart('v'), out _)).OrderByDescending(t => Version.Parse(t.Tag.TrimStart('v'))),
            };
            var list = ordered.ToList();
            return new TagSelectionResult(list, list.Count == 0 ? "no tag" : list[0].Tag + " (interim selection)")
            {
                WinnerText = list.Count == 0 ? null : options.Strategy == UpdateStrategy.Digest ? list[0].Tag + "@" + list[0].Digest : list[0].Tag,
            };
        }
    }
}
