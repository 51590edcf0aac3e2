using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;
using Xunit;

namespace ImageUpdater.Core.Tests.WriteBack.Git
{
    /// <summary>What an unattended run meets: a crashing parser, a remote that never answers, a cache an interrupted run left behind.</summary>
    public class GitRobustnessTests
    {
        private static readonly Dictionary<string, string> ThreeApps = new Dictionary<string, string>
        {
            ["apps/a/values.yaml"] = "nginx.tag: 1.0.0\n",
            ["apps/b/values.yaml"] = "nginx.tag: 1.0.0\n",
            ["apps/c/values.yaml"] = "nginx.tag: 1.0.0\n",
        };

        [Fact]
        public void AnEditorCrashFailsOnlyItsApplicationNamingItsFileAndRepository()
        {
            using var repo = new GitFixture(ThreeApps);
            var candidates = new[] { "a", "b", "c" }.Select(n => GitFixture.Candidate(repo.App(n, "apps/" + n))).ToList();
            var engine = new GitWriteBack(new CrashingEditor("b"), repo.Options());

            var outcomes = engine.Run(candidates);

            var results = outcomes.SelectMany(o => o.Results).OrderBy(r => r.Application).ToList();
            Assert.Equal(new[] { UpdateStatus.Updated, UpdateStatus.Failed, UpdateStatus.Updated }, results.Select(r => r.Status));
            var error = Assert.Single(outcomes.SelectMany(o => o.Errors));
            Assert.Equal("GitTargetEditFailed", error.ErrorId);
            Assert.Contains("'apps/b/values.yaml'", error.Message);
            Assert.Contains("'argocd/b'", error.Message);
            Assert.Contains(repo.Url, error.Message);
            Assert.Equal(error.Message, results[1].Message);
            Assert.Equal("nginx.tag: 1.0.0\n", repo.Show("main", "apps/b/values.yaml"));
            Assert.Equal("nginx.tag: 1.1.0\n", repo.Show("main", "apps/c/values.yaml"));
        }

        [Fact]
        public void ABraceInALibgit2MessageStillGivesEveryCandidateAResult()
        {
            using var repo = new GitFixture(ThreeApps);
            // libgit2 refuses the option-like host; its message has '{', which LibGit2Sharp passes to string.Format (FormatException).
            var bad = repo.App("bad", "apps/a", repository: "ssh://-oProxyCommand=touch${IFS}pwned/apps.git");
            var good = repo.App("b", "apps/b");

            var outcomes = new GitWriteBack(new LineTagEditor(), repo.Options()).Run(new[] { GitFixture.Candidate(bad), GitFixture.Candidate(good) });

            var results = outcomes.SelectMany(o => o.Results).ToDictionary(r => r.Application!);
            Assert.Equal(UpdateStatus.Failed, results["bad"].Status);
            Assert.Contains("ssh://-oProxyCommand=touch${IFS}pwned/apps.git", results["bad"].Message);
            Assert.Equal(UpdateStatus.Updated, results["b"].Status);
            Assert.Single(outcomes.SelectMany(o => o.Errors));
            Assert.False(File.Exists("pwned"));
        }

        [Fact]
        public void ARemoteThatNeverAnswersFailsWithinTheTimeoutAndReleasesTheCache()
        {
            using var repo = new GitFixture(ThreeApps);
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var held = new List<Socket>();
            var accepting = new Thread(() =>
            {
                try
                {
                    while (true)
                    {
                        held.Add(listener.AcceptSocket());
                    }
                }
                catch (SocketException)
                {
                    // The listener stopped.
                }
                catch (ObjectDisposedException)
                {
                }
            }) { IsBackground = true };
            accepting.Start();
            try
            {
                var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/team/apps.git";
                var options = repo.Options();
                options.Timeout = TimeSpan.FromSeconds(2);
                options.Credentials = new GitCredentials { Https = new NetworkCredential("bot", "token") };
                var watch = Stopwatch.StartNew();

                var outcomes = new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(repo.App("a", "apps/a", repository: url)) });

                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
                var result = Assert.Single(outcomes.SelectMany(o => o.Results));
                Assert.Equal(UpdateStatus.Failed, result.Status);
                var error = Assert.Single(outcomes.SelectMany(o => o.Errors));
                Assert.Equal(("GitTimedOut", FailureKind.OperationTimeout), (error.ErrorId, error.Kind));
                Assert.Contains(url, error.Message);
                Assert.NotEmpty(held);
                var lockFile = Directory.GetFiles(repo.Cache, "*.lock").Single();
                using (new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                {
                    // The cache lock was released.
                }
            }
            finally
            {
                listener.Stop();
                foreach (var socket in held)
                {
                    socket.Dispose();
                }
            }
        }

