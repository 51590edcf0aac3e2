using System;
using System.Collections.Generic;

namespace ImageUpdater.Core.Tags
{
    /// <summary>
    /// The platforms option: <c>os/arch[/variant]</c> entries; a tag passes when one of its platforms is wanted.
    /// An entry without a variant wants every variant (<c>linux/arm</c> admits <c>linux/arm/v7</c>). A malformed entry
    /// is kept as a platform nothing is built for (upstream does the same, so a typo never picks a wrong architecture).
    /// Tags whose platforms are unknown (no manifest was read) are not filtered.
    /// </summary>
    public sealed class PlatformFilter
    {
        private readonly Platform[] _wanted;

        private PlatformFilter(Platform[] wanted, string text)
        {
            _wanted = wanted;
            Text = text;
        }

        /// <summary>Wants every platform.</summary>
        public static PlatformFilter Any { get; } = new PlatformFilter(Array.Empty<Platform>(), string.Empty);

        /// <summary>The platform an image must be built for when nothing else is said: upstream's controller runs on linux/amd64 on a usual cluster.</summary>
        public static IReadOnlyList<string> DefaultPlatforms { get; } = new[] { "linux/amd64" };

        /// <summary>
        /// The platforms an image is checked against: its own <c>platforms</c> (annotation, or -Platform for one image), else, for the strategies
        /// that read manifests (newest-build, digest, as upstream), the run's default (-Platform; null = <see cref="DefaultPlatforms"/>).
        /// <c>*</c> given as the run's default (or as the one image's -Platform) means every platform.
        /// </summary>
        public static IReadOnlyList<string> Effective(IReadOnlyList<string>? own, IReadOnlyList<string>? runDefault, UpdateStrategy strategy)
        {
            if (own is { Count: > 0 })
            {
                return own;
            }

            if (!TagSelector.For(strategy).NeedsMetadata)
            {
                return Array.Empty<string>();
            }

            var given = runDefault ?? DefaultPlatforms;
            return IsEvery(given) ? Array.Empty<string>() : given;
        }

        /// <summary>True when an operator's list is the one entry <c>*</c> (every platform).</summary>
        public static bool IsEvery(IReadOnlyList<string>? platforms) => platforms is { Count: 1 } && platforms[0]?.Trim() == "*";

        public bool IsEmpty => _wanted.Length == 0;

        /// <summary>The wanted platforms, comma separated.</summary>
        public string Text { get; }

        /// <summary>Reads platform entries; false when one is malformed (that entry then matches nothing) with the reason.</summary>
        public static bool TryParse(IEnumerable<string>? platforms, out PlatformFilter filter, out string? error)
        {
            error = null;
            var wanted = new List<Platform>();
            var names = new List<string>();
            foreach (var raw in platforms ?? Array.Empty<string>())
            {
                var entry = (raw ?? string.Empty).Trim();
                if (entry.Length == 0)
                {
                    continue;
                }

                names.Add(entry);
                if (Platform.TryParse(entry, out var platform))
                {
                    wanted.Add(platform);
                }
                else
                {
                    error ??= $"platform '{entry}' is not os/arch[/variant] (e.g. linux/amd64, linux/arm64/v8), so no image matches it";
                    wanted.Add(new Platform(entry, "\0", string.Empty));
                }
            }

            filter = wanted.Count == 0 ? Any : new PlatformFilter(wanted.ToArray(), string.Join(",", names));
            return error is null;
        }

        /// <summary>True when the tag's platforms are unknown or one of them is wanted.</summary>
        public bool Admits(IReadOnlyList<string> tagPlatforms)
        {
            if (_wanted.Length == 0 || tagPlatforms is null || tagPlatforms.Count == 0)
            {
                return true;
            }

            foreach (var text in tagPlatforms)
            {
                if (!Platform.TryParse(text, out var actual))
                {
                    continue;
                }

                foreach (var want in _wanted)
                {
                    if (want.Admits(actual))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        public override string ToString() => Text;

        private readonly struct Platform
        {
            public Platform(string os, string arch, string variant)
            {
                Os = os;
                Arch = arch;
                Variant = variant;
            }

            public string Os { get; }

            public string Arch { get; }

            public string Variant { get; }

            public static bool TryParse(string text, out Platform platform)
            {
                platform = default;
                // The one platform syntax (annotations, -Platform, manifest platforms): two or three non-empty parts.
                var parts = text.Split('/');
                if (parts.Length < 2 || parts.Length > 3 || Array.Exists(parts, p => p.Length == 0))
                {
                    return false;
                }

                platform = new Platform(parts[0], parts[1], parts.Length == 3 ? parts[2] : string.Empty);
                return true;
            }

            public bool Admits(Platform actual) =>
                string.Equals(Os, actual.Os, StringComparison.OrdinalIgnoreCase)
                && string.Equals(Arch, actual.Arch, StringComparison.OrdinalIgnoreCase)
                && (Variant.Length == 0 || string.Equals(Variant, actual.Variant, StringComparison.OrdinalIgnoreCase));
        }
    }
}
