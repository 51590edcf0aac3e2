using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using ImageUpdater.Core.Http;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack.Git;

namespace ImageUpdater.Core.WriteBack.Hosts
{
    /// <summary>
    /// The pull request of one branch group of the git write-back: wanted when -PullRequest or git.pull-request asks for it;
    /// checked before the push (token bound to the API, rights where the host tells them) so that a refusal pushes nothing;
    /// opened or updated after the push; opened (never edited) when the write branch already holds the change.
    /// </summary>
    internal sealed class PullRequestStep : IDisposable
    {
        private readonly HttpClient client;
        private readonly PullRequestHost host;
        private readonly BranchGroup group;
        private readonly string url;
        private readonly GitWriteBackOptions options;

        private PullRequestStep(GitHostAccess access, BranchGroup group, string url, GitWriteBackOptions options)
        {
            this.group = group;
            this.url = url;
            this.options = options;
            Access = access;
            client = new HttpClient(new RetryHandler(new RetryPolicy { Budget = options.PushBudget }, new HttpClientHandler())) { Timeout = options.Timeout };
            host = new PullRequestHost(new GitHostApi(access.Endpoint, access.Token, client));
        }

        public GitHostAccess Access { get; }

        /// <summary>
        /// The step of <paramref name="group"/>, or null when no pull request is wanted. Throws (nothing pushed yet) when one is wanted but
        /// the annotation names no write branch, or no token may go to the host's API.
        /// </summary>
        public static PullRequestStep? For(BranchGroup group, string url, GitCredentials credentials, bool credentialFromUrl, GitWriteBackOptions options)
        {
            var annotated = group.Candidates.Where(c => c.ApplicationObject.WriteBack.PullRequest == true).Select(c => c.ApplicationObject).FirstOrDefault();
            var wanted = group.Candidates.Any(c => c.ApplicationObject.WriteBack.PullRequest ?? options.Host.PullRequest);
            if (!wanted)
            {
                return null;
            }

            if (group.Write is null || string.Equals(group.Write, group.Base, StringComparison.Ordinal))
            {
                if (annotated is null)
                {
                    // -PullRequest asks it of write branches only; an application that pushes its base branch pushes as before.
                    return null;
                }

                throw GitErrors.Error("GitPullRequestNeedsWriteBranch", $"Application '{annotated.QualifiedName}' asks for a pull request (git.pull-request) but pushes its base branch '{group.Base}' of {url}; set git.branch to base:write (for example {group.Base}:image-updater-{{{{.SHA256}}}}). Nothing was pushed.", annotated);
            }

            GitHostAccess access;
            try
            {
                access = options.Host.Resolve(url, credentials, options, credentialFromUrl);
            }
            catch (ImageUpdaterException e)
            {
                throw new ImageUpdaterException(e.ErrorId, e.Kind, $"Application(s) {Applications(group)}: {e.Message} Nothing was pushed.", e.Target, e);
            }

            return new PullRequestStep(access, group, url, options);
        }

        /// <summary>Before the push: the token may read the requests and (GitHub, GitLab) change the repository.</summary>
        public void Preflight()
        {
            try
            {
                host.PreflightAsync(Request(group.Candidates), options.CancellationToken).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is GitHostApiException or HttpRequestException || (e is OperationCanceledException && !options.CancellationToken.IsCancellationRequested))
            {
                throw Failure(e, "Nothing was pushed.");
            }
        }

        /// <summary>After the push of <paramref name="commit"/>: opens the request, or updates the open one's title and body.</summary>
        public PullRequestOutcome OpenOrUpdate(IEnumerable<ImageUpdateCandidate> candidates, string commit)
        {
            try
            {
                var outcome = host.OpenOrUpdateAsync(Request(candidates), options.CancellationToken).GetAwaiter().GetResult();
                options.Verbose?.Invoke($"{(outcome.Opened ? "Opened" : "Updated")} {outcome.Name} from {group.Push} into {group.Base} of {url}: {outcome.Url}");
                return outcome;
            }
            catch (Exception e) when (e is GitHostApiException or HttpRequestException || (e is OperationCanceledException && !options.CancellationToken.IsCancellationRequested))
            {
                throw Failure(e, $"The commit {commit.Substring(0, Math.Min(12, commit.Length))} was pushed to {group.Push}; no pull request was opened or updated.");
            }
        }

