using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack.Templates;
using ImageUpdater.Core.Yaml;
using LibGit2Sharp;
using LibGit2Sharp.Handlers;

namespace ImageUpdater.Core.WriteBack
{
    /// <summary>All git candidates of one repository: one fetch, then one commit and one push per branch.</summary>
    public sealed class GitRepositoryBatch
    {
        public GitRepositoryBatch(string repository, IReadOnlyList<ImageUpdateCandidate> candidates)
        {
            Repository = repository;
            Candidates = candidates;
        }

        /// <summary>The repository URL (git-repository, else the annotated source's repoURL).</summary>
        public string Repository { get; }

        public IReadOnlyList<ImageUpdateCandidate> Candidates { get; }

        public override string ToString() => $"{Repository} ({Candidates.Count} candidate(s))";
    }

    /// <summary>What one batch did: a result per candidate and the failures to report.</summary>
    public sealed class GitBatchOutcome
    {
        public GitBatchOutcome(string? repository)
        {
            Repository = repository;
        }

        public string? Repository { get; }

        public List<ImageUpdateResult> Results { get; } = new List<ImageUpdateResult>();

        /// <summary>Candidates that already have a result.</summary>
        internal HashSet<ImageUpdateCandidate> Reported { get; } = new HashSet<ImageUpdateCandidate>();

        internal void Add(ImageUpdateCandidate candidate, ImageUpdateResult result)
        {
            Reported.Add(candidate);
            Results.Add(result);
        }

        /// <summary>Failures with the application or repository they concern; each failed candidate also has a Failed result.</summary>
        public List<ImageUpdaterException> Errors { get; } = new List<ImageUpdaterException>();
    }

    /// <summary>
    /// Git write-back, independent of PowerShell: plans candidates into per-repository batches, and applies a batch as one fetch, then per branch
    /// one commit and one push, re-applying the edits on a rejected push. Batches of different repositories share nothing and may run in parallel.
    /// </summary>
    public sealed class GitWriteBack
    {
        private const string Remote = "origin";
        private static readonly string[] FetchRefSpecs = { "+refs/heads/*:refs/remotes/origin/*" };

        private readonly IGitTargetEditor editor;
        private readonly GitWriteBackOptions options;

        public GitWriteBack(IGitTargetEditor editor, GitWriteBackOptions options)
        {
            this.editor = editor ?? throw new ArgumentNullException(nameof(editor));
            this.options = options ?? throw new ArgumentNullException(nameof(options));
        }

        public GitWriteBackStatistics Statistics { get; } = new GitWriteBackStatistics();

        /// <summary>Plans and applies every batch in turn; candidates that need no update come back Unchanged.</summary>
        public IReadOnlyList<GitBatchOutcome> Run(IEnumerable<ImageUpdateCandidate> candidates)
        {
            var outcomes = new List<GitBatchOutcome>();
            var planned = Plan(candidates, out var unplanned);
            outcomes.Add(unplanned);
            foreach (var batch in planned)
            {
                options.CancellationToken.ThrowIfCancellationRequested();
                outcomes.Add(Apply(batch));
            }

            return outcomes;
        }

        /// <summary>
        /// Groups candidates that need an update by repository, in first-seen order. Candidates needing none come back Unchanged in
        /// <paramref name="unplanned"/>, with failures for those whose repository cannot be known.
        /// </summary>
        public static IReadOnlyList<GitRepositoryBatch> Plan(IEnumerable<ImageUpdateCandidate> candidates, out GitBatchOutcome unplanned)
        {
            unplanned = new GitBatchOutcome(null);
            var order = new List<string>();
            var byRepository = new Dictionary<string, List<ImageUpdateCandidate>>(StringComparer.Ordinal);
            foreach (var candidate in candidates)
            {
                if (!candidate.UpdateNeeded)
                {
                    unplanned.Add(candidate, Result(candidate, null, null, null, UpdateStatus.Unchanged, candidate.Reason ?? "No update needed."));
                    continue;
                }

                var repository = RepositoryOf(candidate.ApplicationObject);
                if (repository is null)
                {
                    var error = new ImageUpdaterException("GitRepositoryUnknown", FailureKind.InvalidArgument, $"Application '{candidate.ApplicationObject.QualifiedName}' has no git repository to write to: its source has no repoURL; set the git-repository annotation.", candidate.ApplicationObject);
                    unplanned.Errors.Add(error);
                    unplanned.Add(candidate, Result(candidate, null, null, null, UpdateStatus.Failed, error.Message));
                    continue;
                }

                if (!byRepository.TryGetValue(repository, out var list))
                {
                    byRepository[repository] = list = new List<ImageUpdateCandidate>();
                    order.Add(repository);
                }

                list.Add(candidate);
            }

            return order.Select(r => new GitRepositoryBatch(r, byRepository[r])).ToList();
        }

        /// <summary>The repository an application writes to: git-repository, else its annotated source's repoURL.</summary>
        public static string? RepositoryOf(ArgoApplication application)
        {
            var repository = application.WriteBack.Repository;
            if (string.IsNullOrWhiteSpace(repository))
            {
                repository = GitTarget.AnnotatedSource(application)?.RepoUrl;
            }

            return string.IsNullOrWhiteSpace(repository) ? null : repository!.Trim();
        }

