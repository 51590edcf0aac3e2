using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;
using ImageUpdater.Emulators.GitHttp;
using Xunit;

namespace ImageUpdater.Core.Tests.WriteBack
{
    /// <summary>write-back-method git:secret:&lt;ns&gt;/&lt;name&gt;: the secret read through the Kubernetes API, own namespace only unless allowed.</summary>
    public sealed class GitSecretCredentialsTests
    {
        private static readonly Dictionary<string, string> Files = new Dictionary<string, string> { ["apps/a/values.yaml"] = "nginx.tag: 1.0.0\n" };

        private sealed class Secrets : ISecretReader
        {
            private readonly Dictionary<string, Dictionary<string, string>> data;

            public Secrets(Dictionary<string, Dictionary<string, string>> data) => this.data = data;

            public List<string> Read { get; } = new List<string>();

            public Task<IReadOnlyDictionary<string, byte[]>> ReadSecretAsync(string ns, string name, CancellationToken cancellationToken)
            {
                Read.Add(ns + "/" + name);
                if (!data.TryGetValue(ns + "/" + name, out var values))
                {
                    throw new ImageUpdaterException("RegistryCredentialMissing", FailureKind.ObjectNotFound, "no secret " + ns + "/" + name, name);
                }

                return Task.FromResult<IReadOnlyDictionary<string, byte[]>>(values.ToDictionary(p => p.Key, p => Encoding.UTF8.GetBytes(p.Value)));
            }
        }

        private static Secrets Token(string ns, string password) =>
            new Secrets(new Dictionary<string, Dictionary<string, string>> { [ns + "/git-creds"] = new Dictionary<string, string> { ["username"] = "bot", ["password"] = password } });

        private static (IReadOnlyList<WriteBackOutcome> Outcomes, Secrets Reader) Run(GitFixture repo, string url, string method, Secrets reader, GitCredentials? parameters = null, params string[] allowed)
        {
            var options = repo.Options();
            options.Secrets = reader;
            options.AllowedSecrets = allowed;
            options.Credentials = parameters ?? new GitCredentials();
            var app = repo.App("a", "apps/a", repository: url);
            app.WriteBack.Credentials = method;
            return (new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(app) }), reader);
        }

        [Fact]
        public async Task TheSecretsUserAndPasswordPushInsteadOfTheParameters()
        {
            using var repo = new GitFixture(Files);
            await using var server = GitHttpEmulator.Create(new[] { "--root", Path.GetDirectoryName(repo.Bare)!, "--user", "bot", "--password", "SECRET-TOKEN-5a1" });
            var url = server.Url + "apps.git";
            var wrong = new GitCredentials { Https = new NetworkCredential("bot", "PARAMETER-TOKEN-6b2") };

            var (outcomes, reader) = Run(repo, url, "secret:argocd/git-creds", Token("argocd", "SECRET-TOKEN-5a1"), wrong);

            Assert.Empty(outcomes.SelectMany(o => o.Errors));
            Assert.Equal(UpdateStatus.Updated, Assert.Single(outcomes.SelectMany(o => o.Results)).Status);
            Assert.Equal(new[] { "argocd/git-creds" }, reader.Read);
            Assert.DoesNotContain("SECRET-TOKEN", File.ReadAllText(Path.Combine(Directory.GetDirectories(repo.Cache).Single(), "config")));
        }

        [Fact]
        public void ASecretOfAnotherNamespaceIsNotReadUnlessAllowed()
        {
            using var repo = new GitFixture(Files);
            var (outcomes, reader) = Run(repo, "https://git.example.invalid/apps.git", "secret:shared/git-creds", Token("shared", "X"));

            var error = Assert.Single(outcomes.SelectMany(o => o.Errors));
            Assert.Equal(("GitSecretNotAllowed", FailureKind.PermissionDenied), (error.ErrorId, error.Kind));
            Assert.Contains("-AllowGitSecret 'secret:shared/git-creds'", error.Message);
            Assert.Empty(reader.Read);

            var (_, allowedReader) = Run(repo, "https://git.example.invalid/apps.git", "secret:shared/git-creds", Token("shared", "X"), null, "secret:shared/*");
            Assert.Equal(new[] { "shared/git-creds" }, allowedReader.Read);
        }

        [Fact]
        public async Task AnApplicationCannotRideOnAnotherApplicationsSecretInTheSameBatch()
        {
            using var repo = new GitFixture(new Dictionary<string, string> { ["apps/a/values.yaml"] = "nginx.tag: 1.0.0\n", ["apps/b/values.yaml"] = "nginx.tag: 1.0.0\n" });
            await using var server = GitHttpEmulator.Create(new[] { "--root", Path.GetDirectoryName(repo.Bare)!, "--user", "bot", "--password", "SECRET-TOKEN-5a1" });
            var url = server.Url + "apps.git";
            var options = repo.Options();
            var reader = Token("argocd", "SECRET-TOKEN-5a1");
            options.Secrets = reader;
            var own = repo.App("a", "apps/a", repository: url);
            own.WriteBack.Credentials = "secret:argocd/git-creds";
            var rider = repo.App("b", "apps/b", repository: url);
            rider.WriteBack.Credentials = "secret:shared/git-creds";

            var outcomes = new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(own), GitFixture.Candidate(rider) });

            Assert.Equal("GitSecretNotAllowed", Assert.Single(outcomes.SelectMany(o => o.Errors)).ErrorId);
            Assert.Equal(new[] { UpdateStatus.Updated, UpdateStatus.Failed }, outcomes.SelectMany(o => o.Results).OrderBy(r => r.Application).Select(r => r.Status));
            Assert.Equal("nginx.tag: 1.0.0\n", repo.Show("main", "apps/b/values.yaml"));
            Assert.Equal(new[] { "argocd/git-creds" }, reader.Read);
        }

        [Fact]
        public void AMissingSecretAndAGitHubAppSecretSayWhatToDo()
        {
            using var repo = new GitFixture(Files);
            var missing = Assert.Single(Run(repo, "https://git.example.invalid/apps.git", "secret:argocd/nope", Token("argocd", "X")).Outcomes.SelectMany(o => o.Errors));
            Assert.Equal(("GitSecretNotFound", FailureKind.ObjectNotFound), (missing.ErrorId, missing.Kind));

            var app = new Secrets(new Dictionary<string, Dictionary<string, string>> { ["argocd/git-creds"] = new Dictionary<string, string> { ["githubAppID"] = "1", ["githubAppPrivateKey"] = "PEM-S3CRET" } });
            var error = Assert.Single(Run(repo, "https://git.example.invalid/apps.git", "secret:argocd/git-creds", app).Outcomes.SelectMany(o => o.Errors));
            Assert.Equal(("GitHubAppInvalid", FailureKind.InvalidData), (error.ErrorId, error.Kind));
            Assert.DoesNotContain("PEM-S3CRET", error.Message);
        }

        [Fact]
        public void WithoutAReaderTheParametersApplyAndTheErrorNamesKubeconfig()
        {
            using var repo = new GitFixture(Files);
            var options = repo.Options();
            var app = repo.App("a", "apps/a", repository: "https://git.example.invalid/apps.git");
            app.WriteBack.Credentials = "secret:argocd/git-creds";

            var error = Assert.Single(new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(app) }).SelectMany(o => o.Errors));

            Assert.Equal("GitCredentialRequired", error.ErrorId);
            Assert.Contains("-Kubeconfig", error.Message);
        }
    }
}
