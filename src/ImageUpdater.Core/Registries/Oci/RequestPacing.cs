using System;
using System.Collections.Concurrent;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace ImageUpdater.Core.Registries.Oci
{
    /// <summary>Spaces requests to at most <c>limit</c> per second (registries.conf <c>limit</c>) and counts them by kind.</summary>
    public sealed class RequestPacing : DelegatingHandler
    {
        private readonly TimeSpan interval;
        private readonly object gate = new object();
        private readonly ConcurrentDictionary<string, int> counts = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        private DateTime next = DateTime.MinValue;

        public RequestPacing(double limit, HttpMessageHandler inner)
            : base(inner)
        {
            interval = limit > 0 ? TimeSpan.FromTicks((long)(TimeSpan.TicksPerSecond / limit)) : TimeSpan.Zero;
        }

        /// <summary>Requests sent, by <c>METHOD kind</c> (<c>GET tags</c>, <c>HEAD manifest</c>, <c>GET blob</c>, <c>GET token</c>, <c>GET ping</c>).</summary>
        public ConcurrentDictionary<string, int> Counts => counts;

        public int Total
        {
            get
            {
                var total = 0;
                foreach (var pair in counts)
                {
                    total += pair.Value;
                }

                return total;
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (interval > TimeSpan.Zero)
            {
                TimeSpan wait;
                lock (gate)
                {
                    var now = DateTime.UtcNow;
                    var slot = next > now ? next : now;
                    next = slot + interval;
                    wait = slot - now;
                }

                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }
            }

            counts.AddOrUpdate(request.Method.Method + " " + KindOf(request.RequestUri!), 1, (_, n) => n + 1);
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        private static string KindOf(Uri uri)
        {
            var path = uri.AbsolutePath;
            if (path.EndsWith("/tags/list", StringComparison.Ordinal))
            {
                return "tags";
            }

            if (path.Contains("/manifests/"))
            {
                return "manifest";
            }

            if (path.Contains("/blobs/"))
            {
                return "blob";
            }

            return path.TrimEnd('/').EndsWith("/v2", StringComparison.Ordinal) ? "ping" : "token";
        }
    }
}