        /// <summary>Applies one repository's candidates; never throws for a failure of the repository or of an application, which land in the outcome.</summary>
        public GitBatchOutcome Apply(GitRepositoryBatch batch)
        {
            var url = RemoteUrl.Clean(batch.Repository, out var embedded);
            var outcome = new GitBatchOutcome(url);
            var credentials = options.Credentials.IsEmpty && embedded is not null ? new GitCredentials { Https = embedded } : options.Credentials;
            try
            {
                RequireCredentials(batch, url, credentials);
                if (options.LocalRepository is not null)
                {
                    ApplyLocal(batch, url, credentials, outcome);
                }
                else
                {
                    ApplyCached(batch, url, credentials, outcome);
                }
            }
            catch (Exception e) when (e is ImageUpdaterException || e is LibGit2SharpException || e is IOException || e is UnauthorizedAccessException)
            {
                var failure = Describe(e, url);
                outcome.Errors.Add(failure);
                foreach (var candidate in batch.Candidates.Where(c => !outcome.Reported.Contains(c)).ToList())
                {
                    outcome.Add(candidate, Result(candidate, url, null, null, UpdateStatus.Failed, failure.Message));
                }
            }

            return outcome;
        }

        private void RequireCredentials(GitRepositoryBatch batch, string url, GitCredentials credentials)
        {
            if (!credentials.IsEmpty || !RemoteUrl.IsHttp(url))
            {
                return;
            }

            var app = batch.Candidates[0].ApplicationObject;
            var source = app.WriteBack.Credentials;
            var asked = string.IsNullOrEmpty(source) ? "git:repocreds (Argo CD's repository credentials)" : "git:" + source;
            var why = source is not null && source.StartsWith("secret:", StringComparison.OrdinalIgnoreCase)
                ? "reading that Kubernetes secret is not supported yet"
                : "reading Argo CD's repository credentials is not supported yet";
            throw new ImageUpdaterException("GitCredentialRequired", FailureKind.AuthenticationError, $"Application '{app.QualifiedName}' writes to {url} with {asked}, but {why}: pass -GitCredential (user name and password or token) or -SshKeyPath, or set {GitCredentials.UserNameVariable}/{GitCredentials.PasswordVariable}.", app);
        }

        private void ApplyCached(GitRepositoryBatch batch, string url, GitCredentials credentials, GitBatchOutcome outcome)
        {
            var root = options.WorkingDirectory ?? GitWriteBackOptions.DefaultWorkingDirectory;
            Directory.CreateDirectory(root);
            var directory = Path.Combine(root, CacheName(url));
            using var cacheLock = CacheLock.Acquire(directory + ".lock", options.CancellationToken);
            using var repo = OpenCache(directory, url, credentials);
            repo.ObjectDatabase.AddBackend(new MemoryObjectBackend(), MemoryObjectBackend.Priority);
            Fetch(repo, url, credentials);

            string? defaultBranch = null;
            string DefaultBranch() => defaultBranch ??= ResolveDefaultBranch(repo, url, credentials);

            var pushed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var group in BranchGroups(batch, DefaultBranch, outcome, url))
            {
                if (pushed.Contains(group.Push))
                {
                    // An earlier group of this batch pushed this branch (from another base): its commit is not in the
                    // cache (objects are built in memory), so fetch it rather than build on the old tip and be rejected.
                    Fetch(repo, url, credentials);
                }

                ApplyBranchCached(repo, url, credentials, group, outcome);
                pushed.Add(group.Push);
            }
        }

        private void ApplyLocal(GitRepositoryBatch batch, string url, GitCredentials credentials, GitBatchOutcome outcome)
        {
            var found = Repository.Discover(options.LocalRepository) ?? throw new ImageUpdaterException("LocalRepositoryNotFound", FailureKind.ObjectNotFound, $"'{options.LocalRepository}' is not inside a git repository; pass the path of a checkout to -LocalRepository.", options.LocalRepository);
            using var repo = new Repository(found);
            if (repo.Info.IsBare)
            {
                throw new ImageUpdaterException("LocalRepositoryBare", FailureKind.InvalidArgument, $"'{options.LocalRepository}' is a bare repository; -LocalRepository needs a checkout with a working tree.", options.LocalRepository);
            }

            var branch = repo.Head.IsTracking || !repo.Info.IsHeadDetached ? repo.Head.FriendlyName : null;
            if (branch is null && options.Push)
            {
                throw new ImageUpdaterException("LocalRepositoryDetached", FailureKind.InvalidOperation, $"The checkout '{repo.Info.WorkingDirectory}' has a detached HEAD; check out a branch before pushing with -Push.", options.LocalRepository);
            }

            var staged = repo.RetrieveStatus(new StatusOptions()).Where(s => (s.State & (FileStatus.NewInIndex | FileStatus.ModifiedInIndex | FileStatus.DeletedFromIndex | FileStatus.RenamedInIndex | FileStatus.TypeChangeInIndex)) != 0).Select(s => s.FilePath).ToList();
            if (staged.Count > 0)
            {
                throw new ImageUpdaterException("LocalRepositoryStaged", FailureKind.InvalidOperation, $"The checkout '{repo.Info.WorkingDirectory}' has staged changes ({string.Join(", ", staged.Take(5))}); commit or unstage them first, so the write-back commit holds only its own edits.", options.LocalRepository);
            }

            var head = branch ?? "HEAD";
            var group = new BranchGroup(head, null, head);
            foreach (var candidate in batch.Candidates)
            {
                group.Add(candidate);
            }

            options.Verbose?.Invoke($"Writing {batch.Candidates.Count} change(s) into the checkout {repo.Info.WorkingDirectory} on branch {head}.");
            ApplyLocalBranch(repo, url, credentials, group, outcome);
        }

