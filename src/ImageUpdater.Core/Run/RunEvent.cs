using ImageUpdater.Core.Updating;

namespace ImageUpdater.Core.Run
{
    public enum RunLogLevel
    {
        Verbose,
        Warning,
    }

    /// <summary>What a run reports to its caller, one at a time on the caller's thread (PowerShell writes only from the pipeline thread).</summary>
    public abstract class RunEvent
    {
        private RunEvent()
        {
        }

        /// <summary>One image looked up (or failed to be).</summary>
        public sealed class Planned : RunEvent
        {
            internal Planned(ImageUpdateCandidate candidate) => Candidate = candidate;

            public ImageUpdateCandidate Candidate { get; }
        }

        /// <summary>A unit whose images are all planned: confirm it, then <see cref="ImageUpdateRun.Start"/> or <see cref="ImageUpdateRun.Decline"/> it.</summary>
        public sealed class UnitReady : RunEvent
        {
            internal UnitReady(IWriteBackUnit unit) => Unit = unit;

            public IWriteBackUnit Unit { get; }
        }

        /// <summary>Results and errors: of a unit written, or of candidates that need nothing written.</summary>
        public sealed class Finished : RunEvent
        {
            internal Finished(WriteBackOutcome outcome, IWriteBackUnit? unit = null)
            {
                Outcome = outcome;
                Unit = unit;
            }

            public WriteBackOutcome Outcome { get; }

            /// <summary>The unit started with <see cref="ImageUpdateRun.Start"/> that this is the outcome of; null for settled or declined candidates.</summary>
            public IWriteBackUnit? Unit { get; }
        }

        /// <summary>Look-ups done of all; emitted at most a few times a second and on every percent step.</summary>
        public sealed class Progress : RunEvent
        {
            internal Progress(int planned, int total, string current)
            {
                PlannedCount = planned;
                Total = total;
                Current = current;
            }

            public int PlannedCount { get; }

            public int Total { get; }

            /// <summary>The image just planned (<c>app: image</c>).</summary>
            public string Current { get; }

            public int Percent => 100 * PlannedCount / System.Math.Max(1, Total);
        }

        /// <summary>A diagnostic line (from any worker of the run).</summary>
        public sealed class Log : RunEvent
        {
            internal Log(RunLogLevel level, string text)
            {
                Level = level;
                Text = text;
            }

            public RunLogLevel Level { get; }

            public string Text { get; }
        }
    }
}
