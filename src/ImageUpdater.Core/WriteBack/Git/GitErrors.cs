using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ImageUpdater.Core.Argo;

namespace ImageUpdater.Core.WriteBack.Git
{
    /// <summary>The git write-back's failures: each error id has one kind, and libgit2's and ssh's messages are sorted into them.</summary>
    internal static class GitErrors
    {
        private static readonly Dictionary<string, FailureKind> Kinds = new Dictionary<string, FailureKind>(StringComparer.Ordinal)
        {
            ["GitRepositoryUnknown"] = FailureKind.InvalidArgument,
            ["GitCredentialRequired"] = FailureKind.AuthenticationError,
            ["GitAuthenticationFailed"] = FailureKind.AuthenticationError,
            ["GitCredentialNotBound"] = FailureKind.SecurityError,
            ["GitLocalRepositoryRefused"] = FailureKind.SecurityError,
            ["GitSecretInvalid"] = FailureKind.InvalidArgument,
            ["GitSecretNotAllowed"] = FailureKind.PermissionDenied,
            ["GitSecretNotFound"] = FailureKind.ObjectNotFound,
            ["GitSecretEmpty"] = FailureKind.InvalidData,
            ["GitHubAppInvalid"] = FailureKind.InvalidData,
            ["GitHubAppAuthenticationFailed"] = FailureKind.AuthenticationError,
            ["GitHubAppInstallationNotFound"] = FailureKind.ObjectNotFound,
            ["GitHubAppTokenFailed"] = FailureKind.ConnectionError,
            ["GitRepoCredsNamespaceNotFound"] = FailureKind.ObjectNotFound,
            ["GitSigningKeyNotAllowed"] = FailureKind.PermissionDenied,
            ["GitSigningKeyNotFound"] = FailureKind.ObjectNotFound,
            ["GitSigningFailed"] = FailureKind.InvalidOperation,
            ["GitSshHostKeyUnknown"] = FailureKind.SecurityError,
            ["GitSshHostKeyChanged"] = FailureKind.SecurityError,
            ["GitConnectionFailed"] = FailureKind.ConnectionError,
            ["GitTimedOut"] = FailureKind.OperationTimeout,
            ["GitRepositoryNotFound"] = FailureKind.ObjectNotFound,
            ["GitDefaultBranchUnknown"] = FailureKind.ObjectNotFound,
            ["GitBranchNotFound"] = FailureKind.ObjectNotFound,
            ["GitRemoteNotFound"] = FailureKind.ObjectNotFound,
            ["GitPushRefused"] = FailureKind.PermissionDenied,
            ["GitPushRejected"] = FailureKind.ResourceUnavailable,
            ["GitTargetEditFailed"] = FailureKind.InvalidData,
            ["GitWriteFailed"] = FailureKind.WriteError,
            ["GitWriteBackFailed"] = FailureKind.NotSpecified,
            ["LocalRepositoryNotFound"] = FailureKind.ObjectNotFound,
            ["LocalRepositoryBare"] = FailureKind.InvalidArgument,
            ["LocalRepositoryDetached"] = FailureKind.InvalidOperation,
            ["LocalRepositoryStaged"] = FailureKind.InvalidOperation,
            ["SshKeyNotFound"] = FailureKind.ObjectNotFound,
            ["SshKnownHostsNotFound"] = FailureKind.ObjectNotFound,
            ["SshPassphraseNotSupported"] = FailureKind.NotImplemented,
            ["SshPassphraseWrong"] = FailureKind.AuthenticationError,
            ["SshAgentFailed"] = FailureKind.InvalidOperation,
            ["GitPullRequestNeedsWriteBranch"] = FailureKind.InvalidArgument,
            ["GitPullRequestAuthenticationFailed"] = FailureKind.AuthenticationError,
            ["GitPullRequestPermissionDenied"] = FailureKind.PermissionDenied,
            ["GitPullRequestRepositoryNotFound"] = FailureKind.ObjectNotFound,
            ["GitPullRequestRefused"] = FailureKind.InvalidOperation,
            ["GitPullRequestFailed"] = FailureKind.ConnectionError,
        };

        /// <summary>Every error id the git write-back raises, with its kind.</summary>
        public static IReadOnlyDictionary<string, FailureKind> ErrorKinds => Kinds;

        public static ImageUpdaterException Error(string errorId, string message, object? target, Exception? inner = null) =>
            new ImageUpdaterException(errorId, Kinds[errorId], message, target, inner);