        private IEnumerable<BranchGroup> BranchGroups(GitRepositoryBatch batch, Func<string> defaultBranch, GitBatchOutcome outcome, string url)
        {
            var groups = new List<BranchGroup>();
            foreach (var app in batch.Candidates.GroupBy(c => c.ApplicationObject))
            {
                try
                {
                    var spec = app.Key.WriteBack;
                    var baseBranch = spec.BaseBranch;
                    if (string.IsNullOrWhiteSpace(baseBranch))
                    {
                        baseBranch = GitTarget.AnnotatedSource(app.Key) is { } source && SourceMatches(source, url) ? source.TargetRevision : null;
                    }

                    if (string.IsNullOrWhiteSpace(baseBranch) || string.Equals(baseBranch, "HEAD", StringComparison.Ordinal))
                    {
                        baseBranch = defaultBranch();
                    }

                    string? writeBranch = null;
                    if (!string.IsNullOrEmpty(spec.WriteBranch))
                    {
                        writeBranch = BranchNameTemplate.Render(spec.WriteBranch!, app.Key.Name, app.Key.Namespace, app.Select(ImageChange.From).ToList());
                    }

                    var push = writeBranch ?? baseBranch!;
                    var group = groups.FirstOrDefault(g => g.Push == push && g.Base == baseBranch);
                    if (group is null)
                    {
                        groups.Add(group = new BranchGroup(baseBranch!, writeBranch, push));
                    }

                    foreach (var candidate in app)
                    {
                        group.Add(candidate);
                    }
                }
                catch (ImageUpdaterException e)
                {
                    Fail(outcome, app, url, null, e);
                }
            }

            return groups;
        }

        private static bool SourceMatches(ApplicationSource source, string url) =>
            source.RepoUrl is null || GitTarget.SameRepository(RemoteUrl.Clean(source.RepoUrl, out _), url);

        /// <summary>
        /// The clone cache is bare: each attempt edits the files as blobs of the branch's remote tip, builds the new tree and
        /// commit in the object database and pushes it. Nothing is checked out, so a repository of any size costs only the
        /// files it changes; a rejected push fetches and builds the commit again on the new tip.
        /// </summary>
        private void ApplyBranchCached(Repository repo, string url, GitCredentials credentials, BranchGroup group, GitBatchOutcome outcome)
        {
            // Targets are named under the cache folder (messages show it); nothing is read or written there.
            var root = Path.GetFullPath(repo.Info.Path);
            for (var attempt = 1; ; attempt++)
            {
                options.CancellationToken.ThrowIfCancellationRequested();
                var start = StartCommit(repo, url, group);
                var files = new CommitFiles(start.Tree);
                var contents = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
                var edits = Edit(root, group, url, outcome, files, contents);
                var changed = edits.Where(e => e.Changed).ToList();
                if (changed.Count == 0)
                {
                    foreach (var edit in edits)
                    {
                        AddResults(outcome, edit, url, group.Push, null, UpdateStatus.Unchanged, $"{edit.Target.RelativePath} already has the new tag(s) on {group.Push}; nothing to commit.");
                    }

                    return;
                }

                var paths = changed.Select(e => e.Target.RelativePath).Distinct().ToList();
                var definition = TreeDefinition.From(start.Tree);
                foreach (var path in paths)
                {
                    // Written straight into the object database (CreateBlob(Stream) would go through a temporary file).
                    var blob = repo.Lookup<Blob>(repo.ObjectDatabase.Write<Blob>(contents[path]!));
                    definition.Add(path, blob, start.Tree[path]?.Mode == Mode.ExecutableFile ? Mode.ExecutableFile : Mode.NonExecutableFile);
                }

                var tree = repo.ObjectDatabase.CreateTree(definition);
                var patch = repo.Diff.Compare<Patch>(start.Tree, tree, paths);
                foreach (var edit in edits)
                {
                    edit.Diff = patch[edit.Target.RelativePath]?.Patch;
                }

                if (options.WhatIf)
                {
                    foreach (var edit in edits)
                    {
                        AddResults(outcome, edit, url, group.Push, null, edit.Changed ? UpdateStatus.WhatIf : UpdateStatus.Unchanged, edit.Changed ? $"What if: would commit {edit.Target.RelativePath} to {group.Push} of {url} and push." : $"{edit.Target.RelativePath} already has the new tag(s).");
                    }

                    return;
                }

                var author = Author(changed);
                var commit = repo.ObjectDatabase.CreateCommit(author, author, Message(changed), tree, new[] { start }, prettifyMessage: true);
                var branchRef = "refs/heads/" + group.Push;
                var trackingRef = "refs/remotes/" + Remote + "/" + group.Push;
                var trackingBefore = repo.Refs[trackingRef]?.TargetIdentifier;
                repo.Refs.Add(branchRef, commit.Id, allowOverwrite: true);
                Statistics.Commit();
                options.Verbose?.Invoke($"Committed {commit.Sha.Substring(0, 12)} on {group.Push}: {paths.Count} file(s) for {changed.Select(e => e.Target.Application.Name).Distinct().Count()} application(s).");

                string? rejection;
                try
                {
                    rejection = Push(repo, url, credentials, group.Push, local: false);
                }
                finally
                {
                    // The commit lives in memory only: no reference on disk may keep pointing at it (the next fetch brings it).
                    Forget(repo, branchRef, trackingRef, trackingBefore);
                }

                if (rejection is null)
                {
                    Finish(outcome, edits, url, group.Push, commit.Sha, attempt == 1 ? $"Pushed to {group.Push}." : $"Pushed to {group.Push} after {attempt - 1} rejected push(es).");
                    return;
                }

                if (attempt >= options.MaxPushAttempts)
                {
                    throw new ImageUpdaterException("GitPushRejected", FailureKind.ResourceUnavailable, $"The push to {group.Push} of {url} was rejected {attempt} times ({rejection}): the branch keeps moving; run again later.", url);
                }

                RetryAfterRejection(repo, url, credentials, group, rejection, attempt);
            }
        }

