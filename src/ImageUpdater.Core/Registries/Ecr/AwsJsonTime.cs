using System;
using System.Globalization;

namespace ImageUpdater.Core.Registries.Ecr
{
    /// <summary>awsJson timestamps: epoch seconds, possibly fractional, in exponent form or as a string.</summary>
    internal static class AwsJsonTime
    {
        private static readonly DateTimeOffset Epoch = new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);

        /// <summary>The time of a JSON number (<paramref name="number"/>) or string (<paramref name="text"/>); null when neither reads as seconds.</summary>
        public static DateTimeOffset? Parse(double? number, string? text)
        {
            double seconds;
            if (number is { } n)
            {
                seconds = n;
            }
            else if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds))
            {
                return null;
            }

            return Epoch.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
        }
    }
}
