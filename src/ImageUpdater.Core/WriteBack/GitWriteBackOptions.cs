using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using ImageUpdater.Core.Http;

namespace ImageUpdater.Core.WriteBack
{
    /// <summary>How <see cref="GitWriteBack"/> reaches repositories and commits.</summary>
    public sealed class GitWriteBackOptions
    {
        /// <summary>The upstream author when neither annotations nor options name one.</summary>
        public const string DefaultAuthorName = "argocd-image-updater";

        public const string DefaultAuthorEmail = "noreply@argoproj.io";

        /// <summary>Folder of the clone cache (one clone per repository URL); null = <see cref="DefaultWorkingDirectory"/>.</summary>
        public string? WorkingDirectory { get; set; }

        /// <summary>An existing checkout to commit into instead of the cache; pushes only when <see cref="Push"/> is set.</summary>
        public string? LocalRepository { get; set; }

        /// <summary>With <see cref="LocalRepository"/>: push the commit to the branch's remote.</summary>
        public bool Push { get; set; }

        /// <summary>Commit through the Git host's API instead of a clone and a push (-WriteBackTransport HostApi); null = git.</summary>
        public Hosts.HostCommitSettings? HostCommits { get; set; }

        public GitCredentials Credentials { get; set; } = new GitCredentials();

        /// <summary>The Git host API settings (-GitHost, -GitHostUrl, -GitHostToken, -PullRequest): pull requests and API calls after the git write.</summary>
        public Hosts.GitHostSettings Host { get; set; } = new Hosts.GitHostSettings();

        /// <summary>Reads the Kubernetes secrets of <c>git:secret:&lt;ns&gt;/&lt;name&gt;</c>; null = those applications use <see cref="Credentials"/>.</summary>
        public Registries.ISecretReader? Secrets { get; set; }

        /// <summary>Lists Argo CD's repository secrets for <c>git:repocreds</c> (and plain <c>git</c>); null = only the parameters apply.</summary>
        public Registries.ISecretLister? RepositorySecrets { get; set; }

        /// <summary>The namespace Argo CD (and its repository secrets) runs in (-ArgoCDNamespace).</summary>
        public string ArgoCDNamespace { get; set; } = "argocd";

        /// <summary>git:secret: references allowed beyond the application's own namespace (<c>secret:ns/name</c>, <c>*</c> matches any text; -AllowGitSecret).</summary>
        public IReadOnlyList<string> AllowedSecrets { get; set; } = Array.Empty<string>();

        /// <summary>Lets a git-repository annotation name a local path or file:// URL (-AllowLocalRepository); an application's own repoURL needs no switch.</summary>
        public bool AllowLocalRepository { get; set; }

        public string? AuthorName { get; set; }

        public string? AuthorEmail { get; set; }

        /// <summary>The operator's commit signing key (-CommitSigningKey): a GnuPG key ID/fingerprint, or an SSH private key path; null = unsigned.</summary>
        public string? SigningKey { get; set; }

        public Annotations.CommitSigningMethod SigningMethod { get; set; }

        /// <summary>Adds a Signed-off-by trailer for the committer (-CommitSignOff).</summary>
        public bool SignOff { get; set; }

        /// <summary>Keys a git.commit-signing-key annotation may name besides <see cref="SigningKey"/> (-AllowCommitSigningKey).</summary>
        public IReadOnlyList<string> AllowedSigningKeys { get; set; } = Array.Empty<string>();

        /// <summary>The programs that sign (tests may point them elsewhere); found on PATH.</summary>
        public string GpgProgram { get; set; } = "gpg";

        public string SshKeygenProgram { get; set; } = "ssh-keygen";

        /// <summary>Repository paths (files or folders) that write-back may edit although they configure CI or git (<see cref="Annotations.ProtectedPaths"/>).</summary>
        public IReadOnlyList<string> AllowedProtectedPaths { get; set; } = Array.Empty<string>();

