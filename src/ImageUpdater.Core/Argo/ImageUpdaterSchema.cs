using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Yaml;

namespace ImageUpdater.Core.Argo
{
    /// <summary>
    /// Checks an ImageUpdater object tree against the OpenAPI schema of upstream's CRD (embedded, see Argo/Crd/README.md) as
    /// the API server would: types, required fields, unknown fields (which the server drops), patterns, lengths, item counts,
    /// unique list-map keys, and the CEL rules (<see cref="CelRule"/>), with the schema's defaults applied first.
    /// </summary>
    public static class ImageUpdaterSchema
    {
        private static readonly Lazy<IDictionary<string, object?>> Root = new Lazy<IDictionary<string, object?>>(Load);

        /// <summary>The problems of one resource: (field path, severity, message); the field path starts at the object's root (spec.…).</summary>
        public static IReadOnlyList<(string Path, DiagnosticSeverity Severity, string Message)> Check(IDictionary<string, object?> manifest)
        {
            var problems = new List<(string, DiagnosticSeverity, string)>();
            var properties = ObjectTree.Map(Root.Value, "properties");
            if (ObjectTree.Get(manifest, "spec") is { } spec && ObjectTree.Map(properties, "spec") is { } specSchema)
            {
                Walk(spec, specSchema, "spec", problems);
            }
            else
            {
                problems.Add(("spec", DiagnosticSeverity.Error, "spec is missing."));
            }

            return problems;
        }

