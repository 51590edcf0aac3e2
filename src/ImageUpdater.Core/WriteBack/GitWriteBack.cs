using System;
using System.Collections.Generic;
using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack.Git;

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

    /// <summary>
    /// Git write-back, independent of PowerShell: plans candidates into per-repository batches, and applies a batch as one fetch, then per branch
    /// one commit and one push, re-applying the edits on a rejected push. Batches of different repositories share nothing and may run in parallel.
    /// The work is done by the collaborators in WriteBack/Git (planner, clone cache, remote, writers); this façade turns any failure into results.
    /// </summary>
    public sealed class GitWriteBack
    {
        /// <summary>Failures of the remote itself: the other branch groups of the batch would only fail the same way (each after a timeout).</summary>
        private static readonly HashSet<string> RepositoryFailures = new HashSet<string>(StringComparer.Ordinal)
        {
            "GitAuthenticationFailed", "GitConnectionFailed", "GitTimedOut", "GitRepositoryNotFound", "GitSshHostKeyUnknown", "GitSshHostKeyChanged",
        };

        private readonly IGitTargetEditor editor;
        private readonly GitWriteBackOptions options;

        public GitWriteBack(IGitTargetEditor editor, GitWriteBackOptions options)
        {
            this.editor = editor ?? throw new ArgumentNullException(nameof(editor));
            this.options = options ?? throw new ArgumentNullException(nameof(options));
        }

        public GitWriteBackStatistics Statistics { get; } = new GitWriteBackStatistics();

        /// <summary>Plans and applies every batch in turn; candidates that need no update come back Unchanged.</summary>
        public IReadOnlyList<WriteBackOutcome> Run(IEnumerable<ImageUpdateCandidate> candidates)
        {
            var outcomes = new List<WriteBackOutcome>();
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
        public static IReadOnlyList<GitRepositoryBatch> Plan(IEnumerable<ImageUpdateCandidate> candidates, out WriteBackOutcome unplanned) =>
            GitBatchPlanner.Batches(candidates, out unplanned);

        /// <summary>The repository an application writes to: git-repository, else its annotated source's repoURL.</summary>
        public static string? RepositoryOf(ArgoApplication application) => GitBatchPlanner.RepositoryOf(application);

        /// <summary>
        /// Applies one repository's candidates. Never throws but for cancellation: whatever fails (the repository, a branch, an application,
        /// or a bug in a parser) lands in the outcome as an error and a Failed result for each candidate concerned, so every candidate has a result.
        /// </summary>
        public WriteBackOutcome Apply(GitRepositoryBatch batch)
        {
            var url = RepositoryUrl.Clean(batch.Repository, out var embedded);
            var outcome = new WriteBackOutcome();
            batch = GitSecretCredentials.RefuseDisallowed(RefuseAnnotatedLocal(batch, url, outcome), options, url, outcome);
            if (batch.Candidates.Count == 0)
            {
                return outcome;
            }

            GitSecretCredentials? secret = null;
            GitCredentials? credentials = null;
            var fromUrl = false;
            try
            {
                if (options.HostCommits is { } host && options.LocalRepository is null)
                {
                    // No clone: the token the operator allowed for this repository's host API commits.
                    var gitCredentials = options.Host.Token is null ? CredentialsFor(batch, url, embedded, out secret, out fromUrl) : new GitCredentials();
                    new Hosts.HostCommitWriter(editor, options, host, options.Host.Resolve(url, gitCredentials, options, fromUrl), Statistics).Apply(batch, url, outcome, gitCredentials, fromUrl);
                    return outcome;
                }

                credentials = CredentialsFor(batch, url, embedded, out secret, out fromUrl);
                if (options.LocalRepository is not null)
                {
                    if (batch.Candidates.Any(c => c.ApplicationObject.WriteBack.PullRequest == true) || options.Host.PullRequest)
                    {
                        // The user's checkout pushes its own branch: opening a request from it is left to the user.
                        options.Warning?.Invoke($"No pull request is opened for {url} with -LocalRepository; only the clone-cache write-back (without -LocalRepository) opens them.");
                    }

                    new CheckoutCommitWriter(editor, options, Statistics).Apply(batch, url, credentials, outcome);
                }
                else
                {
                    ApplyCached(batch, url, credentials, fromUrl, outcome);
                }
            }
            catch (Exception e) when (!IsCancellation(e))
            {
                var failure = GitErrors.Describe(e, url);
                if (failure.ErrorId == "GitAuthenticationFailed" && credentials is not null)
                {
                    failure = GitErrors.AuthenticationFailed(url, GitErrors.CredentialTried(credentials, fromUrl), failure.InnerException ?? failure, failure.Data[GitErrors.SshDetail] as string);
                }

                Fail(outcome, batch.Candidates.Where(c => !outcome.Reported.Contains(c)).ToList(), url, null, failure);
            }
            finally
            {
                secret?.Dispose();
            }

            return outcome;
        }

        /// <summary>
        /// Clones or fetches a repository into the clone cache ahead of <see cref="Apply"/> (from the first candidate of it that
        /// arrives), so that Apply's fetch has little left to transfer. Never throws: Apply repeats every step and reports what fails.
        /// Counted in <see cref="PreparationStatistics"/>, so Apply's counts stay those of the write.
        /// </summary>
        public void Prepare(GitRepositoryBatch batch)
        {
            if (options.LocalRepository is not null || options.HostCommits is not null)
            {
                return;
            }

            var url = RepositoryUrl.Clean(batch.Repository, out var embedded);
            var refused = new WriteBackOutcome();
            batch = GitSecretCredentials.RefuseDisallowed(RefuseAnnotatedLocal(batch, url, refused), options, url, refused);
            if (batch.Candidates.Count == 0)
            {
                return;
            }

            GitSecretCredentials? secret = null;
            try
            {
                var credentials = CredentialsFor(batch, url, embedded, out secret, out _);
                using var cache = GitCloneCache.Open(options, url, credentials, PreparationStatistics);
                new GitRemote(cache.Repository, url, credentials, options, PreparationStatistics, cache.SshOutput).Fetch();
                prepared[url] = DateTime.UtcNow;
            }
            catch (Exception e) when (!IsCancellation(e))
            {
                options.Verbose?.Invoke($"Preparing {url} ahead of its write-back failed; the write-back tries again: {GitErrors.Describe(e, url).Message}");
            }
            finally
            {
                secret?.Dispose();
            }
        }

        /// <summary>A preparation's fetch stands for the write's for this long; after it (or a rejected push) the write fetches as before.</summary>
        private static readonly TimeSpan PreparedFetchLifetime = TimeSpan.FromSeconds(30);

        /// <summary>When <see cref="Prepare"/> last fetched each URL; the write takes the entry.</summary>
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTime> prepared = new System.Collections.Concurrent.ConcurrentDictionary<string, DateTime>(StringComparer.Ordinal);

        /// <summary>Clones and fetches done by <see cref="Prepare"/>.</summary>
        public GitWriteBackStatistics PreparationStatistics { get; } = new GitWriteBackStatistics();

        /// <summary>
        /// The credentials of a batch: git:secret: first, else the options' by URL, else (nothing covering the repository) Argo CD's
        /// repository secrets as git:repocreds; a GitHub App becomes its installation token; user:token@ in the URL for that URL only;
        /// none over http fails.
        /// </summary>
        private GitCredentials CredentialsFor(GitRepositoryBatch batch, string url, System.Net.NetworkCredential? embedded, out GitSecretCredentials? secret, out bool fromUrl)
        {
            fromUrl = false;
            var own = batch.Candidates.SelectMany(c => c.ApplicationObject.Sources).Select(s => s.RepoUrl).ToList();
            secret = GitSecretCredentials.Read(batch, options, url);
            var credentials = (secret?.Credentials ?? options.Credentials).For(url, own, out var refusal);
            if (secret is null && embedded is null && (RepositoryUrl.IsHttp(url) ? credentials.Https is null && credentials.GitHubApp is null : credentials.SshKeyPath is null)
                && GitSecretCredentials.ReadRepoCreds(batch, options, url) is { } repoCreds)
            {
                // The parameters name no credential for this repository: Argo CD's own, as upstream's git:repocreds.
                secret = repoCreds;
                credentials = repoCreds.Credentials.For(url, own, out refusal);
            }

            if (credentials.Https is null && credentials.GitHubApp is { } app)
            {
                credentials.Https = GitHubAppToken.Credential(app, options, url);
            }

            if (credentials.Https is null && embedded is not null)
            {
                // user:token@ written into the URL itself goes only to that URL.
                credentials.Https = embedded;
                fromUrl = true;
            }

            if (credentials.Https is null && RepositoryUrl.IsHttp(url))
            {
                throw refusal is null ? GitErrors.CredentialRequired(batch.Candidates[0].ApplicationObject, url, options.RepositorySecrets is null ? null : options.ArgoCDNamespace) : GitErrors.CredentialNotBound(batch.Candidates[0].ApplicationObject, url, refusal);
            }

            return credentials;
        }

        /// <summary>
        /// Fails the candidates whose git-repository annotation names a local path or file:// URL other than their own source (an annotation
        /// must not make the run write into a repository on this machine) unless <see cref="GitWriteBackOptions.AllowLocalRepository"/>.
        /// </summary>
        private GitRepositoryBatch RefuseAnnotatedLocal(GitRepositoryBatch batch, string url, WriteBackOutcome outcome)
        {
            if (options.AllowLocalRepository || !Security.CredentialScope.IsLocal(url))
            {
                return batch;
            }

            bool Annotated(ImageUpdateCandidate c) =>
                !string.IsNullOrWhiteSpace(c.ApplicationObject.WriteBack.Repository) && !c.ApplicationObject.Sources.Any(s => RepositoryUrl.Same(s.RepoUrl, url));
            var refused = batch.Candidates.Where(Annotated).ToList();
            if (refused.Count == 0)
            {
                return batch;
            }

            Fail(outcome, refused, url, null, GitErrors.LocalRepositoryRefused(refused[0].ApplicationObject, url));
            return new GitRepositoryBatch(batch.Repository, batch.Candidates.Where(c => !Annotated(c)).ToList());
        }

        private void ApplyCached(GitRepositoryBatch batch, string url, GitCredentials credentials, bool credentialFromUrl, WriteBackOutcome outcome)
        {
            using var cache = GitCloneCache.Open(options, url, credentials, Statistics);
            var remote = new GitRemote(cache.Repository, url, credentials, options, Statistics, cache.SshOutput);
            if (prepared.TryRemove(url, out var fetched) && DateTime.UtcNow - fetched < PreparedFetchLifetime)
            {
                options.Verbose?.Invoke($"Using the branches of {url} fetched {(DateTime.UtcNow - fetched).TotalSeconds:0.0} s ago by its preparation.");
            }
            else
            {
                remote.Fetch();
            }

            string? defaultBranch = null;
            ImageUpdaterException? defaultBranchFailure = null;
            string DefaultBranch()
            {
                try
                {
                    return defaultBranch ??= remote.DefaultBranch();
                }
                catch (ImageUpdaterException e)
                {
                    // Asked once: every application needing it gets the same answer.
                    throw defaultBranchFailure ??= e;
                }
            }

            var writer = new BareCommitWriter(cache.Repository, remote, editor, options, Statistics, url, cache.Memory);
            var pushed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var group in GitBatchPlanner.BranchGroups(batch, DefaultBranch, outcome, url))
            {
                try
                {
                    if (pushed.Contains(group.Push))
                    {
                        // An earlier group of this batch pushed this branch (from another base): its commit is not in the
                        // cache (objects are built in memory), so fetch it rather than build on the old tip and be rejected.
                        remote.Fetch();
                    }

                    using var pullRequest = Hosts.PullRequestStep.For(group, url, credentials, credentialFromUrl, options);
                    writer.Apply(group, outcome, pullRequest);
                    pushed.Add(group.Push);
                }
                catch (Exception e) when (!IsCancellation(e))
                {
                    var failure = GitErrors.Describe(e, url);
                    if (RepositoryFailures.Contains(failure.ErrorId))
                    {
                        throw failure;
                    }

                    // One group's failure (a bad branch name, a refused push) is not the other groups' failure.
                    Fail(outcome, group.Candidates.Where(c => !outcome.Reported.Contains(c)).ToList(), url, group.Push, failure);
                }
            }
        }

        private bool IsCancellation(Exception e) => e is OperationCanceledException && options.CancellationToken.IsCancellationRequested;

        /// <summary>Records <paramref name="error"/> once and a Failed result with its message (and the file, when known) for each candidate.</summary>
        internal static void Fail(WriteBackOutcome outcome, IEnumerable<ImageUpdateCandidate> candidates, string? url, string? branch, ImageUpdaterException error, string? target = null)
        {
            outcome.Errors.Add(error);
            foreach (var candidate in candidates)
            {
                outcome.Add(candidate, Result(candidate, url, branch, target, UpdateStatus.Failed, error.Message));
            }
        }

        /// <summary>A result for one candidate through the one candidate → result mapping, with where it was written.</summary>
        public static ImageUpdateResult Result(ImageUpdateCandidate candidate, string? url, string? branch, string? target, UpdateStatus status, string message) =>
            ImageUpdateResult.For(candidate, null, status, message) with { Repository = url, Branch = branch, Target = target };
    }
}
