using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Security;
using ImageUpdater.Core.Security;

namespace ImageUpdater.Core.WriteBack
{
    /// <summary>
    /// How git write-back authenticates: an HTTPS user and password/token, or an SSH private key (with an optional passphrase).
    /// ToString never shows a secret.
    /// </summary>
    public sealed class GitCredentials
    {
        /// <summary>Environment variables read when no credential is passed (documented in Update-HelmImageTag's help).</summary>
        public const string UserNameVariable = "IMAGEUPDATER_GIT_USERNAME";

        public const string PasswordVariable = "IMAGEUPDATER_GIT_PASSWORD";

        public const string SshKeyVariable = "IMAGEUPDATER_GIT_SSH_KEY";

        /// <summary>The known_hosts file ssh checks servers against when <see cref="SshKnownHostsPath"/> is not set (else ~/.ssh/known_hosts).</summary>
        public const string SshKnownHostsVariable = "IMAGEUPDATER_GIT_SSH_KNOWN_HOSTS";

        /// <summary>The one HTTPS credential: sent only to the hosts of the applications' own repoURLs and to <see cref="HttpsScope"/>.</summary>
        public NetworkCredential? Https { get; set; }

        /// <summary>URL prefix → HTTPS credential (-GitCredential @{ 'https://github.com/org-a' = $cred }): the longest covering prefix wins over <see cref="Https"/>.</summary>
        public IReadOnlyList<KeyValuePair<string, NetworkCredential>> HttpsByPrefix { get; set; } = Array.Empty<KeyValuePair<string, NetworkCredential>>();

        /// <summary>Hosts or URL prefixes that also get <see cref="Https"/> (-GitCredentialScope), such as a host named only by a git-repository annotation.</summary>
        public IReadOnlyList<string> HttpsScope { get; set; } = Array.Empty<string>();

        /// <summary>Lets a credential go over plain http to a machine other than this one (-AllowHttpGitCredential).</summary>
        public bool AllowHttp { get; set; }

        public string? SshKeyPath { get; set; }

        /// <summary>A GitHub App whose installation token is the HTTPS credential (user x-access-token), bound like <see cref="Https"/> or to <see cref="GitHubAppScope"/>.</summary>
        public Git.GitHubAppCredential? GitHubApp { get; set; }

        /// <summary>Where <see cref="GitHubApp"/> may go when it came from a secret (the secret's repository); null = like <see cref="Https"/>.</summary>
        public IReadOnlyList<string>? GitHubAppScope { get; set; }

        public SecureString? SshKeyPassphrase { get; set; }

        /// <summary>The known_hosts file to check SSH servers against; null = <see cref="SshKnownHostsVariable"/>, else ssh's own (~/.ssh/known_hosts).</summary>
        public string? SshKnownHostsPath { get; set; }

        public bool IsEmpty => Https is null && SshKeyPath is null && HttpsByPrefix.Count == 0 && GitHubApp is null;

        /// <summary>
        /// The credentials for one repository: the HTTPS credential of the longest <see cref="HttpsByPrefix"/> prefix covering <paramref name="url"/>,
        /// else <see cref="Https"/> when the URL is on a host of <paramref name="ownRepositories"/> (the applications' spec.source repoURLs) or under
        /// <see cref="HttpsScope"/> — an annotation can name any URL, so a credential follows only where the operator bound it. SSH settings are kept
        /// (ssh checks the server against known_hosts before the key is used). <paramref name="refusal"/> says why a credential given was not chosen.
        /// </summary>
        public GitCredentials For(string url, IEnumerable<string?> ownRepositories, out string? refusal)
        {
            refusal = null;
            var chosen = new GitCredentials { SshKeyPath = SshKeyPath, SshKeyPassphrase = SshKeyPassphrase, SshKnownHostsPath = SshKnownHostsPath, AllowHttp = AllowHttp, Source = Source };
            if (!RepositoryUrl.IsHttp(url.Trim()))
            {
                return chosen;
            }

            var scoped = HttpsByPrefix.Select(p => (new CredentialScope(new[] { p.Key }, AllowHttp), p.Value)).ToList();
            if (Https is not null)
            {
                var hosts = ownRepositories.Where(r => r is not null && RepositoryUrl.IsHttp(r.Trim())).Select(r => Uri.TryCreate(r!.Trim(), UriKind.Absolute, out var u) ? u.Authority : null);
                var plain = new CredentialScope(hosts.Where(h => h is not null).Select(h => h!).Concat(HttpsScope), AllowHttp);
                scoped.Add((plain, Https));
            }

            chosen.Https = CredentialScope.Pick(scoped, url);
            if (chosen.Https is null && GitHubApp is not null)
            {
                var hosts = ownRepositories.Where(r => r is not null && RepositoryUrl.IsHttp(r.Trim())).Select(r => Uri.TryCreate(r!.Trim(), UriKind.Absolute, out var u) ? u.Authority : null);
                var appScope = new CredentialScope(GitHubAppScope ?? hosts.Where(h => h is not null).Select(h => h!).Concat(HttpsScope), AllowHttp);
                if (appScope.Problem(url) is { } problem)
                {
                    refusal = problem;
                    return chosen;
                }

                chosen.GitHubApp = GitHubApp;
                return chosen;
            }

            if (chosen.Https is null && scoped.Count > 0)
            {
                // The reason of the scope that came closest: the http refusal when the prefix matched, else the plain credential's scope.
                refusal = scoped.Select(s => s.Item1.Problem(url)).FirstOrDefault(p => p is not null && p.IndexOf("plain http", StringComparison.Ordinal) >= 0)
                    ?? scoped[scoped.Count - 1].Item1.Problem(url);
            }

            return chosen;
        }

        /// <summary>Where the credential came from (a parameter, an environment variable), named in authentication errors.</summary>
        public string? Source { get; set; }

        /// <summary>The credentials from IMAGEUPDATER_GIT_USERNAME/IMAGEUPDATER_GIT_PASSWORD (user defaults to x-access-token) and IMAGEUPDATER_GIT_SSH_KEY.</summary>
        public static GitCredentials FromEnvironment()
        {
            var credentials = new GitCredentials { Source = "the environment (IMAGEUPDATER_GIT_*)" };
            var password = Environment.GetEnvironmentVariable(PasswordVariable);
            if (!string.IsNullOrEmpty(password))
            {
                var user = Environment.GetEnvironmentVariable(UserNameVariable);
                credentials.Https = new NetworkCredential(string.IsNullOrEmpty(user) ? "x-access-token" : user, password);
            }

            var key = Environment.GetEnvironmentVariable(SshKeyVariable);
            if (!string.IsNullOrEmpty(key))
            {
                credentials.SshKeyPath = key;
            }

            return credentials;
        }

        /// <summary>The known_hosts file ssh uses: <see cref="SshKnownHostsPath"/>, else $IMAGEUPDATER_GIT_SSH_KNOWN_HOSTS, else null (ssh's default).</summary>
        public string? KnownHosts()
        {
            var path = SshKnownHostsPath ?? Environment.GetEnvironmentVariable(SshKnownHostsVariable);
            return string.IsNullOrWhiteSpace(path) ? null : path;
        }

        public override string ToString() =>
            GitHubApp is not null && Https is null ? GitHubApp.ToString()
            : Https is not null ? "https user " + Https.UserName
            : HttpsByPrefix.Count > 0 ? "https credentials for " + string.Join(", ", HttpsByPrefix.Select(p => p.Key))
            : SshKeyPath is not null ? "ssh key " + SshKeyPath : "none";
    }
}