        private static void Forget(Repository repo, string branchRef, string trackingRef, string? trackingBefore)
        {
            if (repo.Refs[branchRef] is not null)
            {
                repo.Refs.Remove(branchRef);
            }

            var tracking = repo.Refs[trackingRef];
            if (tracking is not null && tracking.TargetIdentifier != trackingBefore)
            {
                if (trackingBefore is null)
                {
                    repo.Refs.Remove(tracking);
                }
                else
                {
                    repo.Refs.Add(trackingRef, new ObjectId(trackingBefore), allowOverwrite: true);
                }
            }
        }

        private void RetryAfterRejection(Repository repo, string url, GitCredentials credentials, BranchGroup group, string rejection, int attempt)
        {
            Statistics.PushRetried();
            var wait = TimeSpan.FromMilliseconds(options.RetryDelay.TotalMilliseconds * Math.Pow(2, attempt - 1) * (0.75 + Jitter() * 0.5));
            options.Verbose?.Invoke($"The push to {group.Push} of {url} was rejected ({rejection}); fetching and re-applying the edits in {wait.TotalMilliseconds:0} ms (attempt {attempt + 1} of {options.MaxPushAttempts}).");
            options.CancellationToken.WaitHandle.WaitOne(wait);
            Fetch(repo, url, credentials);
        }

        /// <summary>The commit a branch group builds on: the remote write branch when it exists, else the remote base branch.</summary>
        private static Commit StartCommit(Repository repo, string url, BranchGroup group)
        {
            var start = (group.Write is not null ? repo.Branches[Remote + "/" + group.Write] : null) ?? repo.Branches[Remote + "/" + group.Base];
            return start?.Tip ?? throw new ImageUpdaterException("GitBranchNotFound", FailureKind.ObjectNotFound, $"The branch '{group.Base}' does not exist in {url}; check the git-branch annotation or the application's targetRevision.", url);
        }

        /// <summary>The user's checkout (-LocalRepository): edits its working tree, commits, and pushes only with -Push (a rejected push is theirs to resolve).</summary>
        private void ApplyLocalBranch(Repository repo, string url, GitCredentials credentials, BranchGroup group, GitBatchOutcome outcome)
        {
            var root = repo.Info.WorkingDirectory;
            options.CancellationToken.ThrowIfCancellationRequested();
            var contents = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
            var edits = Edit(root, group, url, outcome, RepositoryFiles.WorkingTree, contents);
            WriteFiles(edits, contents);
            var changed = edits.Where(e => e.Changed).ToList();
            if (changed.Count == 0)
            {
                foreach (var edit in edits)
                {
                    AddResults(outcome, edit, url, group.Push, null, UpdateStatus.Unchanged, $"{edit.Target.RelativePath} already has the new tag(s) on {group.Push}; nothing to commit.");
                }

                return;
            }

            var paths = changed.Select(e => e.Target.RelativePath).Distinct().ToList();
            var patch = repo.Diff.Compare<Patch>(paths, true);
            foreach (var edit in edits)
            {
                edit.Diff = patch[edit.Target.RelativePath]?.Patch;
            }

            if (options.WhatIf)
            {
                Restore(edits);
                foreach (var edit in edits)
                {
                    AddResults(outcome, edit, url, group.Push, null, edit.Changed ? UpdateStatus.WhatIf : UpdateStatus.Unchanged, edit.Changed ? $"What if: would commit {edit.Target.RelativePath} to {group.Push} of {url}{(options.Push ? " and push" : string.Empty)}." : $"{edit.Target.RelativePath} already has the new tag(s).");
                }

                return;
            }

            Commands.Stage(repo, paths);
            var author = Author(changed);
            var commit = repo.Commit(Message(changed), author, author, new CommitOptions());
            Statistics.Commit();
            options.Verbose?.Invoke($"Committed {commit.Sha.Substring(0, 12)} on {group.Push}: {paths.Count} file(s) for {changed.Select(e => e.Target.Application.Name).Distinct().Count()} application(s).");
            if (!options.Push)
            {
                Finish(outcome, edits, url, group.Push, commit.Sha, $"Committed to {group.Push} in {root} (not pushed; pass -Push to push).");
                return;
            }

            var rejection = Push(repo, url, credentials, group.Push, local: true);
            if (rejection is not null)
            {
                throw new ImageUpdaterException("GitPushRejected", FailureKind.InvalidOperation, $"The push of {group.Push} from {root} was rejected ({rejection}); the commit {commit.Sha.Substring(0, 12)} stays in the checkout: pull, then push again.", url);
            }

            Finish(outcome, edits, url, group.Push, commit.Sha, $"Pushed to {group.Push}.");
        }

