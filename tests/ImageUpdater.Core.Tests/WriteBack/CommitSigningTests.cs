using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;
using Xunit;

namespace ImageUpdater.Core.Tests.WriteBack
{
    /// <summary>Signed commits (real gpg and ssh-keygen, checked by git verify-commit), sign-off, and the rule that an annotation picks only allowed keys.</summary>
    [Collection("GNUPGHOME")]
    public sealed class CommitSigningTests
    {
        private static readonly Dictionary<string, string> Files = new Dictionary<string, string> { ["apps/a/values.yaml"] = "nginx.tag: 1.0.0\n" };

        private static (int Code, string Output) Run(string program, IDictionary<string, string>? environment, string? directory, params string[] args)
        {
            var psi = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = directory ?? Environment.CurrentDirectory };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            foreach (var pair in environment ?? new Dictionary<string, string>())
            {
                psi.Environment[pair.Key] = pair.Value;
            }

            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEndAsync();
            var error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, output.Result + error);
        }

        /// <summary>A throw-away GNUPGHOME with one unprotected signing key; returns its fingerprint.</summary>
        private static string NewGpgHome(string home)
        {
            Directory.CreateDirectory(home);
            var env = new Dictionary<string, string> { ["GNUPGHOME"] = home };
            var made = Run("gpg", env, null, "--batch", "--passphrase", string.Empty, "--quick-generate-key", "Image Updater Test <bot@example.com>", "ed25519", "sign", "never");
            Assert.True(made.Code == 0, made.Output);
            var listed = Run("gpg", env, null, "--batch", "--with-colons", "--list-secret-keys");
            return listed.Output.Split('\n').First(l => l.StartsWith("fpr:", StringComparison.Ordinal)).Split(':')[9];
        }

        private static IReadOnlyList<WriteBackOutcome> Write(GitFixture repo, GitWriteBackOptions options, Action<WriteBackSpec>? annotate = null)
        {
            var app = repo.App("a", "apps/a");
            annotate?.Invoke(app.WriteBack);
            return new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(app) });
        }

        [Fact]
        public void AGpgSignedCommitWithSignOffIsVerifiedByGit()
        {
            using var repo = new GitFixture(Files);
            var home = Path.Combine(repo.Root, "gnupg");
            var fingerprint = NewGpgHome(home);
            var previous = Environment.GetEnvironmentVariable("GNUPGHOME");
            Environment.SetEnvironmentVariable("GNUPGHOME", home);
            try
            {
                var options = repo.Options();
                options.SigningKey = fingerprint;
                options.SignOff = true;

                var outcomes = Write(repo, options);

                Assert.Empty(outcomes.SelectMany(o => o.Errors));
                var verified = Run("git", new Dictionary<string, string> { ["GNUPGHOME"] = home }, repo.Bare, "verify-commit", "-v", "main");
                Assert.True(verified.Code == 0, verified.Output);
                Assert.Contains("Good signature", verified.Output);
                Assert.EndsWith("Signed-off-by: argocd-image-updater <noreply@argoproj.io>", repo.Log(format: "%B").TrimEnd());
            }
            finally
            {
                Environment.SetEnvironmentVariable("GNUPGHOME", previous);
            }
        }

        [Fact]
        public void AnSshSignedCommitIsVerifiedWithAnAllowedSignersFile()
        {
            using var repo = new GitFixture(Files);
            var key = Path.Combine(repo.Root, "signing-key");
            Assert.Equal(0, Run("ssh-keygen", null, null, "-q", "-t", "ed25519", "-N", string.Empty, "-C", "bot", "-f", key).Code);
            var signers = Path.Combine(repo.Root, "allowed_signers");
            File.WriteAllText(signers, "noreply@argoproj.io " + File.ReadAllText(key + ".pub"));
            var options = repo.Options();
            options.SigningKey = key;
            options.SigningMethod = CommitSigningMethod.Ssh;

            Assert.Empty(Write(repo, options).SelectMany(o => o.Errors));

            var verified = Run("git", null, repo.Bare, "-c", "gpg.format=ssh", "-c", "gpg.ssh.allowedSignersFile=" + signers, "verify-commit", "main");
            Assert.True(verified.Code == 0, verified.Output);
            Assert.Contains("Good \"git\" signature", verified.Output);
        }

        [Fact]
        public void TheCheckoutPathSignsTooAndMovesItsBranch()
        {
            using var repo = new GitFixture(Files);
            var checkout = Path.Combine(repo.Root, "checkout");
            GitFixture.Git(repo.Root, "clone", "--quiet", repo.Bare, checkout);
            var key = Path.Combine(repo.Root, "signing-key");
            Assert.Equal(0, Run("ssh-keygen", null, null, "-q", "-t", "ed25519", "-N", string.Empty, "-C", "bot", "-f", key).Code);
            var signers = Path.Combine(repo.Root, "allowed_signers");
            File.WriteAllText(signers, "noreply@argoproj.io " + File.ReadAllText(key + ".pub"));
            var options = repo.Options();
            options.LocalRepository = checkout;
            options.Push = true;
            options.SigningKey = key;
            options.SigningMethod = CommitSigningMethod.Ssh;
            options.SignOff = true;

            var result = Assert.Single(Write(repo, options).SelectMany(o => o.Results));

            Assert.Equal(UpdateStatus.Updated, result.Status);
            Assert.Equal(GitFixture.Git(checkout, "rev-parse", "HEAD").Trim(), result.Commit);
            Assert.Equal(result.Commit, GitFixture.Git(repo.Bare, "rev-parse", "main").Trim());
            Assert.Equal(string.Empty, GitFixture.Git(checkout, "status", "--porcelain").Trim());
            var verified = Run("git", null, checkout, "-c", "gpg.format=ssh", "-c", "gpg.ssh.allowedSignersFile=" + signers, "verify-commit", "HEAD");
            Assert.True(verified.Code == 0, verified.Output);
            Assert.Contains("Signed-off-by: argocd-image-updater <noreply@argoproj.io>", GitFixture.Git(checkout, "log", "-1", "--format=%B"));
        }

        [Fact]
        public void AnAnnotatedKeyTheOperatorDidNotAllowFailsBeforeAnythingIsPushed()
        {
            using var repo = new GitFixture(Files);
            var options = repo.Options();
            options.SigningKey = "/etc/operator-key";
            options.SigningMethod = CommitSigningMethod.Ssh;

            var outcomes = Write(repo, options, w => w.SigningKey = "/root/.ssh/id_ed25519");

            var error = Assert.Single(outcomes.SelectMany(o => o.Errors));
            Assert.Equal(("GitSigningKeyNotAllowed", FailureKind.PermissionDenied), (error.ErrorId, error.Kind));
            Assert.Contains("-AllowCommitSigningKey", error.Message);
            Assert.Equal(1, repo.CommitCount());
        }

        [Fact]
        public void AMissingKeyFailsBeforeAnythingIsPushed()
        {
            using var repo = new GitFixture(Files);
            var options = repo.Options();
            options.SigningKey = Path.Combine(repo.Root, "no-such-key");
            options.SigningMethod = CommitSigningMethod.Ssh;
            Assert.Equal("GitSigningKeyNotFound", Assert.Single(Write(repo, options).SelectMany(o => o.Errors)).ErrorId);

            var previous = Environment.GetEnvironmentVariable("GNUPGHOME");
            var home = Path.Combine(repo.Root, "empty-gnupg");
            Directory.CreateDirectory(home);
            Environment.SetEnvironmentVariable("GNUPGHOME", home);
            try
            {
                options.SigningMethod = CommitSigningMethod.OpenPgp;
                options.SigningKey = "0000000000000000000000000000000000000000";
                var error = Assert.Single(Write(repo, options).SelectMany(o => o.Errors));
                Assert.Equal(("GitSigningFailed", FailureKind.InvalidOperation), (error.ErrorId, error.Kind));
                Assert.Equal(1, repo.CommitCount());
            }
            finally
            {
                Environment.SetEnvironmentVariable("GNUPGHOME", previous);
            }
        }

        [Fact]
        public void SignOffIsAddedOnceAndAnnotationsParse()
        {
            var parsed = AnnotationParser.Parse("argocd/a", new Dictionary<string, string>
            {
                ["argocd-image-updater.argoproj.io/image-list"] = "nginx",
                ["argocd-image-updater.argoproj.io/write-back-method"] = "git",
                ["argocd-image-updater.argoproj.io/git.commit-signing-key"] = "ABCDEF",
                ["argocd-image-updater.argoproj.io/git.commit-signing-method"] = "ssh",
                ["argocd-image-updater.argoproj.io/git.commit-sign-off"] = "true",
            });
            Assert.Equal(("ABCDEF", CommitSigningMethod.Ssh, (bool?)true), (parsed.WriteBack.SigningKey, parsed.WriteBack.SigningMethod, parsed.WriteBack.SignOff));
        }
    }
}
