using System;

namespace ImageUpdater.Core.Argo
{
    /// <summary>Where an Argo CD API server is and how to authenticate to it (PSTypeName ImageUpdater.ArgoCDConnection). The token is never shown.</summary>
    public sealed class ArgoCDConnection
    {
        public const string ServerVariable = "ARGOCD_SERVER";
        public const string TokenVariable = "ARGOCD_AUTH_TOKEN";

        public ArgoCDConnection(string server, string token, bool skipCertificateCheck = false)
        {
            if (string.IsNullOrWhiteSpace(token))
            {
                throw new ImageUpdaterException("ArgoCDTokenMissing", FailureKind.AuthenticationError, "No Argo CD token: pass -Token, set ARGOCD_AUTH_TOKEN, or run Connect-ArgoCD (with -Token or -Credential).", server);
            }

            Server = NormalizeServer(server);
            Token = token;
            SkipCertificateCheck = skipCertificateCheck;
            Account = JwtSubject(token);
        }

        /// <summary>Base URL of the API server, ending in '/' (a --rootpath prefix is kept).</summary>
        public Uri Server { get; }

        public bool SkipCertificateCheck { get; }

        /// <summary>The bearer token; internal so that it is never formatted or serialized by the cmdlet layer.</summary>
        internal string Token { get; }

        /// <summary>Who the token belongs to: the server's userinfo answer when known, else the JWT <c>sub</c> claim, else null.</summary>
        public string? Account { get; set; }

        /// <summary><c>argocd.example.com</c>, <c>host:8080</c> or a URL → a base URL; a bare host means https, as with the argocd CLI.</summary>
        public static Uri NormalizeServer(string server)
        {
            if (string.IsNullOrWhiteSpace(server))
            {
                throw new ImageUpdaterException("ArgoCDServerMissing", FailureKind.InvalidArgument, "No Argo CD server: pass -Server (host or URL), set ARGOCD_SERVER, or run Connect-ArgoCD.", server);
            }

            var text = server.Trim();
            if (!text.Contains("://"))
            {
                text = "https://" + text;
            }

            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                throw new ImageUpdaterException("ArgoCDServerInvalid", FailureKind.InvalidArgument, $"'{server}' is not an Argo CD server address: use a host name (argocd.example.com) or an http(s) URL.", server);
            }

            var builder = new UriBuilder(uri) { Query = string.Empty, Fragment = string.Empty };
            if (!builder.Path.EndsWith("/", StringComparison.Ordinal))
            {
                builder.Path += "/";
            }

            return builder.Uri;
        }

        private static string? JwtSubject(string token)
        {
            var parts = token.Split('.');
            if (parts.Length != 3)
            {
                return null;
            }

            try
            {
                var payload = parts[1].Replace('-', '+').Replace('_', '/');
                payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
                using var doc = System.Text.Json.JsonDocument.Parse(Convert.FromBase64String(payload));
                return doc.RootElement.TryGetProperty("sub", out var sub) && sub.ValueKind == System.Text.Json.JsonValueKind.String ? sub.GetString() : null;
            }
            catch (Exception ex) when (ex is FormatException || ex is System.Text.Json.JsonException)
            {
                return null;
            }
        }

        /// <summary>
        /// The server and token to use: parameters first, then the Connect-ArgoCD <paramref name="session"/>, then ARGOCD_SERVER
        /// and ARGOCD_AUTH_TOKEN. The session's token is used only for the session's server; the session's -SkipCertificateCheck stays.
        /// </summary>
        public static ArgoCDConnection Resolve(string? server, string? token, bool skipCertificateCheck, ArgoCDConnection? session)
        {
            var address = ResolveServer(server, session);
            var sameServer = session is not null && NormalizeServer(address) == session.Server;
            if (token is null && sameServer)
            {
                return skipCertificateCheck && !session!.SkipCertificateCheck ? session.WithSkipCertificateCheck() : session!;
            }

            return new ArgoCDConnection(address, token ?? EnvironmentToken ?? string.Empty, skipCertificateCheck || (sameServer && session!.SkipCertificateCheck));
        }

        /// <summary>The server: the parameter, else the session's, else ARGOCD_SERVER.</summary>
        public static string ResolveServer(string? server, ArgoCDConnection? session)
        {
            var address = server ?? session?.Server.ToString() ?? Environment.GetEnvironmentVariable(ServerVariable);
            if (string.IsNullOrWhiteSpace(address))
            {
                throw new ImageUpdaterException("ArgoCDNotConnected", FailureKind.InvalidArgument, $"No Argo CD server: pass -Server (host or URL), set {ServerVariable}, or run Connect-ArgoCD.");
            }

            return address!;
        }

        /// <summary>ARGOCD_AUTH_TOKEN, or null when unset or empty.</summary>
        public static string? EnvironmentToken =>
            Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } token ? token : null;

        /// <summary>The same server and token, accepting any certificate.</summary>
        public ArgoCDConnection WithSkipCertificateCheck() => new ArgoCDConnection(Server.ToString(), Token, true) { Account = Account };

        public override string ToString() => Server.ToString();
    }
}
