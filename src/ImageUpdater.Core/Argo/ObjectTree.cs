using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;

namespace ImageUpdater.Core.Argo
{
    /// <summary>
    /// A neutral object tree (IDictionary&lt;string, object?&gt;, IList&lt;object?&gt;, string scalars) that YAML files, the Argo CD API
    /// and the Kubernetes API all map into, so one mapper serves every source of Applications.
    /// </summary>
    public static class ObjectTree
    {
        /// <summary>Converts a JSON document to the tree; scalars become their text (true, 1.5), null stays null.</summary>
        public static object? FromJson(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                    foreach (var property in element.EnumerateObject())
                    {
                        map[property.Name] = FromJson(property.Value);
                    }

                    return map;
                case JsonValueKind.Array:
                    return element.EnumerateArray().Select(FromJson).ToList();
                case JsonValueKind.String:
                    return element.GetString();
                case JsonValueKind.Null:
                case JsonValueKind.Undefined:
                    return null;
                default:
                    return element.GetRawText();
            }
        }

        /// <summary>The mapping at a dotted path (<c>metadata.annotations</c>), or null.</summary>
        public static IDictionary<string, object?>? Map(object? root, string path) => Get(root, path) as IDictionary<string, object?>;

        public static IList<object?>? List(object? root, string path) => Get(root, path) as IList<object?>;

        /// <summary>The scalar at a dotted path as text, or null.</summary>
        public static string? Text(object? root, string path) => Get(root, path) switch
        {
            null => null,
            string s => s,
            IDictionary<string, object?> => null,
            IList<object?> => null,
            var other => Convert.ToString(other, CultureInfo.InvariantCulture),
        };

        public static object? Get(object? root, string path)
        {
            var current = root;
            foreach (var part in path.Split('.'))
            {
                if (current is IDictionary<string, object?> map && map.TryGetValue(part, out var next))
                {
                    current = next;
                }
                else
                {
                    return null;
                }
            }

            return current;
        }

        /// <summary>A string-to-string view of a mapping (annotations, labels); non-scalar values are skipped.</summary>
        public static Dictionary<string, string> StringMap(object? node)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            if (node is IDictionary<string, object?> map)
            {
                foreach (var pair in map)
                {
                    if (pair.Value is string s)
                    {
                        result[pair.Key] = s;
                    }
                    else if (pair.Value is not null && pair.Value is not IDictionary<string, object?> && pair.Value is not IList<object?>)
                    {
                        result[pair.Key] = Convert.ToString(pair.Value, CultureInfo.InvariantCulture) ?? string.Empty;
                    }
                }
            }

            return result;
        }
    }
}
