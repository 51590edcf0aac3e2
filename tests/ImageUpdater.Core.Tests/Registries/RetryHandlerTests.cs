using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Http;
using ImageUpdater.Core.Registries;
using Xunit;

namespace ImageUpdater.Core.Tests.Registries
{
    public class RetryHandlerTests
    {
        /// <summary>Answers with the queued responses in order and counts requests.</summary>
        private sealed class Script : HttpMessageHandler
        {
            private readonly Queue<Func<HttpResponseMessage>> answers = new Queue<Func<HttpResponseMessage>>();

            public int Requests;

            public Script Then(HttpStatusCode status, string body = "{}", TimeSpan? retryAfter = null)
            {
                answers.Enqueue(() =>
                {
                    var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/x-amz-json-1.1") };
                    if (retryAfter is TimeSpan wait)
                    {
                        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(wait);
                    }

                    return response;
                });
                return this;
            }

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                Requests++;
                return Task.FromResult(answers.Dequeue()());
            }
        }

        private static (HttpClient Client, RetryHandler Handler, List<TimeSpan> Waits) Build(Script script, int attempts = 4)
        {
            var waits = new List<TimeSpan>();
            var handler = new RetryHandler(new RetryPolicy { MaxAttempts = attempts, BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(20) }, script)
            {
                Delay = (wait, _) =>
                {
                    waits.Add(wait);
                    return Task.CompletedTask;
                },
            };
            return (new HttpClient(handler), handler, waits);
        }

        [Fact]
        public async Task RetryAfterIsHonouredAndCapped()
        {
            var script = new Script().Then((HttpStatusCode)429, retryAfter: TimeSpan.FromSeconds(7)).Then((HttpStatusCode)429, retryAfter: TimeSpan.FromMinutes(5)).Then(HttpStatusCode.OK);
            var (client, handler, waits) = Build(script);
            var response = await client.GetAsync("http://registry.test/", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(new[] { TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(20) }, waits);
            Assert.Equal(2, handler.Retries);
            Assert.Equal(2, handler.Throttled);
        }

        [Fact]
        public async Task AThrottlingErrorInA400BodyIsRetriedWithGrowingJitteredWaits()
        {
            var throttled = "{\"__type\":\"com.amazonaws.ecr#ThrottlingException\",\"message\":\"Rate exceeded\"}";
            var script = new Script().Then(HttpStatusCode.BadRequest, throttled).Then(HttpStatusCode.BadRequest, throttled).Then(HttpStatusCode.BadRequest, throttled).Then(HttpStatusCode.BadRequest, throttled);
            var (client, handler, waits) = Build(script);
            var response = await client.GetAsync("http://registry.test/", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("ThrottlingException", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Equal(4, script.Requests);
            Assert.Equal(3, waits.Count);
            Assert.True(waits[0] <= TimeSpan.FromMilliseconds(100) && waits[1] <= TimeSpan.FromMilliseconds(200) && waits[2] <= TimeSpan.FromMilliseconds(400));
        }

        [Fact]
        public async Task ServerErrorsAreRetriedClientErrorsAreNot()
        {
            var script = new Script().Then(HttpStatusCode.ServiceUnavailable).Then(HttpStatusCode.BadRequest, "{\"__type\":\"RepositoryNotFoundException\"}");
            var (client, handler, _) = Build(script);
            var response = await client.GetAsync("http://registry.test/", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(2, script.Requests);
            Assert.Equal(1, handler.Retries);
            Assert.Equal(0, handler.Throttled);
        }

        [Fact]
        public void BackoffNeverExceedsTheCap()
        {
            var policy = new RetryPolicy { BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(3) };
            var random = new Random(1);
            for (var attempt = 1; attempt < 30; attempt++)
            {
                Assert.InRange(policy.Backoff(attempt, random), TimeSpan.Zero, TimeSpan.FromSeconds(3));
            }
        }
    }
}
