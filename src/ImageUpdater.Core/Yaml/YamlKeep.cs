using System;
using System.Collections.Generic;

namespace ImageUpdater.Core.Yaml
{
    /// <summary>
    /// Which keys of a YAML document <see cref="YamlObjectReader"/> builds into objects (dotted paths; everything below a named
    /// path is kept): the rest is parsed and checked against the limits like any other node, but no object is made for it.
    /// </summary>
    internal sealed class YamlKeep
    {
        private readonly Dictionary<string, YamlKeep?> children = new Dictionary<string, YamlKeep?>(StringComparer.Ordinal);

        private YamlKeep()
        {
        }

        /// <summary>A filter keeping the given paths (<c>metadata.annotations</c> keeps that mapping and all below it).</summary>
        public static YamlKeep Paths(params string[] paths)
        {
            var root = new YamlKeep();
            foreach (var path in paths)
            {
                var node = root;
                var parts = path.Split('.');
                for (var i = 0; i < parts.Length; i++)
                {
                    if (i == parts.Length - 1)
                    {
                        node.children[parts[i]] = null;
                    }
                    else if (node.children.TryGetValue(parts[i], out var child))
                    {
                        // A shorter path already keeps everything below.
                        if (child is null)
                        {
                            break;
                        }

                        node = child;
                    }
                    else
                    {
                        var next = new YamlKeep();
                        node.children[parts[i]] = next;
                        node = next;
                    }
                }
            }

            return root;
        }

        /// <summary>Whether the value of <paramref name="key"/> is kept; <paramref name="below"/> filters inside it (null = all of it).</summary>
        public bool Keeps(string? key, out YamlKeep? below)
        {
            below = null;
            return key is not null && children.TryGetValue(key, out below);
        }
    }
}
