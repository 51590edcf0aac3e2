using System;
using System.IO;
using System.Linq;
using System.Text;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack.Git;
using ImageUpdater.Core.Yaml;

namespace ImageUpdater.Core.WriteBack.Hosts
{
    /// <summary>
    /// The write-back without a clone: each branch group reads the branch head and its target files through the host's API, makes the
    /// git path's edits (<see cref="TargetEdits"/>), and creates one commit of only the changed files that moves the branch from that head
    /// alone; a moved head waits (the push retry's bound), re-reads and re-applies. Results are the git path's, commit id included.
    /// </summary>
    internal sealed class HostCommitWriter
    {
        private readonly IGitTargetEditor editor;
        private readonly GitWriteBackOptions options;
        private readonly HostCommitSettings settings;
        private readonly GitHostAccess access;
        private readonly GitWriteBackStatistics statistics;
        private readonly Random random = new Random();

        /// <param name="access">The repository's API and the token the operator allowed there (<see cref="GitHostSettings.Resolve"/>).</param>
        public HostCommitWriter(IGitTargetEditor editor, GitWriteBackOptions options, HostCommitSettings settings, GitHostAccess access, GitWriteBackStatistics statistics)
        {
            this.editor = editor;
            this.options = options;
            this.settings = settings;
            this.access = access;
            this.statistics = statistics;
        }

        /// <param name="credentials">The batch's git credentials, for the pull request step's token rule (<see cref="PullRequestStep.For"/>).</param>
        public void Apply(GitRepositoryBatch batch, string url, WriteBackOutcome outcome, GitCredentials credentials, bool credentialFromUrl)
        {
            var api = HostCommitApi.For(new GitHostApi(access.Endpoint, access.Token, settings.Client));
            string? defaultBranch = null;
            string DefaultBranch()
            {
                try
                {
                    return defaultBranch ??= api.DefaultBranchAsync(options.CancellationToken).GetAwaiter().GetResult();
                }
                catch (GitHostApiException e)
                {
                    throw Describe(e, url, api);
                }
            }

            foreach (var group in GitBatchPlanner.BranchGroups(batch, DefaultBranch, outcome, url))
            {
                try
                {
                    using var pullRequest = PullRequestStep.For(group, url, credentials, credentialFromUrl, options);
                    Apply(api, group, url, outcome, pullRequest);
                }
                catch (GitHostApiException e)
                {
                    var failure = Describe(e, url, api);
                    if (e.Status == 401 || e.Status == 404)
                    {
                        // The token or the repository is wrong for every branch of the batch.
                        throw failure;
                    }

                    GitWriteBack.Fail(outcome, group.Candidates.Where(c => !outcome.Reported.Contains(c)).ToList(), url, group.Push, failure);
                }
                catch (ImageUpdaterException e)
                {
                    GitWriteBack.Fail(outcome, group.Candidates.Where(c => !outcome.Reported.Contains(c)).ToList(), url, group.Push, e);
                }
            }
        }

        /// <summary>A host's refusal as the git path's error ids: 401 authentication, 403 a missing permission (named), 404 no repository.</summary>
        internal static ImageUpdaterException Describe(GitHostApiException e, string url, HostCommitApi api)
        {
            var id = e.Status switch
            {
                401 => "GitAuthenticationFailed",
                403 => "GitPushRefused",
                404 => "GitRepositoryNotFound",
                409 or 422 => "GitPushRefused",
                _ => "GitWriteBackFailed",
            };
            var message = e.Message;
            if (e.Status == 403 && message.IndexOf(api.WritePermission, StringComparison.Ordinal) < 0 && e.Permission is null)
            {
                message += $" Committing through the {api.Api.Endpoint.Kind} API needs {api.WritePermission}.";
            }

            return GitErrors.Error(id, message, url, e);
        }

