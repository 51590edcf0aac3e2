using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Security;
using ImageUpdater.Core.WriteBack;

namespace ImageUpdater.PS.Parameters
{
    /// <summary>
    /// -GitCredential as one credential or a map of URL prefix → credential, turned into Core's <see cref="GitCredentials"/> with the
    /// SSH key, -GitCredentialScope and -AllowHttpGitCredential; the environment variables are the fallback when nothing is passed.
    /// </summary>
    internal static class GitCredentialParameter
    {
        public static GitCredentials Build(PSCmdlet cmdlet, object? gitCredential, string? sshKeyPath, SecureString? passphrase, string[]? scope, bool allowHttp)
        {
            var credentials = new GitCredentials
            {
                SshKeyPath = sshKeyPath is null ? null : cmdlet.GetUnresolvedProviderPathFromPSPath(sshKeyPath),
                SshKeyPassphrase = passphrase,
                Source = gitCredential is not null ? "-GitCredential" : "-SshKeyPath",
            };
            switch (Unwrap(gitCredential))
            {
                case PSCredential one:
                    credentials.Https = one.GetNetworkCredential();
                    break;
                case IDictionary map:
                    credentials.HttpsByPrefix = Map(map);
                    break;
            }

            if (credentials.IsEmpty)
            {
                credentials = GitCredentials.FromEnvironment();
                if (!credentials.IsEmpty)
                {
                    cmdlet.WriteVerbose($"Using git credentials from the environment ({credentials}).");
                }
            }

            credentials.HttpsScope = scope ?? Array.Empty<string>();
            credentials.AllowHttp = allowHttp;
            return credentials;
        }

        /// <summary>Adds the -GitHubApp* parameters (all three or none) to <paramref name="credentials"/>; the key file is read now, so a bad path fails before any work.</summary>
        public static GitCredentials WithGitHubApp(PSCmdlet cmdlet, GitCredentials credentials, string? appId, string? installationId, string? keyPath, string? enterpriseBaseUrl)
        {
            if (appId is null && installationId is null && keyPath is null)
            {
                return credentials;
            }

            if (appId is null || installationId is null || keyPath is null)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException("A GitHub App needs -GitHubAppId, -GitHubAppInstallationId and -GitHubAppPrivateKeyPath together."), "GitHubAppIncomplete", ErrorCategory.InvalidArgument, appId ?? installationId ?? keyPath));
            }

            var path = cmdlet.GetUnresolvedProviderPathFromPSPath(keyPath);
            string pem;
            try
            {
                pem = System.IO.File.ReadAllText(path);
            }
            catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(new System.IO.FileNotFoundException($"Cannot read the GitHub App private key '{path}': {e.Message}", e), "GitHubAppKeyNotFound", ErrorCategory.ObjectNotFound, path));
                throw;
            }

            credentials.GitHubApp = new ImageUpdater.Core.WriteBack.Git.GitHubAppCredential(appId!, installationId!, pem, enterpriseBaseUrl);
            if (credentials.Source is null or "-SshKeyPath")
            {
                credentials.Source = "-GitHubAppId";
            }

            return credentials;
        }

        /// <summary>An SSH signing key is a file (resolved like other paths); a GnuPG key is an ID, kept as written.</summary>
        public static string? SigningKey(PSCmdlet cmdlet, string? key, ImageUpdater.Core.Annotations.CommitSigningMethod method) =>
            key is null || method != ImageUpdater.Core.Annotations.CommitSigningMethod.Ssh ? key : cmdlet.GetUnresolvedProviderPathFromPSPath(key);

        internal static object? Unwrap(object? value) => value is PSObject pso ? pso.BaseObject : value;

        private static IReadOnlyList<KeyValuePair<string, NetworkCredential>> Map(IDictionary map) =>
            map.Cast<DictionaryEntry>()
                .Select(e => new KeyValuePair<string, NetworkCredential>(Unwrap(e.Key)?.ToString() ?? string.Empty, ((PSCredential)Unwrap(e.Value)!).GetNetworkCredential()))
                .ToList();
    }

    /// <summary>
    /// Lets -GitCredential take a PSCredential (a user name prompts, as [Credential] does) or a hashtable of URL prefix → PSCredential;
    /// anything else is refused without echoing the value (it may hold a secret).
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class GitCredentialTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            var value = GitCredentialParameter.Unwrap(inputData);
            switch (value)
            {
                case null:
                case PSCredential:
                    return value;
                case string:
                    return new CredentialAttribute().Transform(engineIntrinsics, value);
                case IDictionary map:
                    foreach (DictionaryEntry entry in map)
                    {
                        var prefix = GitCredentialParameter.Unwrap(entry.Key)?.ToString();
                        if (string.IsNullOrWhiteSpace(prefix))
                        {
                            throw new ArgumentTransformationMetadataException("A -GitCredential map key must be a repository URL prefix such as 'https://github.com/org'.");
                        }

                        if (GitCredentialParameter.Unwrap(entry.Value) is not PSCredential)
                        {
                            throw new ArgumentTransformationMetadataException($"The -GitCredential map's value for '{Core.Security.UrlRedaction.Redact(prefix!)}' must be a PSCredential (Get-Credential, or [pscredential]::new(user, secure token)).");
                        }
                    }

                    return map;
                default:
                    throw new ArgumentTransformationMetadataException($"-GitCredential takes a PSCredential or a hashtable of repository URL prefix → PSCredential, not a {value.GetType().Name}.");
            }
        }
    }
}
