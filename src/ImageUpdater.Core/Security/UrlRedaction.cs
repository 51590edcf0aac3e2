using System;
using System.Text.RegularExpressions;

namespace ImageUpdater.Core.Security
{
    /// <summary>
    /// The one rule for showing URLs: user information (<c>user:token@</c>) and token-like query parameters are replaced by
    /// <c>***</c> wherever a URL appears in text the module writes (-WhatIf, -Confirm, -Verbose, errors, displayed objects).
    /// </summary>
    public static class UrlRedaction
    {
        public const string Mask = "***";

        // scheme://userinfo@ — userinfo stops at '/', '?', '#', whitespace or quotes; the last '@' before the host wins.
        private static readonly Regex UserInfo = new Regex(@"(?<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?<userinfo>[^/?#\s""'<>]*)@", RegexOptions.CultureInvariant | RegexOptions.Compiled);

        private static readonly Regex SecretQuery = new Regex(
            @"(?<key>[?&](?:access_token|token|private_token|auth|authorization|password|passwd|pass|secret|client_secret|api_key|apikey|key|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|code)=)(?<value>[^&#\s""'<>]*)",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Compiled);

        /// <summary>The text with the secret parts of every URL in it masked; null stays null.</summary>
        public static string? Redact(string? text)
        {
            if (string.IsNullOrEmpty(text) || (text!.IndexOf("://", StringComparison.Ordinal) < 0 && text.IndexOf('=') < 0))
            {
                return text;
            }

            var masked = UserInfo.Replace(text, m => m.Groups["userinfo"].Length == 0 || IsSshUser(m) ? m.Value : m.Groups["scheme"].Value + Mask + "@");
            return SecretQuery.Replace(masked, m => m.Groups["value"].Length == 0 ? m.Value : m.Groups["key"].Value + Mask);
        }

        // An ssh user name without a password (ssh://git@host) names an account, not a secret: ssh authenticates with keys.
        private static bool IsSshUser(Match m)
        {
            var scheme = m.Groups["scheme"].Value;
            return (scheme.StartsWith("ssh", StringComparison.OrdinalIgnoreCase) || scheme.StartsWith("git+ssh", StringComparison.OrdinalIgnoreCase))
                && m.Groups["userinfo"].Value.IndexOf(':') < 0;
        }

        /// <summary>True when <see cref="Redact"/> would change the text.</summary>
        public static bool HasSecret(string? text) => !string.Equals(Redact(text), text, StringComparison.Ordinal);
    }
}
