using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Registries.Ecr;
using ImageUpdater.Emulators.Ecr;

namespace EcrBench
{
    /// <summary>
    /// Prints what listing an ECR repository costs against the loopback emulator: DescribeImages calls (the emulator's own
    /// counter) against ⌈N/1000⌉, wall time, and what N applications sharing the repository cost through the per-run cache.
    /// Usage: EcrBench [images=5000] [latencyMs=20] [applications=50]
    /// </summary>
    public static class Program
    {
        public static async Task<int> Main(string[] args)
        {
            var images = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5000;
            var latency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
            var applications = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 50;

            var options = new EcrEmulatorOptions { Latency = TimeSpan.FromMilliseconds(latency) };
            options.Keys[EcrEmulatorOptions.DefaultAccessKey] = (EcrEmulatorOptions.DefaultSecretKey, null);
            options.Generated["bench/app"] = images;
            await using var emulator = EcrEmulator.StartNew(options);
            var aws = new AwsOptions
            {
                AccessKey = EcrEmulatorOptions.DefaultAccessKey,
                SecretKey = EcrEmulatorOptions.DefaultSecretKey,
                Region = options.Region,
                EndpointUrl = new Uri(emulator.Url),
            };

            var expected = (images + 999) / 1000;
            var ok = true;
            var times = new double[5];
            for (var run = 0; run < times.Length + 1; run++)
            {
                emulator.ResetStats();
                using var client = new EcrRegistryClient(aws);
                var watch = Stopwatch.StartNew();
                var tags = await client.ListTagsAsync(emulator.RegistryHost, "bench/app", TagListOptions.Default);
                watch.Stop();
                var calls = emulator.RequestCount("DescribeImages");
                if (tags.Count != images || calls != expected)
                {
                    Console.WriteLine($"FAIL: {tags.Count} tags in {calls} DescribeImages calls, expected {images} in {expected}");
                    ok = false;
                }

                if (run > 0)
                {
                    times[run - 1] = watch.Elapsed.TotalMilliseconds;
                }
            }

            Array.Sort(times);
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "Listing a repository of {0} images: {1} DescribeImages calls (⌈N/1000⌉ = {2}), median {3:F1} ms over {4} runs with {5} ms emulated latency per call",
                images, expected, expected, times[times.Length / 2], times.Length, latency));

            emulator.ResetStats();
            using (var shared = new EcrRegistryClient(aws))
            {
                var cached = new CachingRegistryClient(shared);
                var watch = Stopwatch.StartNew();
                var listings = await Task.WhenAll(Enumerable.Range(0, applications).Select(_ => Task.Run(() => cached.ListTagsAsync(emulator.RegistryHost, "bench/app", TagListOptions.Default))));
                watch.Stop();
                var calls = emulator.RequestCount("DescribeImages");
                ok &= calls == expected && listings.All(l => l.Count == images);
                Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                    "{0} applications sharing that repository (concurrently, per-run cache): {1} DescribeImages calls in all, {2:F1} ms",
                    applications, calls, watch.Elapsed.TotalMilliseconds));
            }

            return ok ? 0 : 1;
        }
    }
}
