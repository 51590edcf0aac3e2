using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using ImageUpdater.Core.Registries;

namespace ImageUpdater.Core.WriteBack.Git
{
    /// <summary>
    /// <c>git:repocreds</c> (and plain <c>git</c>): Argo CD's own repository credentials, read from its namespace as Argo CD matches them —
    /// a secret labelled <c>argocd.argoproj.io/secret-type: repository</c> whose <c>url</c> is the repository (normalised), else the
    /// <c>repo-creds</c> template whose <c>url</c> is the longest prefix of it. The credential is then bound to that repository URL only.
    /// </summary>
    internal static class ArgoRepositoryCredentials
    {
        public const string TypeLabel = "argocd.argoproj.io/secret-type";

        /// <summary>
        /// Argo CD's NormalizeGitURL: trimmed and lower-cased, scp-like <c>git@host:path</c> read as <c>ssh://git@host/path</c>,
        /// <c>.git</c> dropped, then shown again without <c>ssh://</c>. A URL that does not parse normalises to empty (matches nothing).
        /// </summary>
        public static string Normalize(string? url)
        {
            var text = (url ?? string.Empty).Trim().ToLowerInvariant();
            if (text.Length == 0)
            {
                return string.Empty;
            }

            if (RepositoryUrl.IsSsh(text) && !text.StartsWith("ssh://", StringComparison.Ordinal) && text.IndexOf("://", StringComparison.Ordinal) < 0)
            {
                var colon = text.IndexOf(':');
                text = "ssh://" + text.Substring(0, colon) + "/" + text.Substring(colon + 1);
            }

            if (text.EndsWith(".git", StringComparison.Ordinal))
            {
                text = text.Substring(0, text.Length - 4);
            }

            if (!Uri.TryCreate(text, UriKind.Absolute, out _))
            {
                return string.Empty;
            }

            return text.StartsWith("ssh://", StringComparison.Ordinal) ? text.Substring("ssh://".Length) : text;
        }

        /// <summary>
        /// The secret Argo CD would use for <paramref name="url"/>: a repository secret with that URL and a credential, else the repo-creds
        /// template with the longest URL prefix (the first of equal length, as Argo CD). Secrets of another <c>type</c> than git are skipped.
        /// </summary>
        public static KeyValuePair<string, IReadOnlyDictionary<string, byte[]>>? Match(
            string url,
            IEnumerable<KeyValuePair<string, IReadOnlyDictionary<string, byte[]>>> repositories,
            IEnumerable<KeyValuePair<string, IReadOnlyDictionary<string, byte[]>>> templates)
        {
            var wanted = Normalize(url);
            if (wanted.Length == 0)
            {
                return null;
            }

            foreach (var secret in repositories.Where(IsGit))
            {
                if (Normalize(Value(secret.Value, "url")) == wanted && HasCredential(secret.Value))
                {
                    return secret;
                }
            }

            KeyValuePair<string, IReadOnlyDictionary<string, byte[]>>? best = null;
            var longest = 0;
            foreach (var secret in templates.Where(IsGit))
            {
                var prefix = Normalize(Value(secret.Value, "url"));
                if (prefix.Length > longest && wanted.StartsWith(prefix, StringComparison.Ordinal))
                {
                    best = secret;
                    longest = prefix.Length;
                }
            }

            return best;
        }

        /// <summary>Lists both kinds of secret in <paramref name="ns"/> and matches <paramref name="url"/> (null: none matches).</summary>
        public static KeyValuePair<string, IReadOnlyDictionary<string, byte[]>>? Read(ISecretLister lister, string ns, string url, CancellationToken cancellationToken)
        {
            var repositories = lister.ListSecretsAsync(ns, TypeLabel + "=repository", cancellationToken).GetAwaiter().GetResult();
            if (Match(url, repositories, Array.Empty<KeyValuePair<string, IReadOnlyDictionary<string, byte[]>>>()) is { } exact)
            {
                return exact;
            }

            var templates = lister.ListSecretsAsync(ns, TypeLabel + "=repo-creds", cancellationToken).GetAwaiter().GetResult();
            return Match(url, repositories, templates);
        }

        internal static string? Value(IReadOnlyDictionary<string, byte[]> data, string key) =>
            data.TryGetValue(key, out var bytes) && bytes.Length > 0 ? Encoding.UTF8.GetString(bytes) : null;

        private static bool HasCredential(IReadOnlyDictionary<string, byte[]> data) =>
            Value(data, "password") is not null || Value(data, "sshPrivateKey") is not null || Value(data, "githubAppPrivateKey") is not null;

        private static bool IsGit(KeyValuePair<string, IReadOnlyDictionary<string, byte[]>> secret) =>
            Value(secret.Value, "type") is not { } type || string.Equals(type.Trim(), "git", StringComparison.OrdinalIgnoreCase);
    }
}
