using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;

namespace ImageUpdater.Emulators.ArgoCD
{
    /// <summary>A JSON Patch or merge patch failed; the message reads like evanphx/json-patch's (which Argo CD uses).</summary>
    public sealed class JsonPatchException : Exception
    {
        public JsonPatchException(string message)
            : base(message)
        {
        }
    }

    /// <summary>RFC 6902 JSON Patch (add, remove, replace, move, copy, test) and RFC 7386 merge patch over System.Text.Json nodes.</summary>
    public static class JsonPatchDocument
    {
        /// <summary>Applies every operation to a copy of <paramref name="document"/>; any failure leaves the original untouched.</summary>
        public static JsonNode Apply(JsonNode document, JsonArray operations)
        {
            var root = new JsonObject { ["doc"] = document.DeepClone() };
            foreach (var item in operations)
            {
                if (item is not JsonObject operation || operation["op"]?.GetValue<string>() is not { } op || operation["path"]?.GetValue<string>() is not { } path)
                {
                    throw new JsonPatchException("invalid operation: each needs \"op\" and \"path\"");
                }

                switch (op)
                {
                    case "add":
                        Add(root, path, RequireValue(operation, op));
                        break;
                    case "remove":
                        Remove(root, path);
                        break;
                    case "replace":
                        Remove(root, path);
                        Add(root, path, RequireValue(operation, op));
                        break;
                    case "move":
                    {
                        var from = operation["from"]?.GetValue<string>() ?? throw new JsonPatchException("move operation missing from");
                        var value = Get(root, from) ?? throw new JsonPatchException($"move operation does not apply: doc is missing from path: {from}");
                        Remove(root, from);
                        Add(root, path, value.DeepClone());
                        break;
                    }

                    case "copy":
                    {
                        var from = operation["from"]?.GetValue<string>() ?? throw new JsonPatchException("copy operation missing from");
                        var value = Get(root, from) ?? throw new JsonPatchException($"copy operation does not apply: doc is missing from path: {from}");
                        Add(root, path, value.DeepClone());
                        break;
                    }

                    case "test":
                    {
                        var expected = RequireValue(operation, op);
                        if (!Exists(root, path) || !JsonNode.DeepEquals(Get(root, path), expected))
                        {
                            throw new JsonPatchException($"testing value {path} failed: test failed");
                        }

                        break;
                    }

                    default:
                        throw new JsonPatchException($"Unexpected kind: {op}");
                }
            }

            return root["doc"]!.DeepClone();
        }

        /// <summary>RFC 7386: objects merge, null removes, everything else (arrays included) replaces.</summary>
        public static JsonNode? Merge(JsonNode? target, JsonNode? patch)
        {
            if (patch is not JsonObject patchObject)
            {
                return patch?.DeepClone();
            }

            var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : new JsonObject();
            foreach (var pair in patchObject)
            {
                if (pair.Value is null)
                {
                    result.Remove(pair.Key);
                }
                else
                {
                    result[pair.Key] = Merge(result[pair.Key], pair.Value);
                }
            }

            return result;
        }

        private static JsonNode? RequireValue(JsonObject operation, string op)
        {
            if (!operation.ContainsKey("value"))
            {
                throw new JsonPatchException($"{op} operation has no value");
            }

            return operation["value"]?.DeepClone();
        }

        private static List<string> Split(string path)
        {
            if (path.Length > 0 && path[0] != '/')
            {
                throw new JsonPatchException($"invalid JSON pointer: {path}");
            }

            var parts = new List<string> { "doc" };
            if (path.Length > 0)
            {
                parts.AddRange(path.Substring(1).Split('/').Select(p => p.Replace("~1", "/").Replace("~0", "~")));
            }

            return parts;
        }

        private static (JsonNode Parent, string Key) Parent(JsonObject root, string path)
        {
            var parts = Split(path);
            JsonNode? node = root;
            foreach (var part in parts.Take(parts.Count - 1))
            {
                node = Child(node, part) ?? throw new JsonPatchException($"doc is missing path: {path}");
            }

            return (node!, parts[parts.Count - 1]);
        }

        private static JsonNode? Child(JsonNode? node, string key) => node switch
        {
            JsonObject o => o.TryGetPropertyValue(key, out var v) ? v : null,
            JsonArray a => int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count ? a[i] : null,
            _ => null,
        };

        private static bool Exists(JsonObject root, string path)
        {
            var (parent, key) = Parent(root, path);
            return parent switch
            {
                JsonObject o => o.ContainsKey(key),
                JsonArray a => int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count,
                _ => false,
            };
        }

        private static JsonNode? Get(JsonObject root, string path)
        {
            var (parent, key) = Parent(root, path);
            return Child(parent, key);
        }

        private static void Add(JsonObject root, string path, JsonNode? value)
        {
            var (parent, key) = Parent(root, path);
            switch (parent)
            {
                case JsonObject o:
                    o[key] = value;
                    break;
                case JsonArray a:
                    if (key == "-")
                    {
                        a.Add(value);
                    }
                    else if (int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i <= a.Count)
                    {
                        a.Insert(i, value);
                    }
                    else
                    {
                        throw new JsonPatchException($"add operation does not apply: doc is missing path: \"{path}\": index out of bounds");
                    }

                    break;
                default:
                    throw new JsonPatchException($"add operation does not apply: doc is missing path: \"{path}\"");
            }
        }

        private static void Remove(JsonObject root, string path)
        {
            var (parent, key) = Parent(root, path);
            switch (parent)
            {
                case JsonObject o when o.ContainsKey(key):
                    o.Remove(key);
                    break;
                case JsonArray a when int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count:
                    a.RemoveAt(i);
                    break;
                default:
                    throw new JsonPatchException($"remove operation does not apply: doc is missing path: \"{path}\"");
            }
        }
    }
}
