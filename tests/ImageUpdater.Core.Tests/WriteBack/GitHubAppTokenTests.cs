using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading.Tasks;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;
using ImageUpdater.Core.WriteBack.Git;
using ImageUpdater.Emulators.GitHttp;
using ImageUpdater.Emulators.GitHub;
using Xunit;

namespace ImageUpdater.Core.Tests.WriteBack
{
    /// <summary>GitHub App: JWT → installation token (checked by a strict stand-in), cached, pushed as x-access-token, never shown.</summary>
    public sealed class GitHubAppTokenTests
    {
        private static (string Private, string PublicFile) Key(string folder)
        {
            using var rsa = RSA.Create(2048);
            var publicFile = Path.Combine(folder, System.Guid.NewGuid().ToString("N") + ".pub.pem");
            File.WriteAllText(publicFile, rsa.ExportSubjectPublicKeyInfoPem());
            return (rsa.ExportRSAPrivateKeyPem(), publicFile);
        }

        [Fact]
        public async Task TheInstallationTokenPushesAndIsFetchedOnce()
        {
            using var repo = new GitFixture(new Dictionary<string, string> { ["apps/a/values.yaml"] = "nginx.tag: 1.0.0\n", ["apps/b/values.yaml"] = "nginx.tag: 1.0.0\n" });
            var (pem, pub) = Key(repo.Root);
            await using var github = GitHubAppEmulator.Create(new[] { "--app-id", "4242", "--installation-id", "77", "--public-key", pub, "--token", "ghs_APPTOKEN0a1b2c" });
            await using var git = GitHttpEmulator.Create(new[] { "--root", Path.GetDirectoryName(repo.Bare)!, "--user", "x-access-token", "--password", "ghs_APPTOKEN0a1b2c" });
            var url = git.Url + "apps.git";
            var options = repo.Options();
            options.Credentials = new GitCredentials { GitHubApp = new GitHubAppCredential("4242", "77", pem, github.Url) };
            var before = GitHubAppToken.Exchanges;
            var logged = new List<string>();
            options.Verbose = logged.Add;

            var first = new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(repo.App("a", "apps/a", repository: url)) });
            var second = new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(repo.App("b", "apps/b", repository: url)) });

            Assert.Empty(first.Concat(second).SelectMany(o => o.Errors));
            Assert.All(first.Concat(second).SelectMany(o => o.Results), r => Assert.Equal(UpdateStatus.Updated, r.Status));
            Assert.Equal(1, GitHubAppToken.Exchanges - before);
            Assert.DoesNotContain(logged, l => l.Contains("ghs_") || l.Contains("PRIVATE KEY"));
            Assert.DoesNotContain("ghs_", File.ReadAllText(Path.Combine(Directory.GetDirectories(repo.Cache).Single(), "config")));
        }

        [Fact]
        public async Task AWrongKeyOrInstallationSaysWhichAndShowsNoSecret()
        {
            using var repo = new GitFixture(new Dictionary<string, string> { ["apps/a/values.yaml"] = "nginx.tag: 1.0.0\n" });
            var (_, pub) = Key(repo.Root);
            var (other, _) = Key(repo.Root);
            await using var github = GitHubAppEmulator.Create(new[] { "--app-id", "4242", "--installation-id", "77", "--public-key", pub });
            var options = repo.Options();
            options.Credentials = new GitCredentials { GitHubApp = new GitHubAppCredential("4242", "77", other, github.Url) };
            var app = repo.App("a", "apps/a", repository: "http://127.0.0.1:1/apps.git");

            var error = Assert.Single(new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(app) }).SelectMany(o => o.Errors));
            Assert.Equal(("GitHubAppAuthenticationFailed", FailureKind.AuthenticationError), (error.ErrorId, error.Kind));
            Assert.DoesNotContain("PRIVATE KEY", error.ToString());

            options.Credentials = new GitCredentials { GitHubApp = new GitHubAppCredential("4242", "78", "not a key", github.Url) };
            Assert.Equal("GitHubAppInvalid", Assert.Single(new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(app) }).SelectMany(o => o.Errors)).ErrorId);
        }

        [Fact]
        public async Task ATokenNearItsExpiryIsFetchedAgain()
        {
            using var repo = new GitFixture(new Dictionary<string, string> { ["apps/a/values.yaml"] = "nginx.tag: 1.0.0\n", ["apps/b/values.yaml"] = "nginx.tag: 1.0.0\n" });
            var (pem, pub) = Key(repo.Root);
            await using var github = GitHubAppEmulator.Create(new[] { "--app-id", "5", "--installation-id", "6", "--public-key", pub, "--token", "ghs_SHORTLIVED", "--expires-in", "120" });
            await using var git = GitHttpEmulator.Create(new[] { "--root", Path.GetDirectoryName(repo.Bare)!, "--user", "x-access-token", "--password", "ghs_SHORTLIVED" });
            var url = git.Url + "apps.git";
            var options = repo.Options();
            options.Credentials = new GitCredentials { GitHubApp = new GitHubAppCredential("5", "6", pem, github.Url) };
            var before = GitHubAppToken.Exchanges;

            new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(repo.App("a", "apps/a", repository: url)) });
            var second = new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(repo.App("b", "apps/b", repository: url)) });

            Assert.Empty(second.SelectMany(o => o.Errors));
            Assert.Equal(2, GitHubAppToken.Exchanges - before);
        }

        [Fact]
        public void AnAppFromParametersGoesOnlyToTheApplicationsOwnHostsAndTheApiMustBeHttps()
        {
            using var rsa = RSA.Create(2048);
            var credentials = new GitCredentials { GitHubApp = new GitHubAppCredential("5", "6", rsa.ExportRSAPrivateKeyPem()) };
            Assert.Null(credentials.For("https://evil.example.com/x.git", new[] { "https://github.com/org/repo.git" }, out var refusal).GitHubApp);
            Assert.NotNull(refusal);
            Assert.NotNull(credentials.For("https://github.com/org/other.git", new[] { "https://github.com/org/repo.git" }, out _).GitHubApp);

            using var repo = new GitFixture(new Dictionary<string, string> { ["apps/a/values.yaml"] = "nginx.tag: 1.0.0\n" });
            var options = repo.Options();
            options.Credentials = new GitCredentials { GitHubApp = new GitHubAppCredential("5", "6", rsa.ExportRSAPrivateKeyPem(), "http://ghe.example.com/api/v3") };
            var error = Assert.Single(new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(repo.App("a", "apps/a", repository: "https://ghe.example.com/org/a.git")) }).SelectMany(o => o.Errors));
            Assert.Equal("GitHubAppInvalid", error.ErrorId);
        }

        [Fact]
        public void TheJwtCarriesIssuerAndAShortLifetime()
        {
            using var rsa = RSA.Create(2048);
            var jwt = GitHubAppToken.Jwt(new GitHubAppCredential("99", "1", rsa.ExportRSAPrivateKeyPem()), "x", System.DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
            var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
            var json = System.Text.Encoding.UTF8.GetString(System.Convert.FromBase64String(payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=')));
            Assert.Equal("{\"iat\":1699999940,\"exp\":1700000540,\"iss\":\"99\"}", json);
        }
    }
}