        private static double Jitter()
        {
            var bytes = new byte[2];
            using (var rng = RandomNumberGenerator.Create())
            {
                rng.GetBytes(bytes);
            }

            return BitConverter.ToUInt16(bytes, 0) / 65535.0;
        }

        /// <summary>
        /// Computes every target's new content (several applications may share a file) into <paramref name="contents"/>, reading
        /// current content through <paramref name="files"/>; an edit is Changed when its file's final content differs from the original.
        /// </summary>
        private List<TargetEdit> Edit(string root, BranchGroup group, string url, GitBatchOutcome outcome, RepositoryFiles files, Dictionary<string, byte[]?> contents)
        {
            var edits = new List<TargetEdit>();
            var originals = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
            foreach (var app in group.Candidates.GroupBy(c => c.ApplicationObject))
            {
                if (group.Failed.Contains(app.Key))
                {
                    continue;
                }

                try
                {
                    var target = GitTarget.Resolve(root, app.Key, GitTarget.AnnotatedSource(app.Key), files, options.AllowedProtectedPaths);
                    if (!contents.TryGetValue(target.RelativePath, out var before))
                    {
                        before = files.Read(target);
                        originals[target.RelativePath] = before;
                    }

                    var after = editor.Edit(target, before, app.ToList());
                    contents[target.RelativePath] = after;
                    edits.Add(new TargetEdit(target, app.ToList(), originals[target.RelativePath], before is null || !after.AsSpan().SequenceEqual(before)));
                }
                catch (ImageUpdaterException e)
                {
                    group.Failed.Add(app.Key);
                    Fail(outcome, app, url, group.Push, e);
                }
            }

            foreach (var pair in contents)
            {
                var edit = edits.First(e => e.Target.RelativePath == pair.Key);
                if (pair.Value is null || (edit.Original is not null && pair.Value.AsSpan().SequenceEqual(edit.Original)))
                {
                    // Several applications' edits of one file can cancel out; then none of them changed it.
                    foreach (var same in edits.Where(e => e.Target.RelativePath == pair.Key))
                    {
                        same.Changed = false;
                    }
                }
            }

            return edits;
        }

        /// <summary>Writes the changed files into the user's working tree, each all at once (temporary file and rename).</summary>
        private static void WriteFiles(List<TargetEdit> edits, Dictionary<string, byte[]?> contents)
        {
            foreach (var pair in contents)
            {
                var original = edits.First(e => e.Target.RelativePath == pair.Key).Original;
                if (pair.Value is not null && (original is null || !pair.Value.AsSpan().SequenceEqual(original)))
                {
                    var edit = edits.First(e => e.Target.RelativePath == pair.Key);
                    Directory.CreateDirectory(Path.GetDirectoryName(edit.Target.FullPath)!);
                    AtomicFile.Write(edit.Target.FullPath, pair.Value!);
                }
            }
        }

        private static void Restore(List<TargetEdit> edits)
        {
            // In the user's checkout only our files go back to what they were.
            foreach (var edit in edits.Where(e => e.Changed))
            {
                if (edit.Original is null)
                {
                    File.Delete(edit.Target.FullPath);
                }
                else
                {
                    File.WriteAllBytes(edit.Target.FullPath, edit.Original);
                }
            }
        }

        private Signature Author(List<TargetEdit> changed)
        {
            var spec = changed.Select(e => e.Target.Application.WriteBack).FirstOrDefault(w => !string.IsNullOrEmpty(w.AuthorName) || !string.IsNullOrEmpty(w.AuthorEmail));
            var name = FirstNonEmpty(spec?.AuthorName, options.AuthorName, GitWriteBackOptions.DefaultAuthorName);
            var email = FirstNonEmpty(spec?.AuthorEmail, options.AuthorEmail, GitWriteBackOptions.DefaultAuthorEmail);
            return new Signature(name, email, DateTimeOffset.Now);
        }

        private static string FirstNonEmpty(params string?[] values) => values.First(v => !string.IsNullOrWhiteSpace(v))!;

        /// <summary>One application: its rendered template; several: each application's rendered message in turn.</summary>
        private string Message(List<TargetEdit> changed)
        {
            var messages = changed.GroupBy(e => e.Target.Application).Select(app =>
                CommitMessageTemplate.Render(app.Key.WriteBack.CommitMessage, app.Key.Name, app.Key.Namespace, app.SelectMany(e => e.Candidates).Select(ImageChange.From).ToList(), options.Warning)
                    .TrimEnd('\n', '\r')).ToList();
            return string.Join("\n\n", messages) + "\n";
        }