        private static void Walk(object? node, IDictionary<string, object?> schema, string path, List<(string, DiagnosticSeverity, string)> problems)
        {
            if (node is null)
            {
                return;
            }

            var type = ObjectTree.Text(schema, "type");
            switch (type)
            {
                case "object":
                    if (node is not IDictionary<string, object?> map)
                    {
                        problems.Add((path, DiagnosticSeverity.Error, $"{path} must be an object."));
                        return;
                    }

                    WalkObject(map, schema, path, problems);
                    break;
                case "array":
                    if (node is not IList<object?> list)
                    {
                        problems.Add((path, DiagnosticSeverity.Error, $"{path} must be a list."));
                        return;
                    }

                    WalkArray(list, schema, path, problems);
                    break;
                case "string":
                    if (node is IDictionary<string, object?> || node is IList<object?>)
                    {
                        problems.Add((path, DiagnosticSeverity.Error, $"{path} must be a string."));
                        return;
                    }

                    var text = Convert.ToString(node, CultureInfo.InvariantCulture) ?? string.Empty;
                    if (ObjectTree.Text(schema, "pattern") is { } pattern && !Regex.IsMatch(text, pattern, RegexOptions.CultureInvariant))
                    {
                        problems.Add((path, DiagnosticSeverity.Error, $"{path} '{text}' does not match the CRD's pattern {pattern}."));
                    }

                    if (Int(schema, "minLength") is { } min && text.Length < min)
                    {
                        problems.Add((path, DiagnosticSeverity.Error, $"{path} must have at least {min} character(s)."));
                    }

                    if (Int(schema, "maxLength") is { } max && text.Length > max)
                    {
                        problems.Add((path, DiagnosticSeverity.Error, $"{path} may have at most {max} characters."));
                    }

                    break;
                case "boolean":
                    if (node is not string b || (b != "true" && b != "false"))
                    {
                        problems.Add((path, DiagnosticSeverity.Error, $"{path} must be true or false."));
                    }

                    break;
                case "integer":
                    if (node is not string n || !long.TryParse(n, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                    {
                        problems.Add((path, DiagnosticSeverity.Error, $"{path} must be an integer."));
                    }

                    break;
            }
        }

        private static void WalkObject(IDictionary<string, object?> map, IDictionary<string, object?> schema, string path, List<(string, DiagnosticSeverity, string)> problems)
        {
            var properties = ObjectTree.Map(schema, "properties");
            var additional = ObjectTree.Map(schema, "additionalProperties");
            foreach (var pair in map)
            {
                if (properties is not null && properties.TryGetValue(pair.Key, out var child) && child is IDictionary<string, object?> childSchema)
                {
                    Walk(pair.Value, childSchema, path + "." + pair.Key, problems);
                }
                else if (additional is not null)
                {
                    Walk(pair.Value, additional, path + "." + pair.Key, problems);
                }
                else if (properties is not null)
                {
                    var hint = AnnotationParser.DidYouMean(pair.Key, properties.Keys);
                    problems.Add((path + "." + pair.Key, DiagnosticSeverity.Error, $"Unknown field '{pair.Key}' in {path}; the CRD has no such field, so the API server drops it.{hint}"));
                }
            }

            foreach (var required in (ObjectTree.List(schema, "required") ?? new List<object?>()).OfType<string>().Where(r => !map.ContainsKey(r) || map[r] is null))
            {
                problems.Add((path + "." + required, DiagnosticSeverity.Error, $"{path}.{required} is required."));
            }

            var rules = ObjectTree.List(schema, "x-kubernetes-validations");
            if (rules is null)
            {
                return;
            }

            var withDefaults = new Dictionary<string, object?>(map, StringComparer.Ordinal);
            foreach (var property in properties ?? new Dictionary<string, object?>())
            {
                if (!withDefaults.ContainsKey(property.Key) && ObjectTree.Get(property.Value, "default") is { } value)
                {
                    withDefaults[property.Key] = value;
                }
            }

            foreach (var rule in rules)
            {
                var text = ObjectTree.Text(rule, "rule") ?? string.Empty;
                try
                {
                    if (!CelRule.Holds(text, withDefaults))
                    {
                        problems.Add((path, DiagnosticSeverity.Error, (ObjectTree.Text(rule, "message") ?? "The CRD's rule " + text + " fails") + " (" + path + ")."));
                    }
                }
                catch (FormatException ex)
                {
                    problems.Add((path, DiagnosticSeverity.Warning, $"The CRD's rule '{text}' was not checked: {ex.Message}."));
                }
            }
        }

        private static void WalkArray(IList<object?> list, IDictionary<string, object?> schema, string path, List<(string, DiagnosticSeverity, string)> problems)
        {
            if (Int(schema, "minItems") is { } min && list.Count < min)
            {
                problems.Add((path, DiagnosticSeverity.Error, $"{path} needs at least {min} item(s)."));
            }

            if (Int(schema, "maxItems") is { } max && list.Count > max)
            {
                problems.Add((path, DiagnosticSeverity.Error, $"{path} may have at most {max} items."));
            }

            if (ObjectTree.Map(schema, "items") is { } items)
            {
                for (var i = 0; i < list.Count; i++)
                {
                    Walk(list[i], items, $"{path}[{i}]", problems);
                }
            }

            // listType map: the API server refuses two items with the same key.
            if (ObjectTree.Text(schema, "x-kubernetes-list-type") == "map")
            {
                var keys = (ObjectTree.List(schema, "x-kubernetes-list-map-keys") ?? new List<object?>()).OfType<string>().ToArray();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                for (var i = 0; i < list.Count; i++)
                {
                    var key = string.Join("/", keys.Select(k => ObjectTree.Text(list[i], k) ?? string.Empty));
                    if (!seen.Add(key))
                    {
                        problems.Add(($"{path}[{i}]", DiagnosticSeverity.Error, $"{path}[{i}] repeats {string.Join("/", keys)} '{key}'; the API server refuses duplicate keys in this list."));
                    }
                }
            }
        }

        private static int? Int(IDictionary<string, object?> schema, string key) =>
            int.TryParse(ObjectTree.Text(schema, key), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

        private static IDictionary<string, object?> Load()
        {
            using var stream = typeof(ImageUpdaterSchema).Assembly.GetManifestResourceStream("ImageUpdater.Core.ImageUpdaterCrd.yaml")
                ?? throw new InvalidOperationException("The embedded ImageUpdater CRD is missing from ImageUpdater.Core.");
            using var reader = new StreamReader(stream);
            var crd = YamlObjectReader.Read(reader.ReadToEnd(), "ImageUpdater CRD").OfType<IDictionary<string, object?>>().Single();
            var version = (ObjectTree.List(crd, "spec.versions") ?? new List<object?>()).First(v => ObjectTree.Text(v, "name") == ImageUpdaterResource.Version);
            return ObjectTree.Map(version, "schema.openAPIV3Schema") ?? throw new InvalidOperationException("The embedded CRD has no openAPIV3Schema.");
        }
    }
}
