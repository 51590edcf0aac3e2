using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace ImageUpdater.Core.Http
{
    /// <summary>
    /// Bounds of every retry loop (HTTP, ECR throttling, git push races): a time budget from the first try, exponential backoff
    /// with full jitter, and a cap on tries. Under contention a budget outlasts a burst where a few quick tries would not.
    /// </summary>
    public sealed class RetryPolicy
    {
        public static readonly RetryPolicy Default = new RetryPolicy();

        /// <summary>Tries in all, the first included (a cap; the budget usually ends the loop first).</summary>
        public int MaxAttempts { get; set; } = 12;

        /// <summary>No retry starts after this much time since the first try; the last wait is cut to fit.</summary>
        public TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(30);

        public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

        /// <summary>No single wait is longer, whatever Retry-After says.</summary>
        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(20);

        /// <summary>The wait before try <paramref name="attempt"/>+1 (attempt counts from 1): a random time up to min(MaxDelay, BaseDelay·2^(attempt-1)).</summary>
        public TimeSpan Backoff(int attempt, Random random)
        {
            var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 1)));
            double fraction;
            lock (random)
            {
                fraction = random.NextDouble();
            }

            return TimeSpan.FromMilliseconds(ceiling * fraction);
        }

        /// <summary>
        /// The wait before another try after try <paramref name="attempt"/> failed, <paramref name="elapsed"/> after the first began;
        /// null when the tries or the budget are spent. <paramref name="wanted"/> (Retry-After, or the backoff) is cut to the budget left.
        /// </summary>
        public TimeSpan? NextWait(int attempt, TimeSpan elapsed, TimeSpan wanted)
        {
            var left = Budget - elapsed;
            if (attempt >= MaxAttempts || left <= TimeSpan.Zero)
            {
                return null;
            }

            return wanted < left ? wanted : left;
        }

        /// <summary>One line for a summary or -Verbose: how long and how often a loop retries.</summary>
        public string Describe() => $"retries for up to {Budget.TotalSeconds:0.#} s ({MaxAttempts} tries at most, random waits from {BaseDelay.TotalMilliseconds:0} ms doubling to {MaxDelay.TotalSeconds:0.#} s)";
    }

    /// <summary>
    /// Retries throttled (429, or a 400/403 whose body names a throttling error) and failed (5xx, connection) requests with bounded
    /// exponential backoff and jitter, honouring Retry-After. Sits outside any signing handler so each try is signed afresh.
    /// </summary>
    public sealed class RetryHandler : DelegatingHandler
    {
        private static readonly string[] ThrottlingCodes =
        {
            "ThrottlingException", "ThrottledException", "TooManyRequestsException", "RequestLimitExceeded", "RequestThrottled",
            "RequestThrottledException", "ProvisionedThroughputExceededException", "LimitExceededException", "TOOMANYREQUESTS",
        };

        private readonly Random random = new Random();
        private int retries;
        private int throttled;

        public RetryHandler(RetryPolicy? policy = null, HttpMessageHandler? inner = null)
            : base(inner ?? new HttpClientHandler { AllowAutoRedirect = false })
        {
            Policy = policy ?? RetryPolicy.Default;
        }

        public RetryPolicy Policy { get; }

        /// <summary>Requests sent again after a throttle or a transient failure, since creation.</summary>
        public int Retries => Volatile.Read(ref retries);

        /// <summary>Of those, how many were throttled.</summary>
        public int Throttled => Volatile.Read(ref throttled);

        /// <summary>Called before each wait with the try that failed, the reason and the wait (for -Verbose).</summary>
        public Action<int, string, TimeSpan>? OnRetry { get; set; }

        /// <summary>Waits; replaced by tests to run without sleeping.</summary>
        public Func<TimeSpan, CancellationToken, Task> Delay { get; set; } = (wait, token) => Task.Delay(wait, token);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (var attempt = 1; ; attempt++)
            {
                HttpResponseMessage? response = null;
                string reason;
                try
                {
                    response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                    var throttle = await ThrottleReasonAsync(response).ConfigureAwait(false);
                    if (throttle is not null)
                    {
                        reason = throttle;
                        if (Spent(attempt, clock))
                        {
                            return response;
                        }

                        Interlocked.Increment(ref throttled);
                    }
                    else if (IsTransient(response.StatusCode))
                    {
                        reason = "HTTP " + (int)response.StatusCode;
                        if (Spent(attempt, clock))
                        {
                            return response;
                        }
                    }
                    else
                    {
                        return response;
                    }
                }
                catch (HttpRequestException ex) when (!Spent(attempt, clock) && !cancellationToken.IsCancellationRequested)
                {
                    reason = ex.Message;
                }
                catch (TaskCanceledException) when (!Spent(attempt, clock) && !cancellationToken.IsCancellationRequested)
                {
                    reason = "timed out";
                }

                var wait = Policy.Backoff(attempt, random);
                var retryAfter = response is null ? null : RetryAfter(response);
                if (retryAfter is TimeSpan asked)
                {
                    wait = asked > Policy.MaxDelay ? Policy.MaxDelay : asked;
                }

                wait = Policy.NextWait(attempt, clock.Elapsed, wait) ?? TimeSpan.Zero;

                response?.Dispose();
                Interlocked.Increment(ref retries);
                OnRetry?.Invoke(attempt, reason, wait);
                await Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }

        private bool Spent(int attempt, System.Diagnostics.Stopwatch clock) => Policy.NextWait(attempt, clock.Elapsed, TimeSpan.Zero) is null;

        private static bool IsTransient(HttpStatusCode status) =>
            status == HttpStatusCode.InternalServerError || status == HttpStatusCode.BadGateway
            || status == HttpStatusCode.ServiceUnavailable || status == HttpStatusCode.GatewayTimeout
            || status == HttpStatusCode.RequestTimeout;

        /// <summary>The throttling code or status when the response asks to slow down, else null.</summary>
        private static async Task<string?> ThrottleReasonAsync(HttpResponseMessage response)
        {
            if ((int)response.StatusCode == 429)
            {
                return "HTTP 429";
            }

            if (response.StatusCode != HttpStatusCode.BadRequest && response.StatusCode != HttpStatusCode.Forbidden)
            {
                return null;
            }

            // GitHub's primary limit (remaining 0) and secondary limit (retry-after) both answer 403.
            if (response.StatusCode == HttpStatusCode.Forbidden && (response.Headers.RetryAfter is not null || GitHubRateLimitReset(response) is not null))
            {
                return "HTTP 403 rate limit";
            }

            if (response.Content is null || response.Content.Headers.ContentLength > 65536)
            {
                return null;
            }

            // Buffered so the caller can still read the error body.
            await response.Content.LoadIntoBufferAsync().ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            foreach (var code in ThrottlingCodes)
            {
                if (body.IndexOf("\"" + code + "\"", StringComparison.Ordinal) >= 0 || body.IndexOf("#" + code + "\"", StringComparison.Ordinal) >= 0)
                {
                    return code;
                }
            }

            return null;
        }

        private static TimeSpan? RetryAfter(HttpResponseMessage response)
        {
            var header = response.Headers.RetryAfter;
            if (header is null)
            {
                return GitHubRateLimitReset(response) is DateTimeOffset reset ? (reset > DateTimeOffset.UtcNow ? reset - DateTimeOffset.UtcNow : TimeSpan.Zero) : null;
            }

            if (header.Delta is TimeSpan delta)
            {
                return delta;
            }

            if (header.Date is DateTimeOffset date)
            {
                var wait = date - DateTimeOffset.UtcNow;
                return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
            }

            return null;
        }
    
        /// <summary>When GitHub's exhausted primary limit resets (x-ratelimit-remaining 0, x-ratelimit-reset epoch seconds), else null.</summary>
        private static DateTimeOffset? GitHubRateLimitReset(HttpResponseMessage response)
        {
            if (response.Headers.TryGetValues("x-ratelimit-remaining", out var remaining) && string.Join(string.Empty, remaining) == "0"
                && response.Headers.TryGetValues("x-ratelimit-reset", out var reset)
                && long.TryParse(string.Join(string.Empty, reset), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var epoch))
            {
                return DateTimeOffset.FromUnixTimeSeconds(epoch);
            }

            return null;
        }
    }
}
