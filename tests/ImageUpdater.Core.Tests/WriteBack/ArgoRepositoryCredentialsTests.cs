using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;
using ImageUpdater.Core.WriteBack.Git;
using ImageUpdater.Emulators.GitHttp;
using Xunit;

namespace ImageUpdater.Core.Tests.WriteBack
{
    /// <summary>git:repocreds: Argo CD's repository secrets, matched as Argo CD matches them, bound to the matched URL.</summary>
    public sealed class ArgoRepositoryCredentialsTests
    {
        private static KeyValuePair<string, IReadOnlyDictionary<string, byte[]>> Secret(string name, params (string Key, string Value)[] data) =>
            new KeyValuePair<string, IReadOnlyDictionary<string, byte[]>>(name, data.ToDictionary(d => d.Key, d => Encoding.UTF8.GetBytes(d.Value)));

        private sealed class Lister : ISecretLister
        {
            public Dictionary<string, List<KeyValuePair<string, IReadOnlyDictionary<string, byte[]>>>> ByLabel { get; } = new Dictionary<string, List<KeyValuePair<string, IReadOnlyDictionary<string, byte[]>>>>();

            public List<string> Asked { get; } = new List<string>();

            public Task<IReadOnlyList<KeyValuePair<string, IReadOnlyDictionary<string, byte[]>>>> ListSecretsAsync(string ns, string labelSelector, CancellationToken cancellationToken)
            {
                Asked.Add(ns + "?" + labelSelector);
                return Task.FromResult<IReadOnlyList<KeyValuePair<string, IReadOnlyDictionary<string, byte[]>>>>(ByLabel.TryGetValue(labelSelector, out var list) ? list : new List<KeyValuePair<string, IReadOnlyDictionary<string, byte[]>>>());
            }
        }

        [Theory]
        [InlineData("https://GitHub.com/Org/Repo.git", "https://github.com/org/repo")]
        [InlineData("  https://github.com/org/repo  ", "https://github.com/org/repo")]
        [InlineData("git@github.com:org/repo.git", "git@github.com/org/repo")]
        [InlineData("ssh://git@github.com/org/repo.git", "git@github.com/org/repo")]
        [InlineData("", "")]
        public void NormalizesAsArgoCD(string url, string expected) => Assert.Equal(expected, ArgoRepositoryCredentials.Normalize(url));

        [Fact]
        public void TheRepositorySecretOfTheExactUrlWinsElseTheLongestRepoCredsPrefix()
        {
            var repositories = new[]
            {
                Secret("other", ("url", "https://github.com/org/other"), ("password", "a")),
                Secret("exact", ("url", "https://github.com/Org/Repo.git"), ("password", "b")),
                Secret("no-creds", ("url", "https://github.com/org/nocreds")),
                Secret("helm", ("url", "https://github.com/org/chart"), ("type", "helm"), ("password", "h")),
            };
            var templates = new[] { Secret("host", ("url", "https://github.com"), ("password", "c")), Secret("org", ("url", "https://github.com/org"), ("password", "d")) };

            Assert.Equal("exact", ArgoRepositoryCredentials.Match("https://github.com/org/repo", repositories, templates)?.Key);
            Assert.Equal("org", ArgoRepositoryCredentials.Match("https://github.com/org/nocreds", repositories, templates)?.Key);
            Assert.Equal("org", ArgoRepositoryCredentials.Match("https://github.com/org/chart", repositories, templates)?.Key);
            Assert.Equal("host", ArgoRepositoryCredentials.Match("https://github.com/team/x", repositories, templates)?.Key);
            Assert.Null(ArgoRepositoryCredentials.Match("https://gitlab.com/org/repo", repositories, templates));
        }

        [Fact]
        public async Task PlainGitPushesWithArgoCDsRepositorySecretAndTheParametersWin()
        {
            using var repo = new GitFixture(new Dictionary<string, string> { ["apps/a/values.yaml"] = "nginx.tag: 1.0.0\n" });
            await using var server = GitHttpEmulator.Create(new[] { "--root", Path.GetDirectoryName(repo.Bare)!, "--user", "bot", "--password", "REPOCREDS-TOKEN-7c1" });
            var url = server.Url + "apps.git";
            var lister = new Lister();
            lister.ByLabel["argocd.argoproj.io/secret-type=repo-creds"] = new List<KeyValuePair<string, IReadOnlyDictionary<string, byte[]>>>
            {
                Secret("loopback", ("url", server.Url.TrimEnd('/')), ("username", "bot"), ("password", "REPOCREDS-TOKEN-7c1")),
            };
            var options = repo.Options();
            options.RepositorySecrets = lister;
            options.ArgoCDNamespace = "ops";
            var app = repo.App("a", "apps/a", repository: url);
            app.WriteBack.Credentials = "repocreds";

            var outcomes = new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(app) });

            Assert.Empty(outcomes.SelectMany(o => o.Errors));
            Assert.Equal(UpdateStatus.Updated, Assert.Single(outcomes.SelectMany(o => o.Results)).Status);
            Assert.Equal(new[] { "ops?argocd.argoproj.io/secret-type=repository", "ops?argocd.argoproj.io/secret-type=repo-creds" }, lister.Asked);
            Assert.DoesNotContain("REPOCREDS-TOKEN", File.ReadAllText(Path.Combine(Directory.GetDirectories(repo.Cache).Single(), "config")));

            lister.Asked.Clear();
            options.Credentials = new GitCredentials { Https = new System.Net.NetworkCredential("bot", "REPOCREDS-TOKEN-7c1") };
            new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(app) });
            Assert.Empty(lister.Asked);
        }

        [Fact]
        public void NoMatchingSecretSaysWhereItLookedAndWithoutAListerNamesKubeconfig()
        {
            using var repo = new GitFixture(new Dictionary<string, string> { ["apps/a/values.yaml"] = "nginx.tag: 1.0.0\n" });
            var options = repo.Options();
            options.RepositorySecrets = new Lister();
            var app = repo.App("a", "apps/a", repository: "https://git.example.invalid/apps.git");
            app.WriteBack.Credentials = "repocreds";

            var error = Assert.Single(new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(app) }).SelectMany(o => o.Errors));
            Assert.Equal("GitCredentialRequired", error.ErrorId);
            Assert.Contains("namespace 'argocd'", error.Message);

            options.RepositorySecrets = null;
            error = Assert.Single(new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(app) }).SelectMany(o => o.Errors));
            Assert.Contains("pass -Kubeconfig", error.Message);
            Assert.Contains("'list' on secrets", error.Message);
        }
    }
}
