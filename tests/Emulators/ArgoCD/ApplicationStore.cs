using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;

namespace ImageUpdater.Emulators.ArgoCD
{
    /// <summary>The Applications an emulator serves, keyed by namespace/name, with a resourceVersion counter. Guarded by its own lock.</summary>
    public sealed class ApplicationStore
    {
        private readonly object gate = new object();
        private readonly Dictionary<string, JsonObject> apps = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        private long version = 1000;

        public ApplicationStore(string defaultNamespace)
        {
            DefaultNamespace = defaultNamespace;
        }

        /// <summary>The namespace of an Application without one (Argo CD's control-plane namespace).</summary>
        public string DefaultNamespace { get; }

        /// <summary>Loads every *.json file of a folder whose kind is Application (the real documents in shared/data/api-models).</summary>
        public int LoadFolder(string folder)
        {
            var count = 0;
            foreach (var file in Directory.EnumerateFiles(folder, "*.json").OrderBy(f => f, StringComparer.Ordinal))
            {
                if (JsonNode.Parse(File.ReadAllText(file)) is JsonObject doc && (string?)doc["kind"] == "Application")
                {
                    Put(doc);
                    count++;
                }
            }

            return count;
        }

        /// <summary>Loads a file holding one Application, a JSON array of them, or an ApplicationList.</summary>
        public int LoadFile(string file)
        {
            var doc = JsonNode.Parse(File.ReadAllText(file));
            var items = doc switch
            {
                JsonArray array => array.OfType<JsonObject>().ToList(),
                JsonObject list when list["items"] is JsonArray listItems => listItems.OfType<JsonObject>().ToList(),
                JsonObject single => new List<JsonObject> { single },
                _ => new List<JsonObject>(),
            };
            foreach (var item in items)
            {
                Put(item);
            }

            return items.Count;
        }

        /// <summary>Creates or replaces an Application; returns the stored copy with a new resourceVersion.</summary>
        public JsonObject Put(JsonObject application)
        {
            var copy = (JsonObject)application.DeepClone();
            var metadata = copy["metadata"] as JsonObject ?? throw new ArgumentException("an Application needs metadata");
            var name = (string?)metadata["name"] ?? throw new ArgumentException("an Application needs metadata.name");
            metadata["namespace"] ??= DefaultNamespace;
            copy["apiVersion"] ??= "argoproj.io/v1alpha1";
            copy["kind"] ??= "Application";
            lock (gate)
            {
                metadata["resourceVersion"] = (++version).ToString(CultureInfo.InvariantCulture);
                apps[Key((string)metadata["namespace"]!, name)] = copy;
                return (JsonObject)copy.DeepClone();
            }
        }

        public JsonObject? Get(string ns, string name)
        {
            lock (gate)
            {
                return apps.TryGetValue(Key(ns, name), out var app) ? (JsonObject)app.DeepClone() : null;
            }
        }

        /// <summary>All Applications (copies), in name order; a null namespace means every namespace.</summary>
        public List<JsonObject> List(string? ns)
        {
            lock (gate)
            {
                return apps.Values
                    .Where(a => ns is null || (string?)a["metadata"]!["namespace"] == ns)
                    .OrderBy(a => (string?)a["metadata"]!["namespace"], StringComparer.Ordinal)
                    .ThenBy(a => (string?)a["metadata"]!["name"], StringComparer.Ordinal)
                    .Select(a => (JsonObject)a.DeepClone())
                    .ToList();
            }
        }

