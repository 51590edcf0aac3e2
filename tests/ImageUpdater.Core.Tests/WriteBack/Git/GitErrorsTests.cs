using System;
using System.IO;
using System.Linq;
using ImageUpdater.Core.WriteBack.Git;
using LibGit2Sharp;
using Xunit;

namespace ImageUpdater.Core.Tests.WriteBack.Git
{
    public class GitErrorsTests
    {
        private const string Url = "ssh://git@git.example.com/team/apps.git";

        [Theory]
        [InlineData("too many redirects or authentication replays", null, "GitAuthenticationFailed", FailureKind.AuthenticationError)]
        [InlineData("remote rejected authentication: 401", null, "GitAuthenticationFailed", FailureKind.AuthenticationError)]
        [InlineData("ERROR: exited with code 255", "git@127.0.0.1: Permission denied (publickey).", "GitAuthenticationFailed", FailureKind.AuthenticationError)]
        [InlineData("ERROR: exited with code 255", "No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.\nHost key verification failed.", "GitSshHostKeyUnknown", FailureKind.SecurityError)]
        [InlineData("ERROR: exited with code 255", "@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n", "GitSshHostKeyChanged", FailureKind.SecurityError)]
        [InlineData("failed to connect to 127.0.0.1: Connection refused", null, "GitConnectionFailed", FailureKind.ConnectionError)]
        [InlineData("ERROR: exited with code 255", "ssh: connect to host 127.0.0.1 port 1: Connection refused", "GitConnectionFailed", FailureKind.ConnectionError)]
        [InlineData("timed out", null, "GitTimedOut", FailureKind.OperationTimeout)]
        [InlineData("unexpected http status code: 404", null, "GitRepositoryNotFound", FailureKind.ObjectNotFound)]
        [InlineData("something else broke", null, "GitWriteBackFailed", FailureKind.NotSpecified)]
        public void Libgit2AndSshMessagesAreClassified(string message, string? ssh, string errorId, FailureKind kind)
        {
            var error = GitErrors.Describe(new LibGit2SharpException(message), Url, ssh);

            Assert.Equal((errorId, kind), (error.ErrorId, error.Kind));
            Assert.Contains(Url, error.Message);
            Assert.Equal(Url, error.Target);
        }

        [Fact]
        public void AnyExceptionBecomesAnErrorNamingTheRepository()
        {
            // LibGit2Sharp formats libgit2's message with string.Format: a '{' in it throws FormatException.
            var format = GitErrors.Describe(new FormatException("Input string was not in a correct format."), Url);
            Assert.Equal(("GitWriteBackFailed", FailureKind.NotSpecified), (format.ErrorId, format.Kind));
            Assert.Contains(Url, format.Message);

            var io = GitErrors.Describe(new IOException("disk full"), Url);
            Assert.Equal(("GitWriteFailed", FailureKind.WriteError), (io.ErrorId, io.Kind));

            var ours = new ImageUpdaterException("GitBranchNotFound", FailureKind.ObjectNotFound, "x");
            Assert.Same(ours, GitErrors.Describe(ours, Url));
        }

        [Fact]
        public void AnEditCrashNamesTheApplicationTheFileAndTheRepository()
        {
            var app = new ImageUpdater.Core.Argo.ArgoApplication("web") { Namespace = "argocd" };

            var error = GitErrors.EditFailed(new InvalidOperationException("Operation is not valid due to the current state of the object."), app, "/cache/repo", "apps/web/values.yaml", "main", Url);

            Assert.Equal(("GitTargetEditFailed", FailureKind.InvalidData), (error.ErrorId, error.Kind));
            Assert.Contains("'apps/web/values.yaml'", error.Message);
            Assert.Contains("'argocd/web'", error.Message);
            Assert.Contains(Url, error.Message);
            Assert.Same(app, error.Target);
        }

        [Fact]
        public void OurOwnEditErrorKeepsItsIdAndSaysApplicationRepositoryAndRelativePathNotTheCachePath()
        {
            var app = new ImageUpdater.Core.Argo.ArgoApplication("web") { Namespace = "argocd" };
            var root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cache", "repo");
            var missing = new ImageUpdaterException("WriteBackFileNotFound", FailureKind.ObjectNotFound, $"The file '{System.IO.Path.Combine(root, "apps", "web", "values.yaml")}' does not exist; check the path.");

            var error = GitErrors.EditFailed(missing, app, root, "apps/web/values.yaml", "main", "https://git.example.com/gitops.git");

            Assert.Equal(("WriteBackFileNotFound", FailureKind.ObjectNotFound), (error.ErrorId, error.Kind));
            Assert.Equal("Application 'argocd/web': 'apps/web/values.yaml' on main of https://git.example.com/gitops.git: The file 'apps/web/values.yaml' does not exist; check the path.", error.Message.Replace('\\', '/'));
            Assert.Same(app, error.Target);
        }

        [Fact]
        public void ARaceIsToldApartFromARefusal()
        {
            Assert.True(GitErrors.IsRace("cannot push because a reference that you are trying to update on the remote contains commits that are not present locally."));
            Assert.True(GitErrors.IsRace("failed to update ref"));
            Assert.False(GitErrors.IsRace("pre-receive hook declined"));
            Assert.Equal("GitPushRefused", GitErrors.PushRefused(Url, "main", "pre-receive hook declined").ErrorId);
            Assert.Equal("GitPushRejected", GitErrors.PushRaced(Url, "main", 5, "fetch first").ErrorId);
        }

        [Fact]
        public void EveryErrorIdTheGitWriteBackRaisesHasOneKind()
        {
            // Errors are made from the table only, so an id cannot carry two kinds (GitPushRejected once had three).
            foreach (var pair in GitErrors.ErrorKinds)
            {
                Assert.Equal(pair.Value, GitErrors.Error(pair.Key, "m", null).Kind);
            }

            Assert.Throws<System.Collections.Generic.KeyNotFoundException>(() => GitErrors.Error("GitNoSuchError", "m", null));
            Assert.Equal(GitErrors.ErrorKinds.Count, GitErrors.ErrorKinds.Keys.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        }
    }
}
