using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using ImageUpdater.Core.Updating;

namespace ImageUpdater.Core.WriteBack
{
    /// <summary>One repository's batch as a confirmable unit: one fetch, then a commit and a push per branch.</summary>
    public sealed class GitWriteBackUnit : IWriteBackUnit
    {
        private readonly GitRepositoryBatch batch;
        private readonly Func<bool, GitWriteBack> engine;

        /// <param name="engine">The git write-back for a what-if or a real write.</param>
        /// <param name="localRepository">The user's checkout (-LocalRepository), else null for the clone cache.</param>
        /// <param name="hostApi">The commit goes through the Git host's API (-WriteBackTransport HostApi), not a push.</param>
        public GitWriteBackUnit(GitRepositoryBatch batch, Func<bool, GitWriteBack> engine, string? localRepository = null, bool push = true, bool hostApi = false)
        {
            this.batch = batch;
            this.engine = engine;
            var count = batch.Candidates.Count;
            var applications = batch.Candidates.Select(c => c.Application).Distinct().Count();
            Action = hostApi && localRepository is null ? $"Commit {count} image update(s) from {applications} application(s) through the Git host's API"
                : localRepository is null
                ? $"Commit and push {count} image update(s) from {applications} application(s)"
                : $"Commit {count} image update(s) into {localRepository}{(push ? " and push" : string.Empty)}";
        }

        public string Target => batch.Repository;

        public string Action { get; }

        public string Method => "git";

        public string? Repository => batch.Repository;

        public IReadOnlyList<ImageUpdateCandidate> Candidates => batch.Candidates;

        public WriteBackOutcome Apply(bool whatIf, CancellationToken cancellationToken) => engine(whatIf).Apply(batch);

        public override string ToString() => batch.ToString();
    }
}
