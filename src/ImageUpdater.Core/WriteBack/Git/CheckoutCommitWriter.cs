using System;
using System.Linq;
using ImageUpdater.Core.Updating;
using LibGit2Sharp;

namespace ImageUpdater.Core.WriteBack.Git
{
    /// <summary>
    /// -LocalRepository: writes the edits into the user's checkout, commits them on its current branch, and pushes only with -Push
    /// (a rejected push is theirs to resolve). Refuses a bare repository, a detached HEAD with -Push, and staged changes of theirs.
    /// </summary>
    internal sealed class CheckoutCommitWriter
    {
        private readonly IGitTargetEditor editor;
        private readonly GitWriteBackOptions options;
        private readonly GitWriteBackStatistics statistics;

        public CheckoutCommitWriter(IGitTargetEditor editor, GitWriteBackOptions options, GitWriteBackStatistics statistics)
        {
            this.editor = editor;
            this.options = options;
            this.statistics = statistics;
        }

        public void Apply(GitRepositoryBatch batch, string url, GitCredentials credentials, WriteBackOutcome outcome)
        {
            var path = options.LocalRepository!;
            var found = Repository.Discover(path) ?? throw GitErrors.Error("LocalRepositoryNotFound", $"'{path}' is not inside a git repository; pass the path of a checkout to -LocalRepository.", path);
            using var repo = GitConfigPaths.OpenWithUserConfiguration(found);
            if (repo.Info.IsBare)
            {
                throw GitErrors.Error("LocalRepositoryBare", $"'{path}' is a bare repository; -LocalRepository needs a checkout with a working tree.", path);
            }

            var branch = repo.Head.IsTracking || !repo.Info.IsHeadDetached ? repo.Head.FriendlyName : null;
            if (branch is null && options.Push)
            {
                throw GitErrors.Error("LocalRepositoryDetached", $"The checkout '{repo.Info.WorkingDirectory}' has a detached HEAD; check out a branch before pushing with -Push.", path);
            }

            const FileStatus InIndex = FileStatus.NewInIndex | FileStatus.ModifiedInIndex | FileStatus.DeletedFromIndex | FileStatus.RenamedInIndex | FileStatus.TypeChangeInIndex;
            var staged = repo.RetrieveStatus(new StatusOptions()).Where(s => (s.State & InIndex) != 0).Select(s => s.FilePath).ToList();
            if (staged.Count > 0)
            {
                throw GitErrors.Error("LocalRepositoryStaged", $"The checkout '{repo.Info.WorkingDirectory}' has staged changes ({string.Join(", ", staged.Take(5))}); commit or unstage them first, so the write-back commit holds only its own edits.", path);
            }

            var head = branch ?? "HEAD";
            var group = new BranchGroup(head, null, head);
            group.Candidates.AddRange(batch.Candidates);
            options.Verbose?.Invoke($"Writing {batch.Candidates.Count} change(s) into the checkout {repo.Info.WorkingDirectory} on branch {head}.");
            Commit(repo, url, credentials, group, outcome);
        }

        private void Commit(Repository repo, string url, GitCredentials credentials, BranchGroup group, WriteBackOutcome outcome)
        {
            var root = repo.Info.WorkingDirectory;
            options.CancellationToken.ThrowIfCancellationRequested();
            var edits = TargetEdits.Compute(editor, root, group, url, outcome, RepositoryFiles.WorkingTree, options.AllowedProtectedPaths, new HoldCheck(repo.Head.Tip, editor, options));
            edits.WriteFiles();
            var paths = edits.ChangedPaths;
            if (paths.Count == 0)
            {
                edits.Report(outcome, url, group.Push, UpdateStatus.Unchanged, null, _ => string.Empty);
                return;
            }

            var patch = repo.Diff.Compare<Patch>(paths, true);
            edits.SetDiffs(p => patch[p]?.Patch);
            if (options.WhatIf)
            {
                edits.Restore();
                edits.Report(outcome, url, group.Push, UpdateStatus.WhatIf, null, e => $"What if: would commit {e.Target.RelativePath} to {group.Push} of {url}{(options.Push ? " and push" : string.Empty)}.");
                return;
            }

            Commands.Stage(repo, paths);
            var changed = edits.Changed;
            var (name, email) = CommitText.Author(changed.Select(e => e.Target.Application), options);
            var author = new Signature(name, email, DateTimeOffset.Now);
            var signing = CommitSigning.For(changed.Select(e => e.Target.Application), options);
            Commit commit;
            if (signing.Key is null)
            {
                commit = repo.Commit(signing.Message(CommitText.Message(edits.ChangedApplications, options.Warning), author), author, author, new CommitOptions());
            }
            else
            {
                // libgit2's Commit cannot sign: the signed commit is written, then the branch (or detached HEAD) moved to it.
                var parents = repo.Head.Tip is null ? Array.Empty<Commit>() : new[] { repo.Head.Tip };
                commit = signing.Create(repo, author, CommitText.Message(edits.ChangedApplications, options.Warning), repo.ObjectDatabase.CreateTree(repo.Index), parents, options, url);
                if (repo.Info.IsHeadDetached)
                {
                    repo.Refs.UpdateTarget(repo.Refs.Head, commit.Id, "commit (signed): image update");
                }
                else
                {
                    repo.Refs.UpdateTarget(repo.Refs[repo.Head.CanonicalName], commit.Id, "commit (signed): image update");
                }
            }

            statistics.Commit();
            options.Verbose?.Invoke($"Committed {commit.Sha.Substring(0, 12)} on {group.Push}: {paths.Count} file(s) for {changed.Select(e => e.Target.Application.Name).Distinct().Count()} application(s).");
            if (!options.Push)
            {
                edits.Report(outcome, url, group.Push, UpdateStatus.Updated, commit.Sha, _ => $"Committed to {group.Push} in {root} (not pushed; pass -Push to push).");
                return;
            }

            var rejection = new GitRemote(repo, url, credentials, options, statistics, null).PushCheckout(group.Push);
            if (rejection is not null)
            {
                throw GitErrors.Error("GitPushRejected", $"The push of {group.Push} from {root} was rejected ({rejection}); the commit {commit.Sha.Substring(0, 12)} stays in the checkout: pull, then push again.", url);
            }

            edits.Report(outcome, url, group.Push, UpdateStatus.Updated, commit.Sha, _ => $"Pushed to {group.Push}.");
        }
    }
}
