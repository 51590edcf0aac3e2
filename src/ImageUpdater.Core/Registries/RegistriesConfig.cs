using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using ImageUpdater.Core.Images;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ImageUpdater.Core.Registries
{
    /// <summary>
    /// Argo CD Image Updater's <c>registries.conf</c>: read from the file itself, from the <c>argocd-image-updater-config</c>
    /// ConfigMap manifest (<c>data.registries.conf</c>), or from the Helm chart's values (<c>config.registries</c>).
    /// </summary>
    public sealed class RegistriesConfig
    {
        private static readonly HashSet<string> Keys = new HashSet<string>(StringComparer.Ordinal)
        {
            "name", "api_url", "prefix", "credentials", "credsexpire", "insecure", "defaultns", "default", "limit", "tagsortmode", "ping", "ca_file", "ca_data",
        };

        public RegistriesConfig(IReadOnlyList<RegistryEndpoint> registries, string? source = null)
        {
            Registries = registries;
            Source = source;
        }

        /// <summary>The configured registries in file order.</summary>
        public IReadOnlyList<RegistryEndpoint> Registries { get; }

        /// <summary>The file it was read from.</summary>
        public string? Source { get; }

        /// <summary>No registries: Docker Hub built in, every other host inferred.</summary>
        public static RegistriesConfig Empty { get; } = new RegistriesConfig(Array.Empty<RegistryEndpoint>());

        public static RegistriesConfig Load(string path)
        {
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new ImageUpdaterException("RegistriesConfigUnreadable", e is FileNotFoundException || e is DirectoryNotFoundException ? FailureKind.ObjectNotFound : FailureKind.ReadError, $"Cannot read registries configuration {path}: {e.Message}", path, e);
            }

            return Parse(text, path);
        }

        /// <summary>Parses registries.conf text, a ConfigMap manifest holding it, or Helm values with <c>config.registries</c>.</summary>
        public static RegistriesConfig Parse(string text, string source = "registries.conf") => Parse(text, source, 0);

        private static RegistriesConfig Parse(string text, string source, int lineOffset)
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(text));
            }
            catch (YamlException e)
            {
                throw Error(source, (int)e.Start.Line + lineOffset, $"is not valid YAML: {e.InnerException?.Message ?? e.Message}");
            }

            foreach (var document in stream.Documents)
            {
                if (document.RootNode is not YamlMappingNode root)
                {
                    continue;
                }

                if (Child(root, "registries") is { } list)
                {
                    return new RegistriesConfig(ReadList(list, source, lineOffset), source);
                }

                if (Child(root, "data") is YamlMappingNode data && Child(data, "registries.conf") is YamlScalarNode embedded)
                {
                    // Lines inside a block scalar start one line below its indicator; quoted or plain scalars start on the same line.
                    var offset = embedded.Style == ScalarStyle.Literal || embedded.Style == ScalarStyle.Folded ? (int)embedded.Start.Line : (int)embedded.Start.Line - 1;
                    return Parse(embedded.Value ?? string.Empty, source, lineOffset + offset);
                }

                if (Child(root, "config") is YamlMappingNode config && Child(config, "registries") is { } values)
                {
                    return new RegistriesConfig(ReadList(values, source, lineOffset), source);
                }
            }

            throw Error(source, 1, "has no 'registries:' list (nor a ConfigMap with data.registries.conf, nor Helm values with config.registries)");
        }

        /// <summary>
        /// True when the image is reached through the ECR API (DescribeImages): an ECR host that this registries.conf does not name.
        /// A named ECR registry is read through the distribution API, as upstream does.
        /// </summary>
        public bool UsesEcrApi(ImageReference image) =>
            Ecr.EcrHost.IsEcrHost(image.EffectiveRegistry) && !Registries.Contains(Find(image));

        /// <summary>
        /// The endpoint serving an image, as upstream picks it: the default registry for images without a host, an exact prefix match
        /// on the host, the longest prefix of <c>host/repository</c>, Docker Hub built in, else an endpoint inferred from the host.
        /// </summary>
        public RegistryEndpoint Find(ImageReference image)
        {
            if (image.Registry is null)
            {
                return Registries.FirstOrDefault(r => r.IsDefault) ?? RegistryEndpoint.DockerHub();
            }

            var exact = Registries.FirstOrDefault(r => string.Equals(r.Prefix, image.Registry, StringComparison.OrdinalIgnoreCase));
            if (exact is not null)
            {
                return exact;
            }

            var full = image.Registry + "/" + image.Repository;
            var longest = Registries
                .Where(r => r.Prefix.Length > 0 && full.StartsWith(r.Prefix, StringComparison.OrdinalIgnoreCase))
                .OrderByDescending(r => r.Prefix.Length)
                .FirstOrDefault();
            if (longest is not null)
            {
                return longest;
            }

            if (IsDockerHubHost(image.Registry))
            {
                return RegistryEndpoint.DockerHub();
            }

            return RegistryEndpoint.Inferred(image.Registry);
        }

        internal static bool IsDockerHubHost(string host) =>
            host is not null && Images.ImageName.IsDockerHub(host);

        private static List<RegistryEndpoint> ReadList(YamlNode node, string source, int lineOffset)
        {
            var result = new List<RegistryEndpoint>();
            if (node is YamlScalarNode empty && string.IsNullOrEmpty(empty.Value))
            {
                return result;
            }

            if (node is not YamlSequenceNode items)
            {
                throw Error(source, Line(node) + lineOffset, "'registries' must be a list of registry entries");
            }

            foreach (var item in items)
            {
                if (item is not YamlMappingNode entry)
                {
                    throw Error(source, Line(item) + lineOffset, "a registries entry must be a mapping with name, api_url, prefix, …");
                }

                result.Add(ReadEntry(entry, source, lineOffset));
            }

            if (result.Count(r => r.IsDefault) > 1)
            {
                var second = result.Where(r => r.IsDefault).ElementAt(1);
                throw Error(source, second.Line, $"registry '{second.Name}' is marked default, and only one registry may be the default");
            }

            var emptyPrefixes = result.Where(r => r.Prefix.Length == 0).ToList();
            if (emptyPrefixes.Count > 1)
            {
                throw Error(source, emptyPrefixes[1].Line, $"registry '{emptyPrefixes[1].Name}' has no prefix, and only one registry may have an empty prefix");
            }

            return result;
        }

        private static RegistryEndpoint ReadEntry(YamlMappingNode entry, string source, int lineOffset)
        {
            var values = new Dictionary<string, YamlScalarNode>(StringComparer.Ordinal);
            foreach (var pair in entry.Children)
            {
                var key = (pair.Key as YamlScalarNode)?.Value ?? string.Empty;
                if (!Keys.Contains(key))
                {
                    throw Error(source, Line(pair.Key) + lineOffset, $"unknown key '{key}' in a registries entry (known: {string.Join(", ", Keys)})");
                }

                if (pair.Value is not YamlScalarNode scalar)
                {
                    throw Error(source, Line(pair.Value) + lineOffset, $"'{key}' must be a single value");
                }

                values[key] = scalar;
            }

            var entryLine = Line(entry) + lineOffset;
            string? Text(string key) => values.TryGetValue(key, out var n) && !string.IsNullOrEmpty(n.Value) ? n.Value!.Trim() : null;
            int At(string key) => values.TryGetValue(key, out var n) ? Line(n) + lineOffset : entryLine;

            var name = Text("name") ?? throw Error(source, entryLine, "a registries entry has no 'name'");
            var apiUrl = Text("api_url") ?? throw Error(source, entryLine, $"registry '{name}' has no 'api_url'");
            if (!apiUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase) && !apiUrl.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            {
                throw Error(source, At("api_url"), $"api_url '{apiUrl}' of registry '{name}' must start with https:// or http://");
            }

            var endpoint = new RegistryEndpoint(name, apiUrl)
            {
                Prefix = Text("prefix") ?? string.Empty,
                DefaultNamespace = Text("defaultns"),
                Line = entryLine,
                Insecure = Bool("insecure", false),
                IsDefault = Bool("default", false),
                Ping = Bool("ping", true),
            };

            if (Text("credentials") is { } credentials)
            {
                try
                {
                    endpoint.Credentials = CredentialSource.Parse(credentials);
                }
                catch (ImageUpdaterException e)
                {
                    throw Error(source, At("credentials"), e.Message.TrimEnd('.'));
                }
            }

            // As upstream: an insecure registry skips certificate checks, so its CA settings are not even read.
            if (!endpoint.Insecure && (Text("ca_file") is not null || Text("ca_data") is not null))
            {
                try
                {
                    var folder = Path.IsPathRooted(source) ? Path.GetDirectoryName(source) : null;
                    endpoint.Trust = RegistryTrust.Load(Text("ca_file"), values.TryGetValue("ca_data", out var data) ? data.Value : null, folder);
                }
                catch (ImageUpdaterException e)
                {
                    throw Error(source, At(e.Message.StartsWith("ca_data", StringComparison.Ordinal) ? "ca_data" : "ca_file"), $"could not configure CA certificates for registry {name}: {e.Message}");
                }
            }

            if (Text("credsexpire") is { } expire)
            {
                endpoint.CredentialsExpire = GoDuration.TryParse(expire, out var duration) && duration > TimeSpan.Zero
                    ? duration
                    : throw Error(source, At("credsexpire"), $"credsexpire '{expire}' is not a duration such as 30m, 10h or 1h30m");
            }

            if (Text("limit") is { } limit)
            {
                endpoint.Limit = double.TryParse(limit, NumberStyles.Float, CultureInfo.InvariantCulture, out var rps)
                    ? Math.Max(0, rps)
                    : throw Error(source, At("limit"), $"limit '{limit}' is not a number of requests per second");
            }

            switch ((Text("tagsortmode") ?? "none").ToLowerInvariant())
            {
                case "none": endpoint.TagSortMode = TagSortMode.None; break;
                case "latest-first": endpoint.TagSortMode = TagSortMode.LatestFirst; break;
                case "latest-last": endpoint.TagSortMode = TagSortMode.LatestLast; break;
                default: throw Error(source, At("tagsortmode"), $"tagsortmode '{Text("tagsortmode")}' is not one of none, latest-first, latest-last");
            }

            return endpoint;

            bool Bool(string key, bool fallback)
            {
                var value = Text(key);
                if (value is null)
                {
                    return fallback;
                }

                switch (value.ToLowerInvariant())
                {
                    case "true": case "yes": case "y": case "on": return true;
                    case "false": case "no": case "n": case "off": return false;
                    default: throw Error(source, At(key), $"'{key}: {value}' is not a boolean (yes/no, true/false)");
                }
            }
        }

        private static YamlNode? Child(YamlMappingNode map, string key) =>
            map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

        private static int Line(YamlNode node) => (int)node.Start.Line;

        private static ImageUpdaterException Error(string source, int line, string what) =>
            new ImageUpdaterException("RegistriesConfigInvalid", FailureKind.InvalidData, $"{source}, line {line}: {what}.", source);
    }

    /// <summary>Go's time.ParseDuration subset used in configuration: <c>1h30m</c>, <c>10h</c>, <c>90s</c>, <c>500ms</c>, <c>1.5h</c>.</summary>
    internal static class GoDuration
    {
        public static bool TryParse(string text, out TimeSpan duration)
        {
            duration = TimeSpan.Zero;
            var s = text.Trim();
            if (s.Length == 0)
            {
                return false;
            }

            var i = 0;
            double total = 0;
            while (i < s.Length)
            {
                var start = i;
                while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '.'))
                {
                    i++;
                }

                if (start == i || !double.TryParse(s.Substring(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    return false;
                }

                var unitStart = i;
                while (i < s.Length && char.IsLetter(s[i]))
                {
                    i++;
                }

                switch (s.Substring(unitStart, i - unitStart))
                {
                    case "h": total += number * 3600_000; break;
                    case "m": total += number * 60_000; break;
                    case "s": total += number * 1000; break;
                    case "ms": total += number; break;
                    case "us": case "µs": total += number / 1000; break;
                    case "ns": total += number / 1_000_000; break;
                    default: return false;
                }
            }

            duration = TimeSpan.FromMilliseconds(total);
            return true;
        }
    }
}
