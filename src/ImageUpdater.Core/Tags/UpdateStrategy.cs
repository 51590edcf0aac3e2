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

    public static class UpdateStrategyNames
    {
        /// <summary>Parses an upstream strategy name (case-insensitive, deprecated names accepted). Returns false for unknown names.</summary>
        public static bool TryParse(string? value, out UpdateStrategy strategy, out bool deprecated)
        {
            deprecated = false;
            switch ((value ?? string.Empty).Trim().ToLowerInvariant())
            {
                case "semver": strategy = UpdateStrategy.Semver; return true;
                case "newest-build": strategy = UpdateStrategy.NewestBuild; return true;
                case "latest": strategy = UpdateStrategy.NewestBuild; deprecated = true; return true;
                case "alphabetical": strategy = UpdateStrategy.Alphabetical; return true;
                case "name": strategy = UpdateStrategy.Alphabetical; deprecated = true; return true;
                case "digest": strategy = UpdateStrategy.Digest; return true;
                default: strategy = UpdateStrategy.Semver; return false;
            }
        }

        /// <summary>The annotation spelling of a strategy.</summary>
        public static string ToAnnotationValue(this UpdateStrategy strategy) => strategy switch
        {
            UpdateStrategy.NewestBuild => "newest-build",
            UpdateStrategy.Alphabetical => "alphabetical",
            UpdateStrategy.Digest => "digest",
            _ => "semver",
        };
    }
}
