using System.Collections.Concurrent;
using System.Collections.Generic;

namespace ImageUpdater.Core.Run
{
    /// <summary>Diagnostic lines from any thread of a run (registry clients, git, Argo CD), handed to the caller as <see cref="RunEvent.Log"/> events.</summary>
    public sealed class RunLog
    {
        private readonly ConcurrentQueue<RunEvent.Log> lines = new ConcurrentQueue<RunEvent.Log>();

        public void Verbose(string text) => lines.Enqueue(new RunEvent.Log(RunLogLevel.Verbose, text));

        public void Warning(string text) => lines.Enqueue(new RunEvent.Log(RunLogLevel.Warning, text));

        internal bool TryTake(out RunEvent.Log line) => lines.TryDequeue(out line!);

        /// <summary>The lines logged so far, for a caller that writes them outside a run's events (before the run starts).</summary>
        public IEnumerable<RunEvent.Log> Drain()
        {
            while (lines.TryDequeue(out var line))
            {
                yield return line;
            }
        }
    }
}