        private Repository OpenCache(string directory, string url, GitCredentials credentials)
        {
            if (Directory.Exists(directory))
            {
                try
                {
                    var repo = new Repository(directory);
                    // Reading the references and the remote-tracking tips finds the corruption an interrupted run leaves behind.
                    _ = repo.Head.Tip;
                    foreach (var branch in repo.Branches.Where(b => b.IsRemote))
                    {
                        _ = branch.Tip?.Tree.Count;
                    }

                    if (repo.Network.Remotes[Remote]?.Url == url && repo.Info.IsBare)
                    {
                        Configure(repo, credentials);
                        options.Verbose?.Invoke($"Using the cached clone of {url} in {directory}.");
                        return repo;
                    }

                    var bare = repo.Info.IsBare;
                    repo.Dispose();
                    if (bare)
                    {
                        options.Warning?.Invoke($"The cached clone in {directory} is not a clone of {url}; recreating it.");
                    }
                    else
                    {
                        // Earlier versions kept a checkout here; the cache is bare now (nothing is checked out).
                        options.Verbose?.Invoke($"The cached clone of {url} in {directory} has a working tree (an earlier version's); recreating it bare.");
                    }
                }
                catch (LibGit2SharpException e)
                {
                    options.Warning?.Invoke($"The cached clone of {url} in {directory} cannot be opened ({e.Message}); recreating it.");
                }

                DeleteDirectory(directory);
            }

            options.Verbose?.Invoke($"Cloning {url} into {directory}.");
            Repository.Init(directory, isBare: true);
            var created = new Repository(directory);
            created.Network.Remotes.Add(Remote, url, FetchRefSpecs[0]);
            Configure(created, credentials);
            Statistics.Clone();
            return created;
        }

        /// <summary>SSH runs as an external program (libgit2's exec transport): the key goes in the clone's core.sshCommand, never a secret.</summary>
        private void Configure(Repository repo, GitCredentials credentials)
        {
            if (credentials.SshKeyPath is not null)
            {
                if (credentials.SshKeyPassphrase is not null && credentials.SshKeyPassphrase.Length > 0)
                {
                    throw new ImageUpdaterException("SshPassphraseNotSupported", FailureKind.NotImplemented, "SSH keys with a passphrase are not supported yet (libgit2 runs ssh as a program that cannot be given the passphrase safely); load the key into ssh-agent and omit -SshKeyPassphrase, or use HTTPS with -GitCredential.", credentials.SshKeyPath);
                }

                if (!File.Exists(credentials.SshKeyPath))
                {
                    throw new ImageUpdaterException("SshKeyNotFound", FailureKind.ObjectNotFound, $"The SSH key '{credentials.SshKeyPath}' does not exist.", credentials.SshKeyPath);
                }

                repo.Config.Set("core.sshCommand", "ssh -i '" + Path.GetFullPath(credentials.SshKeyPath).Replace("'", "'\\''") + "' -o IdentitiesOnly=yes -o BatchMode=yes", ConfigurationLevel.Local);
            }
            else if (repo.Config.Get<string>("core.sshCommand", ConfigurationLevel.Local) is not null)
            {
                // Only when set: every configuration write is a lock file and a rename.
                repo.Config.Unset("core.sshCommand", ConfigurationLevel.Local);
            }
        }

        private void Fetch(Repository repo, string url, GitCredentials credentials)
        {
            options.Verbose?.Invoke($"Fetching the branches of {url}.");
            var fetch = new FetchOptions { Prune = true, TagFetchMode = TagFetchMode.None, CredentialsProvider = Handler(credentials) };
            Commands.Fetch(repo, Remote, FetchRefSpecs, fetch, null);
            Statistics.Fetch();
        }

        private string ResolveDefaultBranch(Repository repo, string url, GitCredentials credentials)
        {
            options.Verbose?.Invoke($"Asking {url} for its default branch.");
            var handler = Handler(credentials);
            var remote = repo.Network.Remotes[Remote];
            var refs = (handler is null ? repo.Network.ListReferences(remote) : repo.Network.ListReferences(remote, handler)).ToList();
            var head = refs.FirstOrDefault(r => r.CanonicalName == "HEAD");
            if (head is SymbolicReference symbolic && symbolic.TargetIdentifier.StartsWith("refs/heads/", StringComparison.Ordinal))
            {
                return symbolic.TargetIdentifier.Substring("refs/heads/".Length);
            }

            var heads = refs.Where(r => r.CanonicalName.StartsWith("refs/heads/", StringComparison.Ordinal) && (head is null || r.TargetIdentifier == head.TargetIdentifier)).Select(r => r.CanonicalName.Substring("refs/heads/".Length)).ToList();
            return heads.FirstOrDefault(h => h == "main") ?? heads.FirstOrDefault(h => h == "master") ?? heads.FirstOrDefault()
                ?? throw new ImageUpdaterException("GitDefaultBranchUnknown", FailureKind.ObjectNotFound, $"{url} has no branches; set git-branch or the application's targetRevision.", url);
        }

