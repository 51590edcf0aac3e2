using System;
using System.Net;

namespace ImageUpdater.Core.WriteBack
{
    /// <summary>Repository URLs as stored, shown and compared: user information (a token in the URL) is taken out and used as a credential instead.</summary>
    public static class RepositoryUrl
    {
        /// <summary>The URL without <c>user:password@</c>; <paramref name="embedded"/> gets them when both were present.</summary>
        public static string Clean(string url, out NetworkCredential? embedded)
        {
            embedded = null;
            var trimmed = url.Trim();
            if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.UserInfo) || !IsHttp(trimmed))
            {
                return trimmed;
            }

            var parts = uri.UserInfo.Split(new[] { ':' }, 2);
            if (parts.Length == 2)
            {
                embedded = new NetworkCredential(Uri.UnescapeDataString(parts[0]), Uri.UnescapeDataString(parts[1]));
            }

            var builder = new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty };
            var clean = builder.Uri.GetComponents(UriComponents.AbsoluteUri, UriFormat.UriEscaped);
            // UriBuilder adds a slash to a bare host; keep the path as written.
            return trimmed.EndsWith("/", StringComparison.Ordinal) || !clean.EndsWith("/", StringComparison.Ordinal) ? clean : clean.TrimEnd('/');
        }

        /// <summary>ssh://, git+ssh:// or the scp form user@host:path (not a Windows drive, not a local path).</summary>
        public static bool IsSsh(string url)
        {
            var u = url.Trim();
            if (u.StartsWith("ssh://", StringComparison.OrdinalIgnoreCase) || u.StartsWith("git+ssh://", StringComparison.OrdinalIgnoreCase) || u.StartsWith("ssh+git://", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            var colon = u.IndexOf(':');
            var slash = u.IndexOf('/');
            return colon > 1 && (slash < 0 || colon < slash) && u.IndexOf("://", StringComparison.Ordinal) < 0;
        }

        public static bool IsHttp(string url) =>
            url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// True when both URLs name one repository: case ignored, user information, a trailing '/' and <c>.git</c> dropped,
        /// and <c>http://</c> equal to <c>https://</c> (one server answering both); other schemes (ssh, scp-like <c>git@host:path</c>) must match.
        /// </summary>
        public static bool Same(string? a, string? b) =>
            a is not null && b is not null && string.Equals(Key(a), Key(b), StringComparison.OrdinalIgnoreCase);

        private static string Key(string url)
        {
            var text = Clean(url, out _).TrimEnd('/');
            if (text.EndsWith(".git", StringComparison.OrdinalIgnoreCase))
            {
                text = text.Substring(0, text.Length - 4).TrimEnd('/');
            }

            return IsHttp(text) ? "http" + text.Substring(text.IndexOf("://", StringComparison.Ordinal)) : text;
        }
    }
}
