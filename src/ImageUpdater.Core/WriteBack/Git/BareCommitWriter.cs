using System;
using System.IO;
using System.Linq;
using ImageUpdater.Core.Http;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Updating;
using LibGit2Sharp;

namespace ImageUpdater.Core.WriteBack.Git
{
    /// <summary>
    /// Commits a branch group in the bare clone cache: each attempt edits the files as blobs of the branch's remote tip, builds the tree
    /// and commit in memory and pushes the commit straight to the remote branch. Nothing is checked out, so a repository of any size
    /// costs only the files it changes; a push that lost a race waits (RetryPolicy.Backoff), fetches and builds the commit again.
    /// </summary>
    internal sealed class BareCommitWriter
    {
        private readonly Repository repo;
        private readonly GitRemote remote;
        private readonly IGitTargetEditor editor;
        private readonly GitWriteBackOptions options;
        private readonly GitWriteBackStatistics statistics;
        private readonly string url;
        private readonly Random random = new Random();
        private readonly MemoryObjectBackend? memory;

        public BareCommitWriter(Repository repo, GitRemote remote, IGitTargetEditor editor, GitWriteBackOptions options, GitWriteBackStatistics statistics, string url, MemoryObjectBackend? memory = null)
        {
            this.repo = repo;
            this.memory = memory;
            this.remote = remote;
            this.editor = editor;
            this.options = options;
            this.statistics = statistics;
            this.url = url;
        }

        /// <param name="pullRequest">The group's pull request (checked before the first push, opened or updated after it), else null.</param>
        public void Apply(BranchGroup group, WriteBackOutcome outcome, Hosts.PullRequestStep? pullRequest = null)
        {
            // Targets are named under the cache folder (messages show it); nothing is read or written there.
            var root = Path.GetFullPath(repo.Info.Path);
            var policy = options.PushRetry;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (var attempt = 1; ; attempt++)
            {
                options.CancellationToken.ThrowIfCancellationRequested();
                var start = StartCommit(group);
                var edits = TargetEdits.Compute(editor, root, group, url, outcome, new CommitFiles(start.Tree), options.AllowedProtectedPaths, new HoldCheck(start, editor, options));
                var paths = edits.ChangedPaths;
                if (paths.Count == 0)
                {
                    // Looked up only when a request may need ensuring.
                    var writeBranchExists = pullRequest is not null && group.Write is not null && repo.Branches[GitCloneCache.Remote + "/" + group.Write] is not null;
                    Hosts.PullRequestStep.ReportUnchanged(pullRequest, edits, outcome, url, group, writeBranchExists, options.WhatIf);
                    return;
                }

                var definition = TreeDefinition.From(start.Tree);
                foreach (var path in paths)
                {
                    // Written straight into memory (CreateBlob(Stream) would go through a temporary file, Write a disk probe).
                    var content = edits.Content(path);
                    var blob = repo.Lookup<Blob>(memory?.AddBlob(content) ?? repo.ObjectDatabase.Write<Blob>(content));
                    definition.Add(path, blob, start.Tree[path]?.Mode == Mode.ExecutableFile ? Mode.ExecutableFile : Mode.NonExecutableFile);
                }

                var tree = repo.ObjectDatabase.CreateTree(definition);
                var patch = repo.Diff.Compare<Patch>(start.Tree, tree, paths);
                edits.SetDiffs(path => patch[path]?.Patch);
                if (options.WhatIf)
                {
                    var andRequest = Hosts.PullRequestStep.WhatIfSuffix(pullRequest, group);
                    edits.Report(outcome, url, group.Push, UpdateStatus.WhatIf, null, e => $"What if: would commit {e.Target.RelativePath} to {group.Push} of {url} and push{andRequest}.");
                    return;
                }

                if (attempt == 1)
                {
                    // Before anything is pushed: a token the host refuses fails the group with nothing half-done.
                    pullRequest?.Preflight();
                }

                var changed = edits.Changed;
                var (name, email) = CommitText.Author(changed.Select(e => e.Target.Application), options);
                var author = new Signature(name, email, DateTimeOffset.Now);
                var signing = CommitSigning.For(changed.Select(e => e.Target.Application), options);
                var commit = signing.Create(repo, author, CommitText.Message(edits.ChangedApplications, options.Warning), tree, new[] { start }, options, url);
                statistics.Commit();
                options.Verbose?.Invoke($"Committed {commit.Sha.Substring(0, 12)} on {group.Push}: {paths.Count} file(s) for {changed.Select(e => e.Target.Application.Name).Distinct().Count()} application(s).");

                var rejection = remote.PushCommit(commit.Sha, group.Push);
                if (rejection is null)
                {
                    var pushedText = attempt == 1 ? $"Pushed to {group.Push}." : $"Pushed to {group.Push} after {attempt - 1} rejected push(es).";
                    Hosts.PullRequestStep.ReportCommitted(pullRequest, edits, outcome, url, group, commit.Sha, pushedText);
                    return;
                }

                if (policy.NextWait(attempt, clock.Elapsed, policy.Backoff(attempt, random)) is not TimeSpan wait)
                {
                    throw GitErrors.PushRaced(url, group.Push, attempt, rejection, clock.Elapsed);
                }

                statistics.PushRetried();
                options.Verbose?.Invoke($"The push to {group.Push} of {url} was rejected ({rejection}); fetching and re-applying the edits in {wait.TotalMilliseconds:0} ms (attempt {attempt + 1}; {policy.Describe()}).");
                options.CancellationToken.WaitHandle.WaitOne(wait);
                remote.Fetch();
            }
        }

        /// <summary>The commit a branch group builds on: the remote write branch when it exists, else the remote base branch.</summary>
        private Commit StartCommit(BranchGroup group)
        {
            var start = (group.Write is not null ? repo.Branches[GitCloneCache.Remote + "/" + group.Write] : null) ?? repo.Branches[GitCloneCache.Remote + "/" + group.Base];
            return start?.Tip ?? throw GitErrors.Error("GitBranchNotFound", $"The branch '{group.Base}' does not exist in {url}; check the git-branch annotation or the application's targetRevision.", url);
        }
    }
}
