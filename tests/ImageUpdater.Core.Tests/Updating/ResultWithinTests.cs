using System;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Updating;
using Xunit;

namespace ImageUpdater.Core.Tests.Updating
{
    public class ResultWithinTests
    {
        [Fact]
        public void AFinishedWorkGivesItsResult()
        {
            Assert.Equal("done", BoundedConcurrency.ResultWithin(_ => Task.FromResult("done"), TimeSpan.FromSeconds(5)));
        }

        [Fact]
        public void AFailedWorkGivesNull()
        {
            Assert.Null(BoundedConcurrency.ResultWithin<string>(_ => throw new InvalidOperationException("boom"), TimeSpan.FromSeconds(5)));
        }

        [Fact]
        public async Task WorkThatBlocksBeforeItsFirstAwaitIsBoundedAndCancelledAtTheDeadline()
        {
            var cancelled = new TaskCompletionSource<bool>();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var result = BoundedConcurrency.ResultWithin<string>(cancel =>
            {
                // Blocks without awaiting, as a synchronous DNS or socket call would; ends when the deadline cancels it.
                cancelled.TrySetResult(cancel.WaitHandle.WaitOne(TimeSpan.FromSeconds(30)));
                return Task.FromResult("late");
            }, TimeSpan.FromMilliseconds(200));

            Assert.Null(result);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
            Assert.True(await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken), "the work's token was not cancelled at the deadline");
        }
    }
}
