using System;
using System.Collections.Generic;
using System.Linq;

namespace ImageUpdater.Core.Tags
{
    /// <summary>How the newest tag is chosen (upstream names: semver, newest-build, alphabetical, digest).</summary>
    // 64-bit on purpose: PowerShell's ConvertTo-Json writes such enums by name ("Status": "Updated"), not as a number.
    public enum UpdateStrategy : long
    {
        /// <summary>Highest semantic version within the constraint (upstream default).</summary>
        Semver,

        /// <summary>Most recently built or pushed image (old name <c>latest</c>).</summary>
        NewestBuild,

        /// <summary>Last tag in lexical order (old name <c>name</c>).</summary>
        Alphabetical,

        /// <summary>Track the digest of one mutable tag named by the constraint.</summary>
        Digest,
    }

    /// <summary>The strategies' names, descriptions and constraint checks, as each strategy class declares them.</summary>
    public static class UpdateStrategyNames
    {
        /// <summary>The current names in the order they are offered (deprecated names left out).</summary>
        public static IReadOnlyList<string> Names { get; } = TagSelector.All.Select(s => s.Name).ToArray();

        /// <summary>"semver, newest-build, alphabetical or digest", for messages.</summary>
        public static string Choices { get; } = string.Join(", ", Names.Take(Names.Count - 1)) + " or " + Names[Names.Count - 1];

        /// <summary>Parses a strategy name (case-insensitive, deprecated names accepted). Returns false for unknown names.</summary>
        public static bool TryParse(string? value, out UpdateStrategy strategy, out bool deprecated)
        {
            var text = (value ?? string.Empty).Trim();
            foreach (var candidate in TagSelector.All)
            {
                deprecated = !string.Equals(candidate.Name, text, StringComparison.OrdinalIgnoreCase);
                if (!deprecated || candidate.DeprecatedNames.Contains(text, StringComparer.OrdinalIgnoreCase))
                {
                    strategy = candidate.Strategy;
                    return true;
                }
            }

            strategy = UpdateStrategy.Semver;
            deprecated = false;
            return false;
        }

        /// <summary>The annotation spelling of a strategy.</summary>
        public static string ToAnnotationValue(this UpdateStrategy strategy) => TagSelector.For(strategy).Name;

        /// <summary>What the strategy picks, in one line.</summary>
        public static string Description(this UpdateStrategy strategy) => TagSelector.For(strategy).Description;

        /// <summary>Why <paramref name="constraint"/> cannot work for <paramref name="image"/> under the strategy, or null.</summary>
        public static string? CheckConstraint(this UpdateStrategy strategy, string? constraint, string image) => TagSelector.For(strategy).CheckConstraint(constraint, image);
    }
}
