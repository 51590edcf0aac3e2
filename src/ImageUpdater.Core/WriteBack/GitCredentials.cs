using System;
using System.Net;
using System.Security;

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

        public NetworkCredential? Https { get; set; }

        public string? SshKeyPath { get; set; }

        public SecureString? SshKeyPassphrase { get; set; }

        /// <summary>The known_hosts file to check SSH servers against; null = <see cref="SshKnownHostsVariable"/>, else ssh's own (~/.ssh/known_hosts).</summary>
        public string? SshKnownHostsPath { get; set; }

        public bool IsEmpty => Https is null && SshKeyPath is null;

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

        public override string ToString() => Https is not null ? "https user " + Https.UserName : SshKeyPath is not null ? "ssh key " + SshKeyPath : "none";
    }
}