        /// <summary>Pushes the branch; returns null on success or the rejection reason for a non-fast-forward.</summary>
        private string? Push(Repository repo, string url, GitCredentials credentials, string branch, bool local)
        {
            options.BeforePush?.Invoke(branch);
            var remote = local ? repo.Network.Remotes[repo.Head.RemoteName ?? Remote] : repo.Network.Remotes[Remote];
            if (remote is null)
            {
                throw new ImageUpdaterException("GitRemoteNotFound", FailureKind.ObjectNotFound, $"The checkout has no remote '{repo.Head.RemoteName ?? Remote}' to push {branch} to.", url);
            }

            var target = local && repo.Head.TrackedBranch is not null ? repo.Head.TrackedBranch.UpstreamBranchCanonicalName : "refs/heads/" + branch;
            options.Verbose?.Invoke($"Pushing {branch} to {(local ? RemoteUrl.Clean(remote.Url, out _) : url)}.");
            string? rejection = null;
            var push = new PushOptions { CredentialsProvider = Handler(credentials), OnPushStatusError = e => rejection = e.Message };
            try
            {
                repo.Network.Push(remote, "refs/heads/" + branch + ":" + target, push);
            }
            catch (NonFastForwardException e)
            {
                rejection = e.Message;
            }

            Statistics.Pushed();
            if (rejection is not null && !IsRace(rejection))
            {
                throw new ImageUpdaterException("GitPushRejected", FailureKind.PermissionDenied, $"{url} refused the push to {branch}: {rejection}. Check that the credentials may push to this branch (protected branches need a pull request).", url);
            }

            return rejection;
        }

        private static bool IsRace(string message) =>
            new[] { "non-fast-forward", "fastforward", "fast-forward", "fetch first", "stale", "failed to update ref", "cannot lock", "not present locally" }
                .Any(m => message.IndexOf(m, StringComparison.OrdinalIgnoreCase) >= 0);

        private static CredentialsHandler? Handler(GitCredentials credentials)
        {
            var https = credentials.Https;
            if (https is null)
            {
                return null;
            }

            return (_, _, types) => (types & SupportedCredentialTypes.UsernamePassword) != 0
                ? new UsernamePasswordCredentials { Username = https.UserName, Password = https.Password }
                : new DefaultCredentials();
        }

        private static ImageUpdaterException Describe(Exception e, string url)
        {
            if (e is ImageUpdaterException known)
            {
                return known;
            }

            var message = e.Message;
            if (Contains(message, "401", "403", "authentication", "credentials", "unauthorized", "permission denied"))
            {
                return new ImageUpdaterException("GitAuthenticationFailed", FailureKind.PermissionDenied, $"{url} refused the credentials ({message}); check -GitCredential (user name and token) or -SshKeyPath.", url, e);
            }

            if (Contains(message, "failed to connect", "could not resolve", "connection refused", "timed out", "failed to send request", "unreachable"))
            {
                return new ImageUpdaterException("GitConnectionFailed", FailureKind.ConnectionError, $"Cannot reach {url} ({message}).", url, e);
            }

            if (Contains(message, "not found", "does not appear to be a git repository", "could not find repository", "404"))
            {
                return new ImageUpdaterException("GitRepositoryNotFound", FailureKind.ObjectNotFound, $"{url} is not a git repository that can be read ({message}); check the application's repoURL or git-repository.", url, e);
            }

            return new ImageUpdaterException("GitWriteBackFailed", e is IOException || e is UnauthorizedAccessException ? FailureKind.WriteError : FailureKind.NotSpecified, $"Git write-back to {url} failed: {message}", url, e);
        }

        private static bool Contains(string text, params string[] needles) => needles.Any(n => text.IndexOf(n, StringComparison.OrdinalIgnoreCase) >= 0);

        private static void Fail(GitBatchOutcome outcome, IEnumerable<ImageUpdateCandidate> candidates, string url, string? branch, ImageUpdaterException e)
        {
            outcome.Errors.Add(e);
            foreach (var candidate in candidates)
            {
                outcome.Add(candidate, Result(candidate, url, branch, null, UpdateStatus.Failed, e.Message));
            }
        }

        private static void Finish(GitBatchOutcome outcome, List<TargetEdit> edits, string url, string branch, string sha, string message)
        {
            foreach (var edit in edits)
            {
                AddResults(outcome, edit, url, branch, edit.Changed ? sha : null, edit.Changed ? UpdateStatus.Updated : UpdateStatus.Unchanged, edit.Changed ? message : $"{edit.Target.RelativePath} already has the new tag(s).");
            }
        }

        private static void AddResults(GitBatchOutcome outcome, TargetEdit edit, string url, string branch, string? sha, UpdateStatus status, string message)
        {
            foreach (var candidate in edit.Candidates)
            {
                var result = Result(candidate, url, branch, edit.Target.RelativePath, status, message);
                result.Commit = sha;
                result.Diff = edit.Changed ? edit.Diff : null;
                outcome.Add(candidate, result);
            }
        }

        /// <summary>A result for one candidate (Method from its application's write-back method).</summary>
        public static ImageUpdateResult Result(ImageUpdateCandidate candidate, string? url, string? branch, string? target, UpdateStatus status, string message) => new ImageUpdateResult
        {
            Application = candidate.Application,
            Alias = candidate.Alias,
            Image = candidate.Image,
            OldTag = candidate.CurrentTag,
            NewTag = candidate.NewTag,
            Method = candidate.WriteBack.Method == WriteBackMethod.Argocd ? "argocd" : "git",
            Repository = url,
            Branch = branch,
            Target = target,
            Status = status,
            Message = message,
        };

