using System;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ImageUpdater.Core.Tags
{
    /// <summary>
    /// How old an image must be before a strategy may choose it (<c>&lt;alias&gt;.min-age</c>, <c>-MinimumAge</c>): written as Go-style
    /// durations (<c>90s</c>, <c>30m</c>, <c>2h</c>, <c>1h30m</c>) plus days and weeks (<c>3d</c>, <c>1w</c>). The age is the push time
    /// (ECR imagePushedAt) or else the build time (OCI config <c>created</c>); a tag with neither is never old enough.
    /// </summary>
    public static class MinimumAge
    {
        private static readonly Regex Part = new Regex(@"\G([0-9]{1,6})(w|d|h|m|s)", RegexOptions.CultureInvariant);

        public static bool TryParse(string? text, out TimeSpan age, out string error)
        {
            age = TimeSpan.Zero;
            error = string.Empty;
            var value = text?.Trim() ?? string.Empty;
            if (value == "0")
            {
                return true;
            }

            var at = 0;
            var seen = string.Empty;
            while (at < value.Length)
            {
                var match = Part.Match(value, at);
                if (!match.Success || seen.IndexOf(match.Groups[2].Value, StringComparison.Ordinal) >= 0)
                {
                    break;
                }

                var n = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                age += match.Groups[2].Value switch
                {
                    "w" => TimeSpan.FromDays(7 * n),
                    "d" => TimeSpan.FromDays(n),
                    "h" => TimeSpan.FromHours(n),
                    "m" => TimeSpan.FromMinutes(n),
                    _ => TimeSpan.FromSeconds(n),
                };
                seen += match.Groups[2].Value;
                at += match.Length;
            }

            if (value.Length == 0 || at != value.Length)
            {
                error = $"'{value}' is not a minimum age; write a number with a unit, such as 30m, 2h, 1h30m or 3d";
                age = TimeSpan.Zero;
                return false;
            }

            return true;
        }

        /// <summary>The age as written: <c>2h</c>, <c>1h30m</c>, <c>3d</c>.</summary>
        public static string Format(TimeSpan age)
        {
            var text = new StringBuilder();
            if (age.Days > 0)
            {
                text.Append(age.Days).Append('d');
            }

            if (age.Hours > 0)
            {
                text.Append(age.Hours).Append('h');
            }

            if (age.Minutes > 0)
            {
                text.Append(age.Minutes).Append('m');
            }

            if (age.Seconds > 0 || text.Length == 0)
            {
                text.Append(age.Seconds).Append('s');
            }

            return text.ToString();
        }

        /// <summary>When the tag was pushed, else built; null when the registry said neither.</summary>
        public static DateTimeOffset? TimeOf(ImageTag tag) => tag.PushedAt ?? tag.CreatedAt;
    }
}
