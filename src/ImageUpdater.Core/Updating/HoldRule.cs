using System;
using System.Globalization;
using ImageUpdater.Core.Tags;

namespace ImageUpdater.Core.Updating
{
    /// <summary>The <c>hold</c> annotation: none (detect hand changes), <c>false</c> (never hold), <c>true</c> (hold), <c>until &lt;date&gt;</c>.</summary>
    public sealed record HoldSetting
    {
        public static readonly HoldSetting Released = new HoldSetting { Release = true };

        public static readonly HoldSetting Indefinite = new HoldSetting();

        /// <summary>True for <c>hold: "false"</c>: hand changes are not looked for.</summary>
        public bool Release { get; init; }

        /// <summary>The day the explicit hold ends (held before it, free from it), or null for <c>true</c>.</summary>
        public DateTimeOffset? Until { get; init; }

        /// <summary>Reads <c>true</c>, <c>false</c> or <c>until yyyy-MM-dd</c> (an ISO date or date-time, UTC when no offset is given).</summary>
        public static bool TryParse(string? text, out HoldSetting setting, out string error)
        {
            var value = (text ?? string.Empty).Trim();
            error = string.Empty;
            setting = Indefinite;
            if (value.Equals("true", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (value.Equals("false", StringComparison.OrdinalIgnoreCase))
            {
                setting = Released;
                return true;
            }

            const string Until = "until ";
            if (value.StartsWith(Until, StringComparison.OrdinalIgnoreCase)
                && DateTimeOffset.TryParse(value.Substring(Until.Length).Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var until))
            {
                setting = new HoldSetting { Until = until };
                return true;
            }

            error = $"hold '{value}' is not 'true', 'false' or 'until <date>' (for example 'until 2026-12-24')";
            return false;
        }
    }

    /// <summary>The last commit that changed the value at the written key: who set <see cref="Value"/> over <see cref="Previous"/>.</summary>
    public sealed record HandChange(string Sha, string AuthorName, string AuthorEmail, DateTimeOffset When, string Previous, string Value)
    {
        public string ShortSha => Sha.Length > 12 ? Sha.Substring(0, 12) : Sha;
    }

    /// <summary>
    /// Whether an update must wait for a person: an explicit hold, or a hand change (by an author other than the updater) that moved the value
    /// backwards or away from the tag the updater would write. Seed commits never count: only a commit that changed an existing value is a hand change.
    /// </summary>
    public static class HoldRule
    {
        /// <summary>The Reason of a held image, or null when the update may go ahead.</summary>
        public static string? Decide(HoldSetting? setting, HandChange? change, UpdateStrategy strategy, string chosenTag, DateTimeOffset now)
        {
            if (setting is { Release: true })
            {
                return null;
            }

            if (setting is not null)
            {
                if (setting.Until is null)
                {
                    return $"Held by the hold annotation (\"true\"); {chosenTag} is not written until it is set to \"false\" or removed.";
                }

                if (now < setting.Until.Value)
                {
                    return $"Held by the hold annotation until {setting.Until.Value.UtcDateTime:yyyy-MM-dd HH:mm} UTC; {chosenTag} is written from then on.";
                }

                if (change is null)
                {
                    return null;
                }
            }

            if (change is null || !AgainstUpdater(strategy, change.Previous, change.Value, chosenTag))
            {
                return null;
            }

            return $"Held: {change.AuthorName} <{change.AuthorEmail}> set {change.Value} (was {change.Previous}) by hand in commit {change.ShortSha} on {change.When.UtcDateTime:yyyy-MM-dd HH:mm} UTC; "
                + $"{chosenTag} is not written until the hold annotation is set to \"false\" (or -IgnoreHold).";
        }

        /// <summary>
        /// True when the hand change from <paramref name="previous"/> to <paramref name="value"/> went backwards, or the updater would move away from it
        /// to <paramref name="chosen"/> (an older or unrelated tag). Strategies without an order in tag text (newest-build, digest) treat any override as away.
        /// </summary>
        public static bool AgainstUpdater(UpdateStrategy strategy, string previous, string value, string chosen)
        {
            if (string.Equals(value, chosen, StringComparison.Ordinal))
            {
                return false;
            }

            switch (strategy)
            {
                case UpdateStrategy.Semver:
                    if (!SemanticVersion.TryParse(value, out var set) || !SemanticVersion.TryParse(chosen, out var next))
                    {
                        return true;
                    }

                    // Forward by hand and the updater goes further forward: the person and the updater agree.
                    return !SemanticVersion.TryParse(previous, out var before) || set < before || next < set;
                case UpdateStrategy.Alphabetical:
                    return string.CompareOrdinal(value, previous) < 0 || string.CompareOrdinal(chosen, value) < 0;
                default:
                    return true;
            }
        }
    }
}