        /// <summary>Applies a change to the stored Application atomically (read, change, write under the lock).</summary>
        public JsonObject Update(string ns, string name, Func<JsonObject, JsonObject> change)
        {
            lock (gate)
            {
                if (!apps.TryGetValue(Key(ns, name), out var current))
                {
                    throw new KeyNotFoundException(name);
                }

                var updated = change((JsonObject)current.DeepClone());
                var metadata = (JsonObject)updated["metadata"]!;
                metadata["resourceVersion"] = (++version).ToString(CultureInfo.InvariantCulture);
                if (metadata["generation"] is JsonValue generation && generation.TryGetValue<long>(out var g))
                {
                    metadata["generation"] = g + 1;
                }

                apps[Key(ns, name)] = updated;
                return (JsonObject)updated.DeepClone();
            }
        }

        public static string Name(JsonObject app) => (string?)app["metadata"]?["name"] ?? string.Empty;

        public static string Namespace(JsonObject app) => (string?)app["metadata"]?["namespace"] ?? string.Empty;

        public static string Project(JsonObject app) => (string?)app["spec"]?["project"] ?? "default";

        public static IReadOnlyDictionary<string, string> Labels(JsonObject app) =>
            (app["metadata"]?["labels"] as JsonObject)?.ToDictionary(p => p.Key, p => (string?)p.Value ?? string.Empty, StringComparer.Ordinal)
            ?? new Dictionary<string, string>();

        private static string Key(string ns, string name) => ns + "/" + name;
    }

    /// <summary>Kubernetes label selectors: <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k</c>, <c>!k</c>, <c>k in (a,b)</c>, <c>k notin (a,b)</c>, ANDed by commas.</summary>
    public static class LabelSelector
    {
        public static Func<IReadOnlyDictionary<string, string>, bool> Parse(string? selector)
        {
            if (string.IsNullOrWhiteSpace(selector))
            {
                return _ => true;
            }

            var tests = new List<Func<IReadOnlyDictionary<string, string>, bool>>();
            foreach (var term in SplitTerms(selector!))
            {
                var t = term.Trim();
                var setMatch = System.Text.RegularExpressions.Regex.Match(t, @"^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$");
                if (setMatch.Success)
                {
                    var key = setMatch.Groups[1].Value;
                    var values = setMatch.Groups[3].Value.Split(',').Select(v => v.Trim()).ToHashSet(StringComparer.Ordinal);
                    var negate = setMatch.Groups[2].Value == "notin";
                    tests.Add(l => negate ? !(l.TryGetValue(key, out var v) && values.Contains(v)) : l.TryGetValue(key, out var w) && values.Contains(w));
                }
                else if (t.Contains("!="))
                {
                    var parts = t.Split(new[] { "!=" }, 2, StringSplitOptions.None);
                    var (key, value) = (parts[0].Trim(), parts[1].Trim());
                    tests.Add(l => !l.TryGetValue(key, out var v) || v != value);
                }
                else if (t.Contains('='))
                {
                    var parts = t.Split(new[] { "==", "=" }, 2, StringSplitOptions.None);
                    var (key, value) = (parts[0].Trim(), parts[1].Trim());
                    tests.Add(l => l.TryGetValue(key, out var v) && v == value);
                }
                else if (t.StartsWith("!", StringComparison.Ordinal))
                {
                    var key = t.Substring(1).Trim();
                    tests.Add(l => !l.ContainsKey(key));
                }
                else if (System.Text.RegularExpressions.Regex.IsMatch(t, @"^[\w./-]+$"))
                {
                    tests.Add(l => l.ContainsKey(t));
                }
                else
                {
                    throw new FormatException($"unable to parse requirement: {t}");
                }
            }

            return labels => tests.All(test => test(labels));
        }

        // Commas inside "in (a,b)" do not separate terms.
        private static IEnumerable<string> SplitTerms(string selector)
        {
            var depth = 0;
            var start = 0;
            for (var i = 0; i < selector.Length; i++)
            {
                depth += selector[i] == '(' ? 1 : selector[i] == ')' ? -1 : 0;
                if (selector[i] == ',' && depth == 0)
                {
                    yield return selector.Substring(start, i - start);
                    start = i + 1;
                }
            }

            yield return selector.Substring(start);
        }
    }
}
