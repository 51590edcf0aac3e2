using System.Diagnostics;

namespace ImageUpdater.Core.Updating
{
    /// <summary>
    /// How often a per-record progress line is written, for the run and the look-up cmdlets alike: the first and every milestone at
    /// once, others at most every 250 ms (a console redraws no faster, and each write costs the thread that writes it).
    /// </summary>
    public sealed class ProgressPace
    {
        private const int IntervalMilliseconds = 250;
        private readonly Stopwatch clock = new Stopwatch();

        /// <summary>True when a line is due now (and the interval starts again); <paramref name="milestone"/> is always due.</summary>
        public bool Due(bool milestone = false)
        {
            if (!milestone && clock.IsRunning && clock.ElapsedMilliseconds < IntervalMilliseconds)
            {
                return false;
            }

            clock.Restart();
            return true;
        }
    }
}