        private void Apply(HostCommitApi api, BranchGroup group, string url, WriteBackOutcome outcome, PullRequestStep? pullRequest)
        {
            var ct = options.CancellationToken;
            var root = Path.GetFullPath(Path.Combine(Path.GetTempPath(), "imageupdater-host-api", api.Api.Endpoint.Repository.Replace('/', Path.DirectorySeparatorChar)));
            var policy = options.PushRetry;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (var attempt = 1; ; attempt++)
            {
                ct.ThrowIfCancellationRequested();
                var head = group.Write is null ? null : api.HeadAsync(group.Write, ct).GetAwaiter().GetResult();
                var newBranch = head is null && group.Write is not null;
                head ??= api.HeadAsync(group.Base, ct).GetAwaiter().GetResult()
                    ?? throw GitErrors.Error("GitBranchNotFound", $"The branch '{group.Base}' does not exist in {url}; check the git-branch annotation or the application's targetRevision.", url);
                var files = new HostFiles(api, head, ct);
                var edits = TargetEdits.Compute(editor, root, group, url, outcome, files, options.AllowedProtectedPaths, new HoldCheck(null, editor, options));
                var paths = edits.ChangedPaths;
                if (paths.Count == 0)
                {
                    PullRequestStep.ReportUnchanged(pullRequest, edits, outcome, url, group, writeBranchExists: !newBranch, options.WhatIf);
                    return;
                }

                edits.SetDiffs(path => UnifiedDiff.Create(Text(edits.All.First(e => e.Target.RelativePath == path).Original), Text(edits.Content(path)), path));
                if (options.WhatIf)
                {
                    var andRequest = PullRequestStep.WhatIfSuffix(pullRequest, group);
                    edits.Report(outcome, url, group.Push, UpdateStatus.WhatIf, null, e => $"What if: would commit {e.Target.RelativePath} to {group.Push} of {url} through the {api.Api.Endpoint.Kind} API{andRequest}.");
                    return;
                }

                if (attempt == 1)
                {
                    // Before anything is committed: a token the host refuses fails the group with nothing half-done.
                    pullRequest?.Preflight();
                }

                var changed = edits.Changed;
                var signing = CommitSigning.For(changed.Select(e => e.Target.Application), options);
                if (signing.Key is not null)
                {
                    throw GitErrors.Error("GitSigningFailed", $"Commits through the {api.Api.Endpoint.Kind} API cannot be signed with the key '{signing.Key}'{(api.SignsCommits ? " (GitHub signs them with its own key)" : string.Empty)}; write back with -WriteBackTransport Git to sign, or leave the signing key out.", url);
                }

                var (name, email) = CommitText.Author(changed.Select(e => e.Target.Application), options);
                var when = DateTimeOffset.Now;
                var message = signing.Message(CommitText.Message(edits.ChangedApplications, options.Warning), new LibGit2Sharp.Signature(name, email, when));
                var changes = paths.Select(p => new HostFileChange(p, edits.Content(p), files.Entry(p) is { Kind: HostEntryKind.File } entry ? entry : null)).ToList();
                var sha = api.CommitAsync(new HostCommit(group.Push, head, newBranch, changes, message, name, email, when), ct).GetAwaiter().GetResult();
                if (sha is not null)
                {
                    statistics.Commit();
                    options.Verbose?.Invoke($"Committed {sha.Substring(0, Math.Min(12, sha.Length))} on {group.Push} through the {api.Api.Endpoint.Kind} API: {paths.Count} file(s).");
                    var committed = attempt == 1 ? $"Committed to {group.Push} through the {api.Api.Endpoint.Kind} API." : $"Committed to {group.Push} through the {api.Api.Endpoint.Kind} API after the branch moved {attempt - 1} time(s).";
                    PullRequestStep.ReportCommitted(pullRequest, edits, outcome, url, group, sha, committed);
                    return;
                }

                if (policy.NextWait(attempt, clock.Elapsed, policy.Backoff(attempt, random)) is not TimeSpan wait)
                {
                    throw GitErrors.PushRaced(url, group.Push, attempt, "the branch moved since it was read", clock.Elapsed);
                }

                statistics.PushRetried();
                options.Verbose?.Invoke($"{group.Push} of {url} moved while committing through the {api.Api.Endpoint.Kind} API; re-reading and re-applying the edits in {wait.TotalMilliseconds:0} ms (attempt {attempt + 1}; {policy.Describe()}).");
                ct.WaitHandle.WaitOne(wait);
            }
        }

        private static string Text(byte[]? bytes) => bytes is null ? string.Empty : new UTF8Encoding(false).GetString(bytes);
    }
}
