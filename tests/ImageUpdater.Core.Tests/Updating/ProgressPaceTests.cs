using System.Threading;
using ImageUpdater.Core.Updating;
using Xunit;

namespace ImageUpdater.Core.Tests.Updating
{
    public class ProgressPaceTests
    {
        [Fact]
        public void TheFirstLineIsDueThenNoneWithinTheIntervalExceptAMilestone()
        {
            var pace = new ProgressPace();
            Assert.True(pace.Due());
            Assert.False(pace.Due());
            Assert.False(pace.Due());
            Assert.True(pace.Due(milestone: true));
            Assert.False(pace.Due());
        }

        [Fact]
        public void ALineIsDueAgainOnceTheIntervalHasPassed()
        {
            var pace = new ProgressPace();
            Assert.True(pace.Due());
            Thread.Sleep(300);
            Assert.True(pace.Due());
            Assert.False(pace.Due());
        }
    }
}