        /// <summary>Writes held images too (-IgnoreHold): neither hand changes nor the hold annotation stop an update.</summary>
        public bool IgnoreHold { get; set; }

        /// <summary>Commits of a target's history read at most when looking for a hand change of its value.</summary>
        public int HoldHistoryCommits { get; set; } = 200;

        /// <summary>The history walk of one target stops after this long (no hand change found, so no hold).</summary>
        public TimeSpan HoldHistoryBudget { get; set; } = TimeSpan.FromSeconds(2);

        /// <summary>
        /// Lets write-back set a value other mappings share through an anchor, alias or merge key (-AllowSharedValueEdit); without it a key
        /// a merge key brings gets an overriding key in the application's mapping, and any other shared value fails its application.
        /// </summary>
        public bool AllowSharedValueEdit { get; set; }

        /// <summary>Compute diffs only: no commit, no push.</summary>
        public bool WhatIf { get; set; }

        /// <summary>Pushes tried per branch at most before a rejected (non-fast-forward) push becomes an error; <see cref="PushBudget"/> usually ends first.</summary>
        public int MaxPushAttempts { get; set; } = 30;

        /// <summary>Base of the waits after a rejected push (RetryPolicy.Backoff: random, up to this doubled per retry, at most 5 s).</summary>
        public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

        /// <summary>No push is retried after this long since the first try for the branch (other writers pushing all the time).</summary>
        public TimeSpan PushBudget { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>The push retry loop's bounds (the one backoff, <see cref="Http.RetryPolicy"/>).</summary>
        public Http.RetryPolicy PushRetry => new Http.RetryPolicy { MaxAttempts = MaxPushAttempts, BaseDelay = RetryDelay, MaxDelay = TimeSpan.FromSeconds(5), Budget = PushBudget };

        /// <summary>A git server that does not connect, or stops answering, for this long fails its repository (libgit2's and ssh's timeouts).</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>What is asked of which server (never a secret).</summary>
        public Action<string>? Verbose { get; set; }

        public Action<string>? Warning { get; set; }

        public CancellationToken CancellationToken { get; set; }

        /// <summary>Runs just before each push (tests use it to land a concurrent commit).</summary>
        internal Action<string>? BeforePush { get; set; }

        /// <summary><c>$XDG_CACHE_HOME</c> or <c>~/.cache</c> (Linux), <c>~/Library/Caches</c> (macOS), <c>%LOCALAPPDATA%</c> (Windows), then <c>ImageUpdater.PS/git</c>.</summary>
        public static string DefaultWorkingDirectory
        {
            get
            {
                string root;
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                {
                    root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
                }
                else if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
                {
                    root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), "Library", "Caches");
                }
                else
                {
                    var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
                    root = string.IsNullOrEmpty(xdg) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache") : xdg!;
                }

                return Path.Combine(root, "ImageUpdater.PS", "git");
            }
        }
    }

    /// <summary>Network and commit counts of a <see cref="GitWriteBack"/> (what the bench prints).</summary>
    public sealed class GitWriteBackStatistics
    {
        private int clones;
        private int fetches;
        private int commits;
        private int pushes;
        private int pushRetries;

        /// <summary>Fetches, including the one that fills a new clone.</summary>
        public int Fetches => fetches;

        public int Clones => clones;

        public int Commits => commits;

        public int Pushes => pushes;

        /// <summary>Pushes rejected by the remote and tried again after a fetch.</summary>
        public int PushRetries => pushRetries;

        internal void Clone() => Interlocked.Increment(ref clones);

        internal void Fetch() => Interlocked.Increment(ref fetches);

        internal void Commit() => Interlocked.Increment(ref commits);

        internal void Pushed() => Interlocked.Increment(ref pushes);

        internal void PushRetried() => Interlocked.Increment(ref pushRetries);

        public override string ToString() => $"fetches {Fetches} (clones {Clones}), commits {Commits}, pushes {Pushes}";
    }
}
