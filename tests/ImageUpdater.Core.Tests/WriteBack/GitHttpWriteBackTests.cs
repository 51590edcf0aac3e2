using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;
using ImageUpdater.Emulators.GitHttp;
using Xunit;

namespace ImageUpdater.Core.Tests.WriteBack
{
    /// <summary>GitWriteBack over smart HTTP: the git-http emulator runs the real git http-backend behind basic auth.</summary>
    public class GitHttpWriteBackTests
    {
        private static readonly Dictionary<string, string> Files = new Dictionary<string, string>
        {
            ["apps/a/values.yaml"] = "nginx.tag: 1.0.0\n",
            ["apps/b/values.yaml"] = "nginx.tag: 1.0.0\n",
        };

        private static async Task<(GitFixture Repo, GitHttpEmulator Server, string Url)> Start(params string[] extra)
        {
            var repo = new GitFixture(Files);
            var server = GitHttpEmulator.Create(new[] { "--root", Path.GetDirectoryName(repo.Bare)!, "--user", "bot", "--password", "s3cret-token" }.Concat(extra).ToArray());
            await Task.Yield();
            return (repo, server, server.Url + "apps.git");
        }

        private static GitWriteBackOptions Options(GitFixture repo, string password)
        {
            var options = repo.Options();
            options.Credentials = new GitCredentials { Https = new NetworkCredential("bot", password) };
            return options;
        }

        [Fact]
        public async Task PushesWithBasicAuthAndNeverStoresTheSecret()
        {
            var (repo, server, url) = await Start();
            using (repo)
            await using (server)
            {
                var verbose = new List<string>();
                var options = Options(repo, "s3cret-token");
                options.Verbose = verbose.Add;
                var candidates = new[] { "a", "b" }.Select(n => GitFixture.Candidate(repo.App(n, "apps/" + n, repository: url))).ToList();

                var outcomes = new GitWriteBack(new LineTagEditor(), options).Run(candidates);

                Assert.Empty(outcomes.SelectMany(o => o.Errors));
                Assert.All(outcomes.SelectMany(o => o.Results), r => Assert.Equal(UpdateStatus.Updated, r.Status));
                Assert.Equal("nginx.tag: 1.1.0\n", repo.Show("main", "apps/b/values.yaml"));
                Assert.Equal(1, server.ReceivePacks);
                var config = File.ReadAllText(Path.Combine(Directory.GetDirectories(repo.Cache).Single(), "config"));
                Assert.Contains(url, config);
                Assert.DoesNotContain("s3cret-token", config);
                Assert.DoesNotContain(verbose, v => v.Contains("s3cret-token"));
            }
        }

        [Fact]
        public async Task TokenInTheUrlIsUsedButNotStored()
        {
            var (repo, server, url) = await Start();
            using (repo)
            await using (server)
            {
                var withToken = url.Replace("http://", "http://bot:s3cret-token@");
                var result = Assert.Single(new GitWriteBack(new LineTagEditor(), repo.Options()).Run(new[] { GitFixture.Candidate(repo.App("a", "apps/a", repository: withToken)) }).SelectMany(o => o.Results));

                Assert.Equal(UpdateStatus.Updated, result.Status);
                Assert.Equal(url, result.Repository);
                var clone = Directory.GetDirectories(repo.Cache).Single();
                Assert.DoesNotContain("s3cret-token", File.ReadAllText(Path.Combine(clone, "config")));
                Assert.DoesNotContain("s3cret-token", clone);
            }
        }

        [Fact]
        public async Task WrongPasswordIsAnAuthenticationErrorNamingTheCredentialAndNothingIsPushed()
        {
            var (repo, server, url) = await Start();
            using (repo)
            await using (server)
            {
                var before = repo.CommitCount();
                var outcomes = new GitWriteBack(new LineTagEditor(), Options(repo, "wrong")).Run(new[] { GitFixture.Candidate(repo.App("a", "apps/a", repository: url)) });

                var error = Assert.Single(outcomes.SelectMany(o => o.Errors));
                Assert.Equal(FailureKind.AuthenticationError, error.Kind);
                Assert.StartsWith($"Authentication failed for '{url}': the server refused the HTTPS credential (user ", error.Message);
                Assert.DoesNotContain("replays", error.Message);
                Assert.DoesNotContain("wrong", error.Message.Replace("wrong password", string.Empty));
                Assert.Contains("-GitCredential", error.Message);
                Assert.Equal(UpdateStatus.Failed, Assert.Single(outcomes.SelectMany(o => o.Results)).Status);
                Assert.Equal(before, repo.CommitCount());
                Assert.Equal(0, server.ReceivePacks);
                Assert.True(server.AuthFailures > 0);
            }
        }

        [Fact]
        public async Task ConcurrentPushOverHttpIsRetried()
        {
            var (repo, server, url) = await Start("--race", "apps.git:main");
            using (repo)
            await using (server)
            {
                var before = repo.CommitCount();
                var engine = new GitWriteBack(new LineTagEditor(), Options(repo, "s3cret-token"));

                var result = Assert.Single(engine.Run(new[] { GitFixture.Candidate(repo.App("a", "apps/a", repository: url)) }).SelectMany(o => o.Results));

                Assert.True(UpdateStatus.Updated == result.Status, result.Message);
                Assert.Equal(1, server.Races);
                Assert.Equal(before + 2, repo.CommitCount());
                Assert.StartsWith("landed at", repo.Show("main", "concurrent-writer.txt"));
                Assert.Equal("nginx.tag: 1.1.0\n", repo.Show("main", "apps/a/values.yaml"));
                Assert.Equal(2, engine.Statistics.Fetches);
            }
        }
    }
}