        /// <summary>
        /// A failure for the user: ours as they are, any other exception classified by its message (and the stderr of ssh, when it ran)
        /// into authentication, host key, connection, timeout, missing repository or a plain failure naming <paramref name="url"/>.
        /// </summary>
        public static ImageUpdaterException Describe(Exception e, string url, string? sshOutput = null)
        {
            if (e is ImageUpdaterException known)
            {
                return known;
            }

            var ssh = string.IsNullOrWhiteSpace(sshOutput) ? null : sshOutput!.Trim();
            var message = ssh is null ? e.Message : e.Message + "; ssh: " + ssh;
            if (ssh is not null && Contains(ssh, "REMOTE HOST IDENTIFICATION HAS CHANGED"))
            {
                return Error("GitSshHostKeyChanged", $"The SSH host key of {url} is not the one in known_hosts ({FirstLine(ssh)}); nothing was sent. If the server's key really changed, replace its line in known_hosts.", url, e);
            }

            if (ssh is not null && Contains(ssh, "host key is known", "Host key verification failed", "No RSA host key", "No ECDSA host key", "No ED25519 host key"))
            {
                return Error("GitSshHostKeyUnknown", $"The SSH host key of {url} is not in known_hosts, so the server was not trusted and nothing was sent ({FirstLine(ssh)}). Check the server's fingerprint, then add it (ssh-keyscan) to ~/.ssh/known_hosts or to the file named by ${GitCredentials.SshKnownHostsVariable}.", url, e);
            }

            if (Contains(message, "401", "403", "authentication", "credentials", "unauthorized", "permission denied", "too many authentication failures"))
            {
                return AuthenticationFailed(url, null, e, ssh is null ? null : FirstLine(ssh));
            }

            if (Contains(message, "timed out", "timeout"))
            {
                return Error("GitTimedOut", $"{url} did not answer in time ({message}); the server may be down or overloaded: run again later.", url, e);
            }

            if (Contains(message, "failed to connect", "could not resolve", "connection refused", "failed to send request", "unreachable", "connection closed", "early eof", "connection reset"))
            {
                return Error("GitConnectionFailed", $"Cannot reach {url} ({message}).", url, e);
            }

            if (Contains(message, "does not appear to be a git repository", "could not find repository", "repository not found", "404", "not found"))
            {
                return Error("GitRepositoryNotFound", $"{url} is not a git repository that can be read ({message}); check the application's repoURL or git-repository.", url, e);
            }

            if (e is IOException || e is UnauthorizedAccessException)
            {
                return Error("GitWriteFailed", $"Git write-back to {url} could not write a file: {message}", url, e);
            }

            return Error("GitWriteBackFailed", $"Git write-back to {url} failed: {message}", url, e);
        }

        /// <summary>
        /// An edit that failed, as "Application 'ns/app': 'file' on branch of repository: why": paths inside the clone cache (<paramref name="root"/>, which
        /// is not a checkout anyone can open) become repository-relative; our own errors keep their id and kind, others are GitTargetEditFailed.
        /// </summary>
        public static ImageUpdaterException EditFailed(Exception e, ArgoApplication application, string root, string? file, string branch, string url)
        {
            var where = $"Application '{application.QualifiedName}': {(file is null ? "the write-back target" : "'" + file + "'")} on {branch} of {url}";
            if (e is ImageUpdaterException known)
            {
                return new ImageUpdaterException(known.ErrorId, known.Kind, $"{where}: {RepositoryRelative(known.Message, root)}", application, known);
            }

            return Error("GitTargetEditFailed", $"{where}: cannot edit it: {e.GetType().Name}: {RepositoryRelative(e.Message, root)}", application, e);
        }

        private static string RepositoryRelative(string message, string root)
        {
            var prefix = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
            return message.Replace(prefix, string.Empty).Replace(prefix.Replace('\\', '/'), string.Empty);
        }

        /// <summary>An HTTPS repository without any credential: says which annotation asked for which credential, and what to pass instead.</summary>
        public static ImageUpdaterException CredentialRequired(ArgoApplication application, string url, string? repoCredsNamespace = null)
        {
            var source = application.WriteBack.Credentials;
            var asked = string.IsNullOrEmpty(source) || source == "repocreds" ? "git:repocreds (Argo CD's repository credentials)" : "git:" + source;
            var why = source is not null && source.StartsWith("secret:", StringComparison.OrdinalIgnoreCase)
                ? "the secret is read only through the Kubernetes API (-Kubeconfig)"
                : repoCredsNamespace is not null
                    ? $"no Argo CD secret in namespace '{repoCredsNamespace}' labelled argocd.argoproj.io/secret-type=repository has its URL, nor one labelled repo-creds a prefix of it (pass -ArgoCDNamespace if Argo CD runs elsewhere)"
                    : "Argo CD's repository secrets are read only through the Kubernetes API, which this run does not have (the Argo CD API never returns them): pass -Kubeconfig (its user needs 'list' on secrets in Argo CD's namespace, -ArgoCDNamespace)";
            return Error("GitCredentialRequired", $"Application '{application.QualifiedName}' writes to {url} with {asked}, but {why}; or pass -GitCredential (user name and password or token) or -SshKeyPath, or set {GitCredentials.UserNameVariable}/{GitCredentials.PasswordVariable}.", application);
        }

