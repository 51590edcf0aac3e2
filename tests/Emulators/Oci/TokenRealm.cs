using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ImageUpdater.Emulators.Oci
{
    /// <summary>
    /// A Docker token service (distribution <c>docs/spec/auth/token.md</c>) on loopback: <c>GET /token?service=&amp;scope=</c> with
    /// optional Basic credentials returns RS256 JWTs with an <c>x5c</c> chain, which the real docker-registry verifies against the
    /// certificate written to <see cref="CertificatePath"/> (its <c>auth.token.rootcertbundle</c>).
    /// Options: <c>--user u:p</c> (required credentials; anonymous otherwise), <c>--service</c>, <c>--issuer</c>,
    /// <c>--expires-in seconds</c>, <c>--expired-first n</c> (the first n tokens are already expired for the registry, see <see cref="ExpiredNext"/>),
    /// <c>--cert-out path</c>.
    /// </summary>
    public sealed class TokenRealm : IEmulator
    {
        private readonly HttpListener listener;
        private readonly RSA key = RSA.Create(2048);
        private readonly X509Certificate2 certificate;
        private readonly CancellationTokenSource stop = new CancellationTokenSource();
        private readonly Task loop;
        private int issued;
        private int expiredNext;

        private TokenRealm(string? user, string service, string issuer, int expiresIn, int expiredFirst, string certPath)
        {
            User = user;
            Service = service;
            Issuer = issuer;
            ExpiresIn = expiresIn;
            expiredNext = expiredFirst;
            CertificatePath = certPath;
            var request = new CertificateRequest("CN=token-realm", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            File.WriteAllText(certPath, certificate.ExportCertificatePem() + "\n");
            listener = LoopbackListener.Start(out var baseUrl);
            Url = baseUrl + "token";
            loop = Task.Run(ServeAsync);
        }

        public string Url { get; }

        public string? User { get; }

        public string Service { get; }

        public string Issuer { get; }

        public int ExpiresIn { get; }

        /// <summary>How many of the next tokens are issued already expired (for the registry, not by expires_in).</summary>
        public int ExpiredNext
        {
            get => Volatile.Read(ref expiredNext);
            set => Volatile.Write(ref expiredNext, value);
        }

        public string CertificatePath { get; }

        /// <summary>Tokens issued so far.</summary>
        public int Issued => Volatile.Read(ref issued);

        /// <summary>Scopes asked for, in order.</summary>
        public List<string> Scopes { get; } = new List<string>();

        [Emulator("token-realm")]
        public static Task<IEmulator> Start(string[] options) => Task.FromResult<IEmulator>(Create(options));

        public static TokenRealm Create(params string[] options)
        {
            string? Option(string name) => Array.IndexOf(options, name) is var i && i >= 0 && i + 1 < options.Length ? options[i + 1] : null;
            var cert = Option("--cert-out") ?? Path.Combine(Path.GetTempPath(), "token-realm-" + Guid.NewGuid().ToString("N") + ".pem");
            return new TokenRealm(
                Option("--user"),
                Option("--service") ?? "test-registry",
                Option("--issuer") ?? "test-issuer",
                int.Parse(Option("--expires-in") ?? "300", System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(Option("--expired-first") ?? "0", System.Globalization.CultureInfo.InvariantCulture),
                cert);
        }

        public string Describe() => JsonSerializer.Serialize(new { url = Url, service = Service, issuer = Issuer, certificate = CertificatePath });

        private async Task ServeAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync().ConfigureAwait(false);
                }
                catch (Exception) when (stop.IsCancellationRequested || !listener.IsListening)
                {
                    return;
                }

                try
                {
                    Handle(context);
                }
                catch (Exception e)
                {
                    context.Response.StatusCode = 500;
                    Write(context.Response, JsonSerializer.Serialize(new { errors = new[] { new { code = "UNKNOWN", message = e.Message } } }));
                }
            }
        }

        private void Handle(HttpListenerContext context)
        {
            var request = context.Request;
            var response = context.Response;
            if (request.HttpMethod != "GET" || request.Url!.AbsolutePath != "/token")
            {
                response.StatusCode = 404;
                Write(response, "{\"details\":\"not found\"}");
                return;
            }

            var service = request.QueryString["service"];
            if (service != Service)
            {
                response.StatusCode = 400;
                Write(response, $"{{\"details\":\"unknown service '{service}'\"}}");
                return;
            }

            var subject = string.Empty;
            var header = request.Headers["Authorization"];
            if (header is not null && header.StartsWith("Basic ", StringComparison.Ordinal))
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header.Substring(6)));
                if (User is null || pair != User)
                {
                    Deny(response);
                    return;
                }

                subject = pair.Substring(0, pair.IndexOf(':'));
            }
            else if (User is not null)
            {
                Deny(response);
                return;
            }

            var access = new List<object>();
            foreach (var scope in request.QueryString.GetValues("scope") ?? Array.Empty<string>())
            {
                lock (Scopes)
                {
                    Scopes.Add(scope);
                }

                var parts = scope.Split(':');
                if (parts.Length == 3)
                {
                    access.Add(new { type = parts[0], name = parts[1], actions = parts[2].Split(',') });
                }
            }

            Interlocked.Increment(ref issued);
            var expired = Interlocked.Decrement(ref expiredNext) >= 0;
            if (!expired)
            {
                Interlocked.Exchange(ref expiredNext, 0);
            }

            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            // Beyond the registry's 60 s leeway, so it refuses the token although expires_in says otherwise.
            var exp = expired ? now - 600 : now + ExpiresIn;
            var token = Sign(new Dictionary<string, object>
            {
                ["iss"] = Issuer,
                ["sub"] = subject,
                ["aud"] = Service,
                ["exp"] = exp,
                ["nbf"] = now - 5 - (expired ? 700 : 0),
                ["iat"] = now,
                ["jti"] = Guid.NewGuid().ToString("N"),
                ["access"] = access,
            });
            response.StatusCode = 200;
            response.ContentType = "application/json";
            Write(response, JsonSerializer.Serialize(new { token, access_token = token, expires_in = ExpiresIn, issued_at = DateTimeOffset.UtcNow.ToString("o") }));
        }

        private string Sign(Dictionary<string, object> claims)
        {
            var header = new Dictionary<string, object> { ["typ"] = "JWT", ["alg"] = "RS256", ["x5c"] = new[] { Convert.ToBase64String(certificate.RawData) } };
            var signingInput = Base64Url(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
            var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            return signingInput + "." + Base64Url(signature);
        }

        private static string Base64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        private static void Deny(HttpListenerResponse response)
        {
            response.StatusCode = 401;
            response.AddHeader("WWW-Authenticate", "Basic realm=\"token-realm\"");
            Write(response, "{\"details\":\"incorrect username or password\"}");
        }

        private static void Write(HttpListenerResponse response, string body)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            response.ContentLength64 = bytes.Length;
            response.OutputStream.Write(bytes, 0, bytes.Length);
            response.Close();
        }

        public async ValueTask DisposeAsync()
        {
            stop.Cancel();
            LoopbackListener.Shutdown(listener);
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Stopping.
            }

            key.Dispose();
            certificate.Dispose();
        }
    }
}
