using System.Collections.Concurrent;

namespace ImageUpdater.Core.Run
{
    /// <summary>Diagnostic lines from any thread of a run (registry clients, git, Argo CD), handed to the caller as <see cref="RunEvent.Log"/> events.</summary>
    public sealed class RunLog
    {
        private readonly ConcurrentQueue<RunEvent.Log> lines = new ConcurrentQueue<RunEvent.Log>();

        public void Verbose(string text) => lines.Enqueue(new RunEvent.Log(RunLogLevel.Verbose, text));

        public void Warning(string text) => lines.Enqueue(new RunEvent.Log(RunLogLevel.Warning, text));

        internal bool TryTake(out RunEvent.Log line) => lines.TryDequeue(out line!);
    }
}