        /// <summary>
        /// The server refused the credential, in git's words ("Authentication failed for …"), naming the source tried (null: not known
        /// here) and what to do; libgit2's own wording ("too many redirects or authentication replays") says nothing to a user.
        /// </summary>
        public static ImageUpdaterException AuthenticationFailed(string url, string? tried, Exception? inner, string? ssh = null)
        {
            var source = (tried is null ? "the server refused the credentials" : $"the server refused {tried}") + (ssh is null ? string.Empty : $" (ssh: {ssh})");
            var error = Error("GitAuthenticationFailed", $"Authentication failed for '{url}': {source}. Check that the user name and password or token are right and may push to the repository; pass another with -GitCredential or -SshKeyPath, or set {GitCredentials.UserNameVariable}/{GitCredentials.PasswordVariable}.", url, inner);
            error.Data[SshDetail] = ssh;
            return error;
        }

        /// <summary>The Data key of ssh's own words in an authentication failure, kept when the failure is told again with its source.</summary>
        public const string SshDetail = "ssh";

        /// <summary>Which credential a write-back sent, for <see cref="AuthenticationFailed"/>: the one in the repository URL, or the given one and where it came from.</summary>
        public static string CredentialTried(GitCredentials credentials, bool fromUrl)
        {
            if (fromUrl)
            {
                return $"the user name and password written in the repository URL (user '{credentials.Https?.UserName}'; -GitCredential would win over it)";
            }

            var from = credentials.Source is null ? string.Empty : " from " + credentials.Source;
            return credentials.Https is not null ? $"the HTTPS credential{from} (user '{credentials.Https.UserName}')" : $"the SSH key{from} ('{credentials.SshKeyPath}')";
        }

        /// <summary>A credential was given but is not bound to this repository's host or URL prefix (an annotation named it).</summary>
        public static ImageUpdaterException CredentialNotBound(ArgoApplication application, string url, string why) =>
            Error("GitCredentialNotBound", $"Application '{application.QualifiedName}' writes to {url}, but the git credential was not sent: {why}. Bind it with -GitCredentialScope or a -GitCredential map (@{{ 'https://host/org' = $credential }}){(why.IndexOf("plain http", StringComparison.Ordinal) >= 0 ? ", and allow plain http with -AllowHttpGitCredential" : string.Empty)}.", application);

        /// <summary>A git-repository annotation naming a repository on this machine.</summary>
        public static ImageUpdaterException LocalRepositoryRefused(ArgoApplication application, string url) =>
            Error("GitLocalRepositoryRefused", $"Application '{application.QualifiedName}' names the local repository '{url}' in its git-repository annotation; write-back goes to a local path or file:// URL only with -AllowLocalRepository.", application);

        /// <summary>The server refused the push for a reason other than a moved branch (a protected branch, a hook).</summary>
        public static ImageUpdaterException PushRefused(string url, string branch, string rejection) =>
            Error("GitPushRefused", $"{url} refused the push to {branch}: {rejection}. Check that the credentials may push to this branch (protected branches need a pull request).", url);

        /// <summary>The branch kept moving: every push lost the race to another writer.</summary>
        public static ImageUpdaterException PushRaced(string url, string branch, int attempts, string rejection, TimeSpan elapsed = default) =>
            Error("GitPushRejected", $"The push to {branch} of {url} was rejected {attempts} times in {elapsed.TotalSeconds:0.0} s ({rejection}): the branch keeps moving; run again later.", url);

        /// <summary>True when a push rejection means the branch moved (fetch and try again), not that the push is forbidden.</summary>
        public static bool IsRace(string message) =>
            Contains(message, "non-fast-forward", "fastforward", "fast-forward", "fetch first", "stale", "failed to update ref", "cannot lock", "not present locally");

        private static string FirstLine(string text) => text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith("@@@", StringComparison.Ordinal) && !l.StartsWith("Warning: Permanently", StringComparison.Ordinal)) ?? text;

        private static bool Contains(string text, params string[] needles) => needles.Any(n => text.IndexOf(n, StringComparison.OrdinalIgnoreCase) >= 0);
    }
}
