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
