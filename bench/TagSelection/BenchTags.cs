using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using ImageUpdater.Core.Tags;

namespace TagSelectionBench
{
    /// <summary>The benchmark's workload, public so that Invoke-TagSelectionBench.ps1 times the same tags and options from PowerShell.</summary>
    public static class BenchTags
    {
        /// <summary>~1.4 over a repository of releases (half v-prefixed), pre-releases, sha tags and dated builds.</summary>
        public const string Constraint = "~3.4";

        /// <summary>Releases only, with or without v.</summary>
        public const string AllowTags = @"regexp:^v?\d+\.\d+\.\d+$";

        /// <summary>Unique tags in shuffled order, a quarter each: x.y.z, vx.y.z, x.y.z-rc.n, sha-hex.</summary>
        public static List<ImageTag> Generate(int count)
        {
            var random = new Random(7);
            var tags = new List<ImageTag>(count);
            for (int i = 0; i < count; i++)
            {
                int major = (i / 4) % 10, minor = (i / 40) % 10, patch = i / 400;
                string name = (i % 4) switch
                {
                    0 => major + "." + minor + "." + patch,
                    1 => "v" + major + "." + minor + "." + patch,
                    2 => major + "." + minor + "." + patch + "-rc." + (i % 7),
                    _ => "sha-" + ((uint)random.Next()).ToString("x8", CultureInfo.InvariantCulture),
                };
                tags.Add(new ImageTag(name) { PushedAt = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 + random.Next(10_000_000)) });
            }

            for (int i = tags.Count - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (tags[i], tags[j]) = (tags[j], tags[i]);
            }

            return tags;
        }

        public static TagSelectionOptions Options() => new TagSelectionOptions { Constraint = Constraint, AllowTags = AllowTags };

        /// <summary>Runs the action <paramref name="warmup"/> times unmeasured, then returns each of <paramref name="runs"/> timings in milliseconds.</summary>
        public static double[] Time(Action action, int warmup, int runs)
        {
            for (int i = 0; i < warmup; i++)
            {
                action();
            }

            var times = new double[runs];
            for (int i = 0; i < runs; i++)
            {
                var sw = Stopwatch.StartNew();
                action();
                times[i] = sw.Elapsed.TotalMilliseconds;
            }

            return times;
        }

        public static double Median(IEnumerable<double> values)
        {
            var sorted = values.OrderBy(v => v).ToArray();
            int mid = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }
    }
}
