using System;
using System.Diagnostics;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Registries.Oci;
using ImageUpdater.Emulators.Oci;

namespace OciBench
{
    /// <summary>
    /// newest-build over N tags on the real docker-registry (loopback, htpasswd), with an added round-trip latency per request:
    /// requests and wall time of a first run (empty metadata cache), a second run (cache file from the first), a third run after
    /// pushing new tags, and a first run with -ThrottleLimit 1 for comparison.
    /// Usage: OciBench [tags=200] [latencyMs=20] [newTags=10]
    /// </summary>
    public static class Program
    {
        public static async Task<int> Main(string[] args)
        {
            var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
            var latency = TimeSpan.FromMilliseconds(args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 20);
            var added = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10;
            if (DockerRegistry.MissingReason is { } missing)
            {
                Console.Error.WriteLine(missing);
                return 2;
            }

            await using var registry = await DockerRegistry.StartAsync(new[] { "bench:bench-pw" });
            using var pusher = new RegistryPusher(registry.Url, "bench", "bench-pw");
            var day = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
            var push = Stopwatch.StartNew();
            // Every tenth tag is a two-platform index, as many real repositories mix them.
            for (var i = 0; i < count; i++)
            {
                await PushAsync(pusher, i, day);
            }

            Console.WriteLine($"pushed {count} tags to docker-registry {registry.Host} in {push.Elapsed.TotalSeconds:0.0} s; added latency {latency.TotalMilliseconds} ms per request");
            var cache = Path.Combine(Path.GetTempPath(), "oci-bench-" + Guid.NewGuid().ToString("N") + ".json");
            try
            {
                var cold = await RunAsync(registry, cache, 8, latency);
                Report("first run (empty cache, ThrottleLimit 8)", cold, count);
                var warm = await RunAsync(registry, cache, 8, latency);
                Report("second run (cache from the first)", warm, count);
                for (var i = count; i < count + added; i++)
                {
                    await PushAsync(pusher, i, day);
                }

                var more = await RunAsync(registry, cache, 8, latency);
                Report($"third run (after pushing {added} new tags)", more, count + added);
                var serial = await RunAsync(registry, cache + ".serial", 1, latency);
                Report("first run with ThrottleLimit 1 (empty cache)", serial, count + added);

                var headOnly = warm.Requests.GetValueOrDefault("HEAD manifest") == count && !warm.Requests.ContainsKey("GET manifest") && !warm.Requests.ContainsKey("GET blob");
                Console.WriteLine(headOnly ? "goal met: the second run sent one HEAD per tag and read no manifest or blob" : "GOAL MISSED: the second run read manifests or blobs");
                return headOnly ? 0 : 1;
            }
            finally
            {
                File.Delete(cache);
                File.Delete(cache + ".serial");
            }
        }

        private static Task PushAsync(RegistryPusher pusher, int i, DateTimeOffset day) =>
            i % 10 == 9
                ? pusher.PushIndexAsync("bench/app", $"1.{i / 100}.{i % 100}", new[] { ("linux/amd64", day.AddHours(i)), ("linux/arm64", day.AddHours(i).AddMinutes(5)) })
                : pusher.PushImageAsync("bench/app", $"1.{i / 100}.{i % 100}", day.AddHours(i));

        private sealed record Run(TimeSpan Elapsed, System.Collections.Generic.IReadOnlyDictionary<string, int> Requests, string Newest);

        private static async Task<Run> RunAsync(DockerRegistry registry, string cachePath, int throttle, TimeSpan latency)
        {
            // limit 0: no requests-per-second cap (inferred endpoints get upstream's 20/s), so the client's concurrency shows.
            var config = RegistriesConfig.Parse($"registries:\n- name: bench\n  api_url: {registry.Url}\n  prefix: {registry.Host}\n  limit: 0\n");
            using var client = new OciRegistryClient(config, new OciClientOptions
            {
                Credential = new NetworkCredential("bench", "bench-pw"),
                ThrottleLimit = throttle,
                Cache = new ImageMetadataCache(cachePath),
                Transport = _ => new Delay(latency, new HttpClientHandler { AllowAutoRedirect = false }),
            });
            var watch = Stopwatch.StartNew();
            var tags = await client.ListTagsAsync(registry.Host, "bench/app", new TagListOptions { NeedsMetadata = true });
            watch.Stop();
            var newest = tags.OrderByDescending(t => t.CreatedAt).First();
            return new Run(watch.Elapsed, client.Requests, $"{newest.Tag} built {newest.CreatedAt:u}");
        }

        private static void Report(string name, Run run, int tags)
        {
            var total = run.Requests.Values.Sum();
            Console.WriteLine($"{name}: {tags} tags, {total} requests ({string.Join(", ", run.Requests.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + " " + p.Value))}), {run.Elapsed.TotalMilliseconds:0} ms; newest {run.Newest}");
        }

        /// <summary>Adds a fixed round trip to every request, as a registry across a network has.</summary>
        private sealed class Delay : DelegatingHandler
        {
            private readonly TimeSpan latency;

            public Delay(TimeSpan latency, HttpMessageHandler inner)
                : base(inner)
            {
                this.latency = latency;
            }

            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                await Task.Delay(latency, cancellationToken).ConfigureAwait(false);
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