        /// <summary>A cache folder name that a person can recognise and that two URLs never share.</summary>
        internal static string CacheName(string url)
        {
            var readable = new string(Security.UrlRedaction.Redact(url)!.Select(c => char.IsLetterOrDigit(c) || c == '-' || c == '.' ? c : '_').ToArray()).Trim('_');
            if (readable.Length > 40)
            {
                readable = readable.Substring(readable.Length - 40);
            }

            using var sha = SHA256.Create();
            var hash = string.Concat(sha.ComputeHash(Encoding.UTF8.GetBytes(url)).Take(6).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
            return readable + "-" + hash;
        }

        private static void DeleteDirectory(string directory)
        {
            // Git object files are read-only on Windows.
            foreach (var file in Directory.GetFiles(directory, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(file, FileAttributes.Normal);
            }

            Directory.Delete(directory, true);
        }

        /// <summary>A commit's files, as the bare clone cache sees them.</summary>
        private sealed class CommitFiles : RepositoryFiles
        {
            private readonly Tree tree;

            public CommitFiles(Tree tree)
            {
                this.tree = tree;
            }

            public override bool FileExists(string root, string fullPath) => tree[Relative(root, fullPath)] is { } entry && entry.TargetType == TreeEntryTargetType.Blob && entry.Mode != Mode.SymbolicLink;

            public override bool DirectoryExists(string root, string fullPath)
            {
                var relative = Relative(root, fullPath);
                return relative.Length == 0 || tree[relative]?.TargetType == TreeEntryTargetType.Tree;
            }

            /// <summary>The commit is not checked out, so no link on the path is followed, wherever it points.</summary>
            internal override void RefuseLinks(string root, string fullPath, string relativePath, WriteBackTarget spec, ArgoApplication application, StringComparison comparison)
            {
                if (LinkOnPath(relativePath) is { } link)
                {
                    throw new ImageUpdaterException("WriteBackTargetThroughLink", FailureKind.InvalidArgument, $"The write-back target '{spec}' of application '{application.QualifiedName}' goes through the symbolic link '{link}' in the repository; the write-back does not follow links: name the file the link points to.", application);
                }
            }

            private string? LinkOnPath(string relativePath)
            {
                var parts = relativePath.Split('/');
                for (var i = 1; i <= parts.Length; i++)
                {
                    var prefix = string.Join("/", parts, 0, i);
                    var entry = tree[prefix];
                    if (entry is null || entry.TargetType != TreeEntryTargetType.Blob && entry.TargetType != TreeEntryTargetType.Tree)
                    {
                        return entry is null ? null : prefix;
                    }

                    if (entry.Mode == Mode.SymbolicLink)
                    {
                        return prefix;
                    }
                }

                return null;
            }

            /// <summary>The target's bytes as committed (no filters), or null when the commit has no such file.</summary>
            public override byte[]? Read(GitTarget target)
            {
                if (tree[target.RelativePath] is not { } entry || entry.TargetType != TreeEntryTargetType.Blob || entry.Mode == Mode.SymbolicLink)
                {
                    return null;
                }

                using var stream = ((Blob)entry.Target).GetContentStream();
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                return buffer.ToArray();
            }
        }

        private sealed class BranchGroup
        {
            public BranchGroup(string baseBranch, string? write, string push)
            {
                Base = baseBranch;
                Write = write;
                Push = push;
            }

            public string Base { get; }

            public string? Write { get; }

            public string Push { get; }

            public List<ImageUpdateCandidate> Candidates { get; } = new List<ImageUpdateCandidate>();

            /// <summary>Applications whose target failed; later attempts skip them.</summary>
            public HashSet<ArgoApplication> Failed { get; } = new HashSet<ArgoApplication>();

            public void Add(ImageUpdateCandidate candidate) => Candidates.Add(candidate);
        }

        private sealed class TargetEdit
        {
            public TargetEdit(GitTarget target, List<ImageUpdateCandidate> candidates, byte[]? original, bool changed)
            {
                Target = target;
                Candidates = candidates;
                Original = original;
                Changed = changed;
            }

            public GitTarget Target { get; }

            public List<ImageUpdateCandidate> Candidates { get; }

            public byte[]? Original { get; }

            public bool Changed { get; set; }

            public string? Diff { get; set; }
        }

        /// <summary>A lock file per clone, so two runs never share a working tree at once.</summary>
        private sealed class CacheLock : IDisposable
        {
            private readonly FileStream stream;

            private CacheLock(FileStream stream)
            {
                this.stream = stream;
            }

            public static CacheLock Acquire(string path, CancellationToken cancellation)
            {
                var deadline = DateTime.UtcNow.AddMinutes(5);
                while (true)
                {
                    try
                    {
                        return new CacheLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
                    }
                    catch (IOException) when (DateTime.UtcNow < deadline)
                    {
                        cancellation.WaitHandle.WaitOne(200);
                        cancellation.ThrowIfCancellationRequested();
                    }
                }
            }

            public void Dispose() => stream.Dispose();
        }
    }
}
