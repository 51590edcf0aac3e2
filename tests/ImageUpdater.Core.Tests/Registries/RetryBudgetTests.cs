using ImageUpdater.Core.Http;
using System;
using ImageUpdater.Core;
using ImageUpdater.Core.Registries;
using Xunit;

namespace ImageUpdater.Core.Tests.Registries
{
    public sealed class RetryBudgetTests
    {
        [Fact]
        public void RetriesGoOnUntilTheBudgetNotAFewQuickTries()
        {
            var policy = new RetryPolicy { MaxAttempts = 100, Budget = TimeSpan.FromSeconds(30) };
            Assert.Equal(TimeSpan.FromSeconds(2), policy.NextWait(6, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2)));
            // The last wait is cut to what is left of the budget; none after it.
            Assert.Equal(TimeSpan.FromSeconds(1), policy.NextWait(20, TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(5)));
            Assert.Null(policy.NextWait(21, TimeSpan.FromSeconds(30), TimeSpan.Zero));
            Assert.Null(new RetryPolicy { MaxAttempts = 3 }.NextWait(3, TimeSpan.Zero, TimeSpan.Zero));
        }

        [Fact]
        public void BackoffIsRandomBelowTheDoublingCeiling()
        {
            var policy = new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(20) };
            var random = new Random(7);
            for (var attempt = 1; attempt < 12; attempt++)
            {
                var wait = policy.Backoff(attempt, random);
                Assert.InRange(wait.TotalMilliseconds, 0, Math.Min(20000, 200 * Math.Pow(2, attempt - 1)));
            }
        }

        [Theory]
        [InlineData(1001, 0, 0, "more than 1000 pages")]
        [InlineData(1, 100001, 0, "more than 100000 tags")]
        [InlineData(1, 0, 64L * 1024 * 1024 + 1, "more than 64 MB")]
        public void TagListsOverALimitFailWithLimitsExceeded(int pages, long tags, long bytes, string said)
        {
            var ex = Assert.Throws<ImageUpdaterException>(() => TagListLimits.Default.Check("reg", "team/app", pages, tags, bytes));
            Assert.Equal("RegistryTagListTooLarge", ex.ErrorId);
            Assert.Equal(FailureKind.LimitsExceeded, ex.Kind);
            Assert.Contains(said, ex.Message);
            TagListLimits.Default.Check("reg", "team/app", 1000, 100000, 64L * 1024 * 1024);
        }
    }
}
