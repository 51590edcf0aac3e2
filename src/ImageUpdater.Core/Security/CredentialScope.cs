using System;
using System.Collections.Generic;
using System.Linq;

namespace ImageUpdater.Core.Security
{
    /// <summary>
    /// Where a credential may go: host or URL prefixes the operator named (as Argo CD binds repo-creds to URL prefixes). The
    /// longest matching prefix wins; plain http to a host other than loopback and local paths (file://, /srv/repo) are refused
    /// unless allowed, since an annotation can name any URL and the credential would follow it.
    /// </summary>
    public sealed class CredentialScope
    {
        public CredentialScope(IEnumerable<string>? prefixes, bool allowHttp = false, bool allowLocal = false)
        {
            Prefixes = (prefixes ?? Array.Empty<string>()).Select(Normalize).Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
            AllowHttp = allowHttp;
            AllowLocal = allowLocal;
        }

        /// <summary>Normalized prefixes: <c>host[:port][/path]</c>, host lower-cased, no scheme, user information or trailing '/'.</summary>
        public IReadOnlyList<string> Prefixes { get; }

        public bool AllowHttp { get; }

        public bool AllowLocal { get; }

        /// <summary>The longest prefix covering <paramref name="target"/> (whole path segments only), or null.</summary>
        public string? Match(string target)
        {
            var normalized = Normalize(target);
            return Prefixes.Where(p => Covers(p, normalized)).OrderByDescending(p => p.Length).FirstOrDefault();
        }

        /// <summary>Why the credential may not be sent to <paramref name="target"/> (a URL, <c>host/path</c> or a local path), or null.</summary>
        public string? Problem(string target)
        {
            var shown = UrlRedaction.Redact(target);
            if (IsLocal(target))
            {
                return AllowLocal ? null : $"'{shown}' is a local path, which only an explicit switch allows";
            }

            if (Match(target) is null)
            {
                return Prefixes.Count == 0
                    ? $"no host or URL prefix was named for the credential, so it is not sent to '{shown}'"
                    : $"'{shown}' is not under any prefix named for the credential ({string.Join(", ", Prefixes)})";
            }

            if (!AllowHttp && target.TrimStart().StartsWith("http://", StringComparison.OrdinalIgnoreCase)
                && Uri.TryCreate(target.Trim(), UriKind.Absolute, out var uri) && !uri.IsLoopback)
            {
                return $"'{shown}' is plain http to another machine; the credential would cross the network unencrypted";
            }

            return null;
        }

        /// <summary>Of several scoped credentials, the one whose prefix is the longest match for <paramref name="target"/> (default when none).</summary>
        public static T? Pick<T>(IEnumerable<(CredentialScope Scope, T Credential)> credentials, string target)
            where T : class
        {
            return credentials
                .Select(c => (c.Credential, Prefix: c.Scope.Problem(target) is null ? c.Scope.Match(target) ?? string.Empty : null))
                .Where(c => c.Prefix is not null)
                .OrderByDescending(c => c.Prefix!.Length)
                .Select(c => c.Credential)
                .FirstOrDefault();
        }

        /// <summary>True for file:// URLs and file-system paths (rooted, ./, ../, ~); a bare <c>host/path</c> is not local (and needs a prefix).</summary>
        public static bool IsLocal(string target)
        {
            var text = target.Trim();
            return text.StartsWith("file:", StringComparison.OrdinalIgnoreCase)
                || text.StartsWith("/", StringComparison.Ordinal) || text.StartsWith("\\", StringComparison.Ordinal)
                || text.StartsWith("./", StringComparison.Ordinal) || text.StartsWith("../", StringComparison.Ordinal) || text.StartsWith("~", StringComparison.Ordinal)
                || (text.Length >= 3 && char.IsLetter(text[0]) && text[1] == ':' && (text[2] == '\\' || text[2] == '/'));
        }

        internal static string Normalize(string text)
        {
            var value = (text ?? string.Empty).Trim();
            var scheme = value.IndexOf("://", StringComparison.Ordinal);
            if (scheme >= 0)
            {
                value = value.Substring(scheme + 3);
            }

            var slash = value.IndexOf('/');
            var authority = slash < 0 ? value : value.Substring(0, slash);
            var path = slash < 0 ? string.Empty : value.Substring(slash);
            var at = authority.LastIndexOf('@');
            if (at >= 0)
            {
                authority = authority.Substring(at + 1);
            }

            var query = path.IndexOfAny(new[] { '?', '#' });
            if (query >= 0)
            {
                path = path.Substring(0, query);
            }

            return (authority.ToLowerInvariant() + path).TrimEnd('/');
        }

        private static bool Covers(string prefix, string target) =>
            string.Equals(target, prefix, StringComparison.Ordinal)
            || (target.StartsWith(prefix, StringComparison.Ordinal) && target.Length > prefix.Length && target[prefix.Length] == '/');
    }
}
