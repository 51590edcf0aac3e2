using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Text;

namespace ImageUpdater.Core.Registries.Oci
{
    /// <summary>One <c>WWW-Authenticate</c> challenge: a scheme (Basic, Bearer) and its parameters (realm, service, scope).</summary>
    public sealed class AuthChallenge
    {
        public AuthChallenge(string scheme, IReadOnlyDictionary<string, string> parameters)
        {
            Scheme = scheme;
            Parameters = parameters;
        }

        public string Scheme { get; }

        public IReadOnlyDictionary<string, string> Parameters { get; }

        public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);

        public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

        public string? this[string name] => Parameters.TryGetValue(name, out var value) ? value : null;

        /// <summary>
        /// Whether a Bearer realm may receive the registry credential as Basic: only on the registry's own origin, over https,
        /// or under a realm URL the operator allowed; a registry's answer must not send its password elsewhere in clear text.
        /// </summary>
        public static bool MayReceiveCredential(Uri registry, Uri realm, IReadOnlyList<string>? allowedRealms = null)
        {
            if (Uri.Compare(registry, realm, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
                || realm.Scheme == Uri.UriSchemeHttps)
            {
                return true;
            }

            foreach (var allowed in allowedRealms ?? Array.Empty<string>())
            {
                if (!string.IsNullOrEmpty(allowed) && realm.AbsoluteUri.StartsWith(allowed.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The first Bearer or Basic challenge of a response, or null.</summary>
        public static AuthChallenge? From(HttpResponseMessage response)
        {
            AuthChallenge? basic = null;
            foreach (var header in response.Headers.WwwAuthenticate)
            {
                var challenge = new AuthChallenge(header.Scheme, ParseParameters(header.Parameter ?? string.Empty));
                if (challenge.IsBearer)
                {
                    return challenge;
                }

                if (challenge.IsBasic)
                {
                    basic ??= challenge;
                }
            }

            return basic;
        }

        /// <summary>RFC 7235 auth-params: <c>key="quoted, with commas",key2=token</c>.</summary>
        internal static Dictionary<string, string> ParseParameters(string text)
        {
            var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var i = 0;
            while (i < text.Length)
            {
                while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i])))
                {
                    i++;
                }

                var keyStart = i;
                while (i < text.Length && text[i] != '=' && text[i] != ',')
                {
                    i++;
                }

                var key = text.Substring(keyStart, i - keyStart).Trim();
                if (i >= text.Length || text[i] != '=')
                {
                    continue;
                }

                i++;
                var value = new StringBuilder();
                if (i < text.Length && text[i] == '"')
                {
                    i++;
                    while (i < text.Length && text[i] != '"')
                    {
                        if (text[i] == '\\' && i + 1 < text.Length)
                        {
                            i++;
                        }

                        value.Append(text[i]);
                        i++;
                    }

                    i++;
                }
                else
                {
                    while (i < text.Length && text[i] != ',')
                    {
                        value.Append(text[i]);
                        i++;
                    }
                }

                if (key.Length > 0)
                {
                    result[key] = value.ToString().Trim();
                }
            }

            return result;
        }
    }
}