        /// <summary>The write branch already holds the change (an earlier run pushed it): the open request, or a new one when there is none.</summary>
        public PullRequestOutcome? EnsureOpen(IEnumerable<ImageUpdateCandidate> candidates)
        {
            try
            {
                var request = Request(candidates);
                if (host.PreflightAsync(request, options.CancellationToken).GetAwaiter().GetResult() is int)
                {
                    return null;
                }

                var outcome = host.OpenOrUpdateAsync(request, options.CancellationToken).GetAwaiter().GetResult();
                options.Verbose?.Invoke($"Opened {outcome.Name} from {group.Push} into {group.Base} of {url}, whose write branch already had the change: {outcome.Url}");
                return outcome;
            }
            catch (Exception e) when (e is GitHostApiException or HttpRequestException || (e is OperationCanceledException && !options.CancellationToken.IsCancellationRequested))
            {
                throw Failure(e, $"{group.Push} already has the change; no pull request was opened.");
            }
        }

        /// <summary>What a what-if result adds when the group has a request (both writers' what-if message).</summary>
        internal static string WhatIfSuffix(PullRequestStep? step, BranchGroup group) =>
            step is null ? string.Empty : $" and open or update a pull request into {group.Base}";

        /// <summary>
        /// A group with nothing to commit, reported Unchanged; when its write branch already exists (an earlier run pushed the change, its
        /// request failed or was closed) the request is ensured first and the results carry its URL. Both writers report through this.
        /// </summary>
        internal static void ReportUnchanged(PullRequestStep? step, TargetEdits edits, WriteBackOutcome outcome, string url, BranchGroup group, bool writeBranchExists, bool whatIf)
        {
            var opened = step is not null && !whatIf && group.Write is not null && writeBranchExists ? step.EnsureOpen(edits.All.SelectMany(e => e.Candidates)) : null;
            edits.Report(outcome, url, group.Push, UpdateStatus.Unchanged, null, _ => string.Empty, opened?.Url);
        }

        /// <summary>
        /// After <paramref name="commit"/> landed on the write branch (by push or through the host's API): without a request the group is
        /// Updated; with one, the request is opened or updated and the results carry its URL, and a request that fails leaves the commit in
        /// the Failed results and adds the error. Both writers report through this.
        /// </summary>
        internal static void ReportCommitted(PullRequestStep? step, TargetEdits edits, WriteBackOutcome outcome, string url, BranchGroup group, string commit, string committedText)
        {
            if (step is null)
            {
                edits.Report(outcome, url, group.Push, UpdateStatus.Updated, commit, _ => committedText);
                return;
            }

            step.ReportAfterCommit(edits, outcome, commit, committedText);
        }

        private void ReportAfterCommit(TargetEdits edits, WriteBackOutcome outcome, string commit, string committedText)
        {
            PullRequestOutcome request;
            try
            {
                request = OpenOrUpdate(edits.Changed.SelectMany(e => e.Candidates), commit);
            }
            catch (ImageUpdaterException e)
            {
                // The commit stands (the results carry it); the request did not happen, and the error says so.
                outcome.Errors.Add(e);
                edits.Report(outcome, url, group.Push, UpdateStatus.Failed, commit, _ => e.Message);
                return;
            }

            var what = (request.Opened ? "Opened " : "Updated ") + request.Name;
            edits.Report(outcome, url, group.Push, UpdateStatus.Updated, commit, _ => $"{committedText} {what} into {group.Base}: {request.Url}", request.Url);
        }

        public void Dispose() => client.Dispose();

        private static string Applications(BranchGroup group) => string.Join(", ", group.Candidates.Select(c => c.ApplicationObject.QualifiedName).Distinct().Select(n => "'" + n + "'"));

        private PullRequestRequest Request(IEnumerable<ImageUpdateCandidate> candidates) =>
            PullRequestText.For(candidates.Select(ImageUpdate.From).ToList(), group.Push, group.Base, options.Host.PullRequestTitle, options.Host.PullRequestBody);

        /// <summary>The host's refusal as an error naming the applications, the repository, the permission, and what did happen.</summary>
        private ImageUpdaterException Failure(Exception e, string happened)
        {
            var applications = Applications(group);
            var kind = Access.Endpoint.Kind;
            var (id, detail) = e switch
            {
                GitHostApiException { Status: 401 } api => ("GitPullRequestAuthenticationFailed", api.Message + $" (token from {Access.TokenSource})"),
                GitHostApiException { Status: 403 } api => ("GitPullRequestPermissionDenied", api.Message + $" Give the token (from {Access.TokenSource}) {PullRequestHost.WritePermission(kind)}."),
                GitHostApiException { Status: 404 } api => ("GitPullRequestRepositoryNotFound", api.Message),
                GitHostApiException { Status: 409 or 422 } api => ("GitPullRequestRefused", api.Message),
                GitHostApiException api => ("GitPullRequestFailed", api.Message),
                _ => ("GitPullRequestFailed", $"{kind} API {Security.UrlRedaction.Redact(Access.Endpoint.ApiBase.AbsoluteUri)} did not answer: {e.Message}"),
            };
            return GitErrors.Error(id, $"Application(s) {applications}: the pull request from {group.Push} into {group.Base} of {url} failed. {detail} {happened}", url, e);
        }
    }
}
