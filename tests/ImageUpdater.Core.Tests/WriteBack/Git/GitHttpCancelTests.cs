using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.WriteBack;
using ImageUpdater.Core.WriteBack.Git;
using LibGit2Sharp;
using Xunit;

namespace ImageUpdater.Core.Tests.WriteBack.Git
{
    /// <summary>Issue 15 item 13 over http: a fetch or push blocked on a server that accepts and never answers ends at once when cancelled.</summary>
    public sealed class GitHttpCancelTests : IDisposable
    {
        private readonly TcpListener listener = new TcpListener(IPAddress.Loopback, 0);
        private readonly List<Socket> held = new List<Socket>();
        private readonly string folder = Path.Combine(Path.GetTempPath(), "iu-cancel-" + Guid.NewGuid().ToString("N").Substring(0, 8));

        public GitHttpCancelTests()
        {
            listener.Start();
            new Thread(() =>
            {
                try
                {
                    while (true)
                    {
                        var socket = listener.AcceptSocket();
                        lock (held)
                        {
                            held.Add(socket);
                        }
                    }
                }
                catch (Exception e) when (e is SocketException || e is ObjectDisposedException)
                {
                    // The listener stopped.
                }
            }) { IsBackground = true }.Start();
        }

        private string Url => $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/team/apps.git";

        [Theory]
        [InlineData("fetch")]
        [InlineData("push")]
        public async Task ACancelledCallOnASilentHttpServerEndsWithinTwoSeconds(string call)
        {
            using var repo = new Repository(Repository.Init(folder, isBare: true));
            repo.Network.Remotes.Add(GitCloneCache.Remote, Url, GitCloneCache.FetchRefSpecs[0]);
            repo.Network.Remotes.Add(GitCloneCache.PushRemote, Url);
            var tree = repo.ObjectDatabase.CreateTree(new TreeDefinition().Add("a.txt", repo.ObjectDatabase.CreateBlob(new MemoryStream(new byte[] { 97 })), Mode.NonExecutableFile));
            var signature = new Signature("t", "t@example.com", DateTimeOffset.UnixEpoch);
            var commit = repo.ObjectDatabase.CreateCommit(signature, signature, "c", tree, Array.Empty<Commit>(), false);
            using var cancel = new CancellationTokenSource();
            var options = new GitWriteBackOptions { Timeout = TimeSpan.FromSeconds(60), CancellationToken = cancel.Token };
            var remote = new GitRemote(repo, Url, new GitCredentials(), options, new GitWriteBackStatistics(), null);

            var running = new Task(() =>
            {
                if (call == "fetch")
                {
                    remote.Fetch();
                }
                else
                {
                    remote.PushCommit(commit.Sha, "main");
                }
            }, TaskCreationOptions.LongRunning);
            running.Start(TaskScheduler.Default);
            SpinWait.SpinUntil(() => { lock (held) { return held.Count > 0; } }, TimeSpan.FromSeconds(20));
            Assert.NotEmpty(held);
            Thread.Sleep(300);
            Assert.False(running.IsCompleted, "the call should be waiting for the silent server");
            var clock = Stopwatch.StartNew();
            cancel.Cancel();

            var ended = await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken)) == running;

            Assert.True(ended && clock.Elapsed < TimeSpan.FromSeconds(2), $"the {call} ended {clock.Elapsed.TotalSeconds:0.0} s after the cancellation");
            Assert.IsAssignableFrom<OperationCanceledException>(running.Exception!.InnerException);
        }

        [Fact]
        public void ASilentHttpServerStillTimesOutWithoutCancellation()
        {
            using var repo = new Repository(Repository.Init(folder, isBare: true));
            repo.Network.Remotes.Add(GitCloneCache.Remote, Url, GitCloneCache.FetchRefSpecs[0]);
            var options = new GitWriteBackOptions { Timeout = TimeSpan.FromSeconds(1) };
            var remote = new GitRemote(repo, Url, new GitCredentials(), options, new GitWriteBackStatistics(), null);
            var clock = Stopwatch.StartNew();

            var error = Assert.Throws<ImageUpdaterException>(remote.Fetch);

            Assert.True(error.ErrorId == "GitTimedOut", error.ErrorId + ": " + error.Message);
            Assert.Contains(Url, error.Message);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        }

        public void Dispose()
        {
            listener.Stop();
            lock (held)
            {
                foreach (var socket in held)
                {
                    socket.Dispose();
                }
            }

            try
            {
                Directory.Delete(folder, true);
            }
            catch (IOException)
            {
            }
        }
    }
}