        [Fact]
        public void ACacheWithRefsToMissingObjectsIsRepairedOnTheNextRun()
        {
            using var repo = new GitFixture(ThreeApps);
            var app = repo.App("a", "apps/a");
            new GitWriteBack(new LineTagEditor(), repo.Options()).Run(new[] { GitFixture.Candidate(app) });
            var clone = Directory.GetDirectories(repo.Cache).Single();
            // What a kill during a push left behind in earlier versions: refs to a commit that only existed in memory, and a partial pack.
            const string Missing = "1715fdfd0c5b0d6e1c6a4f6bb1b9d86e4f2a5c11";
            File.WriteAllText(Path.Combine(clone, "refs", "heads", "main"), Missing + "\n");
            File.WriteAllText(Path.Combine(clone, "refs", "remotes", "origin", "main"), Missing + "\n");
            var partial = Path.Combine(clone, "objects", "pack", "pack_git2_1f2e36b23095fb11");
            File.WriteAllText(partial, "PACK");
            var warnings = new List<string>();
            var options = repo.Options();
            options.Warning = warnings.Add;
            var engine = new GitWriteBack(new LineTagEditor(), options);

            var result = Assert.Single(engine.Run(new[] { GitFixture.Candidate(app, current: "1.1.0", next: "1.2.0") }).SelectMany(o => o.Results));

            Assert.True(result.Status == UpdateStatus.Updated, result.Message);
            Assert.Equal("nginx.tag: 1.2.0\n", repo.Show("main", "apps/a/values.yaml"));
            Assert.Equal(0, engine.Statistics.Clones);
            Assert.Contains(warnings, w => w.Contains("refs/remotes/origin/main") && w.Contains("missing commit"));
            Assert.False(File.Exists(partial));
        }

        [Fact]
        public void APushWritesNoRefInTheCache()
        {
            using var repo = new GitFixture(ThreeApps);
            var before = repo.Log("main", "%H").Trim();

            var result = Assert.Single(new GitWriteBack(new LineTagEditor(), repo.Options()).Run(new[] { GitFixture.Candidate(repo.App("a", "apps/a")) }).SelectMany(o => o.Results));

            Assert.Equal(UpdateStatus.Updated, result.Status);
            var clone = Directory.GetDirectories(repo.Cache).Single();
            var refs = GitFixture.Git(clone, "for-each-ref", "--format=%(refname) %(objectname)").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            // The pushed commit lived in memory only: the tracking ref still names the fetched tip, which is on disk.
            Assert.Equal(new[] { "refs/remotes/origin/main " + before }, refs);
            Assert.Equal("commit", GitFixture.Git(clone, "cat-file", "-t", before).Trim());
        }

        private sealed class CrashingEditor : IGitTargetEditor
        {
            private readonly string application;
            private readonly LineTagEditor inner = new LineTagEditor();

            public CrashingEditor(string application)
            {
                this.application = application;
            }

            public byte[] Edit(GitTarget target, byte[]? content, IReadOnlyList<ImageUpdateCandidate> changes) =>
                target.Application.Name == application
                    ? throw new InvalidOperationException("Operation is not valid due to the current state of the object.")
                    : inner.Edit(target, content, changes);

            public string? ValueOf(GitTarget target, byte[] content, ImageUpdateCandidate candidate) => inner.ValueOf(target, content, candidate);
        }
    }
}
