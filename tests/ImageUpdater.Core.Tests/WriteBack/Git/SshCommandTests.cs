using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ImageUpdater.Core.WriteBack;
using Xunit;

namespace ImageUpdater.Core.Tests.WriteBack.Git
{
    /// <summary>The ssh script the clone cache's core.sshCommand names (the real-server tests are in GitSsh.Tests.ps1).</summary>
    public class SshCommandTests
    {
        private static readonly Dictionary<string, string> OneApp = new Dictionary<string, string> { ["apps/a/values.yaml"] = "nginx.tag: 1.0.0\n" };

        [Fact]
        public void TheScriptChecksHostsStrictlyAgainstTheGivenKnownHostsWithTimeouts()
        {
            using var repo = new GitFixture(OneApp);
            var key = Path.Combine(repo.Root, "id_ed25519");
            var knownHosts = Path.Combine(repo.Root, "known hosts");
            File.WriteAllText(key, "not a real key\n");
            File.WriteAllText(knownHosts, string.Empty);
            var options = repo.Options();
            options.Timeout = TimeSpan.FromSeconds(20);
            options.Credentials = new GitCredentials { SshKeyPath = key, SshKnownHostsPath = knownHosts };

            var outcomes = new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(repo.App("a", "apps/a", repository: "ssh://git@127.0.0.1:1/org/apps.git")) });

            var error = Assert.Single(outcomes.SelectMany(o => o.Errors));
            Assert.Equal("GitConnectionFailed", error.ErrorId);
            Assert.Contains("Connection refused", error.Message);
            var script = File.ReadAllText(Path.Combine(Directory.GetDirectories(repo.Cache).Single(), "imageupdater-ssh"));
            Assert.Contains("-o StrictHostKeyChecking=yes -o UserKnownHostsFile='" + knownHosts + "'", script);
            Assert.Contains("-o ConnectTimeout=20 -o ServerAliveInterval=5 -o ServerAliveCountMax=4 \"$@\"", script);
        }

        [Fact]
        public void AMissingKnownHostsFileIsAClearErrorBeforeAnyConnection()
        {
            using var repo = new GitFixture(OneApp);
            var options = repo.Options();
            options.Credentials = new GitCredentials { SshKnownHostsPath = Path.Combine(repo.Root, "nope") };

            var error = Assert.Single(new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(repo.App("a", "apps/a", repository: "git@127.0.0.1:org/apps.git")) }).SelectMany(o => o.Errors));

            Assert.Equal(("SshKnownHostsNotFound", FailureKind.ObjectNotFound), (error.ErrorId, error.Kind));
            Assert.Contains("nope", error.Message);
        }

        [Fact]
        public void ACacheReachedOverHttpOrFileHasNoSshCommand()
        {
            using var repo = new GitFixture(OneApp);

            new GitWriteBack(new LineTagEditor(), repo.Options()).Run(new[] { GitFixture.Candidate(repo.App("a", "apps/a")) });

            var clone = Directory.GetDirectories(repo.Cache).Single();
            Assert.DoesNotContain("sshCommand", File.ReadAllText(Path.Combine(clone, "config")));
            Assert.False(File.Exists(Path.Combine(clone, "imageupdater-ssh")));
        }
    }
}
