using System;
using System.IO;
using System.Linq;
using System.Threading;
using LibGit2Sharp;
using LibGit2Sharp.Handlers;

namespace ImageUpdater.Core.WriteBack.Git
{
    /// <summary>
    /// The network side of one repository: fetch, default branch, push. Every call is bounded by the options' timeout (http: each
    /// request and read, <see cref="GitHttpTransport"/>; ssh: ssh's own), ends at once when the run is cancelled (http: the wait is
    /// dropped; ssh: ssh is ended), and turns any failure into
    /// a described error naming the repository (with ssh's own words when ssh ran).
    /// </summary>
    internal sealed class GitRemote
    {
        private readonly Repository repo;
        private readonly string url;
        private readonly GitCredentials credentials;
        private readonly GitWriteBackOptions options;
        private readonly GitWriteBackStatistics statistics;
        private readonly string? sshOutput;

        public GitRemote(Repository repo, string url, GitCredentials credentials, GitWriteBackOptions options, GitWriteBackStatistics statistics, string? sshOutput)
        {
            this.repo = repo;
            this.url = url;
            this.credentials = credentials;
            this.options = options;
            this.statistics = statistics;
            this.sshOutput = sshOutput;
            GitTimeouts.Apply(options.Timeout, options.Warning);
        }

        /// <summary>Fetches every branch of the cache's remote into its remote-tracking refs.</summary>
        public void Fetch()
        {
            options.Verbose?.Invoke($"Fetching the branches of {url}.");
            var fetch = new FetchOptions
            {
                Prune = true,
                TagFetchMode = TagFetchMode.None,
                CredentialsProvider = Handler(),
                OnTransferProgress = _ => Continue(),
                OnProgress = _ => Continue(),
                OnUpdateTips = (_, _, _) => Continue(),
            };
            Network(() => Commands.Fetch(repo, GitCloneCache.Remote, GitCloneCache.FetchRefSpecs, fetch, null));
            statistics.Fetch();
        }

        /// <summary>The branch the remote's HEAD names, else main, master or the first branch at HEAD's commit.</summary>
        public string DefaultBranch()
        {
            options.Verbose?.Invoke($"Asking {url} for its default branch.");
            var handler = Handler();
            var remote = repo.Network.Remotes[GitCloneCache.Remote];
            var refs = Network(() => (handler is null ? repo.Network.ListReferences(remote) : repo.Network.ListReferences(remote, handler)).ToList());
            var head = refs.FirstOrDefault(r => r.CanonicalName == "HEAD");
            if (head is SymbolicReference symbolic && symbolic.TargetIdentifier.StartsWith("refs/heads/", StringComparison.Ordinal))
            {
                return symbolic.TargetIdentifier.Substring("refs/heads/".Length);
            }

            var heads = refs.Where(r => r.CanonicalName.StartsWith("refs/heads/", StringComparison.Ordinal) && (head is null || r.TargetIdentifier == head.TargetIdentifier)).Select(r => r.CanonicalName.Substring("refs/heads/".Length)).ToList();
            return heads.FirstOrDefault(h => h == "main") ?? heads.FirstOrDefault(h => h == "master") ?? heads.FirstOrDefault()
                ?? throw GitErrors.Error("GitDefaultBranchUnknown", $"{url} has no branches; set git-branch or the application's targetRevision.", url);
        }

        /// <summary>
        /// Pushes a commit of the cache straight to the remote branch (<c>commit:refs/heads/branch</c>): no ref on disk ever names it, as it may
        /// exist only in memory. Returns null on success or the reason the branch moved; a refusal for any other reason throws.
        /// </summary>
        public string? PushCommit(string commit, string branch) =>
            Push(repo.Network.Remotes[GitCloneCache.PushRemote], commit + ":refs/heads/" + branch, branch, url);

        /// <summary>Pushes the checkout's branch to its upstream (or origin); same result as <see cref="PushCommit"/>.</summary>
        public string? PushCheckout(string branch)
        {
            var name = repo.Head.RemoteName ?? GitCloneCache.Remote;
            var remote = repo.Network.Remotes[name] ?? throw GitErrors.Error("GitRemoteNotFound", $"The checkout has no remote '{name}' to push {branch} to.", url);
            var target = repo.Head.TrackedBranch is not null ? repo.Head.TrackedBranch.UpstreamBranchCanonicalName : "refs/heads/" + branch;
            return Push(remote, "refs/heads/" + branch + ":" + target, branch, RepositoryUrl.Clean(remote.Url, out _));
        }

        private string? Push(Remote remote, string refSpec, string branch, string shown)
        {
            options.BeforePush?.Invoke(branch);
            options.Verbose?.Invoke($"Pushing {branch} to {shown}.");
            string? rejection = null;
            var push = new PushOptions
            {
                CredentialsProvider = Handler(),
                OnPushStatusError = e => rejection = e.Message,
                OnPushTransferProgress = (_, _, _) => Continue(),
                OnPackBuilderProgress = (_, _, _) => Continue(),
                OnNegotiationCompletedBeforePush = _ => Continue(),
            };
            Network(() =>
            {
                try
                {
                    repo.Network.Push(remote, refSpec, push);
                }
                catch (NonFastForwardException e)
                {
                    rejection = e.Message;
                }
            });

            statistics.Pushed();
            if (rejection is not null && !GitErrors.IsRace(rejection))
            {
                throw GitErrors.PushRefused(url, branch, rejection);
            }

            return rejection;
        }

        private const int MaxInterruptedAttempts = 3;

        private static bool Interrupted(Exception e) => e.Message.IndexOf("Interrupted system call", StringComparison.OrdinalIgnoreCase) >= 0;

        private void Network(Action call) => Network(() =>
        {
            call();
            return 0;
        });

        private T Network<T>(Func<T> call)
        {
            options.CancellationToken.ThrowIfCancellationRequested();
            using var stop = sshOutput is null ? default(CancellationTokenRegistration) : options.CancellationToken.Register(() => SshCommand.Stop(sshOutput));
            using var http = GitHttpTransport.Enter(options.CancellationToken, options.Timeout, options.Warning);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return call();
                }
                catch (Exception e) when (e is not ImageUpdaterException && e is not OperationCanceledException && attempt < MaxInterruptedAttempts && Interrupted(e))
                {
                    // libgit2 does not retry a socket read a signal interrupted (a child process of this one ending sends SIGCHLD);
                    // the fetch or push is repeated as a whole, which is safe: a push of the same commit again changes nothing.
                    options.Verbose?.Invoke($"A network call to {url} was interrupted by a signal; repeating it (attempt {attempt + 1} of {MaxInterruptedAttempts}).");
                }
                catch (Exception e) when (e is not ImageUpdaterException && e is not OperationCanceledException)
                {
                    options.CancellationToken.ThrowIfCancellationRequested();
                    throw GitErrors.Describe(http.Failure is { } failure ? new IOException(failure.Message, e) : e, url, SshCommand.Read(sshOutput));
                }
            }
        }

        /// <summary>False (stop the transfer) once the run is cancelled.</summary>
        private bool Continue() => !options.CancellationToken.IsCancellationRequested;

        private CredentialsHandler? Handler()
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
    }
}
