using System;
using System.IO;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace ImageUpdater.Emulators.GitHub
{
    /// <summary>
    /// GitHub's installation token endpoint on loopback, strict as GitHub: POST /app/installations/{id}/access_tokens needs a Bearer JWT
    /// (RS256, verified with the app's public key; iss = the app ID; iat not in the future beyond 60 s; exp after now and at most
    /// 10 minutes ahead) and a User-Agent; another installation gets 404. The 201 answer is the "Installation Token" example of
    /// ../shared/data/api-models/github-rest-excerpt.json (--model) with this emulator's token and expiry.
    /// Options: --app-id ID, --installation-id ID, --public-key PEM-FILE, --token T, --expires-in SECONDS (default 3600), --model FILE.
    /// GET /__emulator/stats returns {"exchanges":n,"refused":n}.
    /// </summary>
    public sealed class GitHubAppEmulator : LoopbackHttpServer
    {
        private readonly string appId = "1";
        private readonly string installationId = "1";
        private readonly RSA publicKey = RSA.Create();
        private readonly string token = "ghs_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(18));
        private readonly int expiresIn = 3600;
        private readonly JsonObject example = new JsonObject { ["permissions"] = new JsonObject { ["contents"] = "write" }, ["repository_selection"] = "all" };
        private int exchanges;
        private int refused;

        private GitHubAppEmulator(string[] args)
        {
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"'{args[i]}' needs a value.");
                switch (args[i])
                {
                    case "--app-id": appId = Next(); break;
                    case "--installation-id": installationId = Next(); break;
                    case "--public-key": publicKey.ImportFromPem(File.ReadAllText(Next())); break;
                    case "--token": token = Next(); break;
                    case "--expires-in": expiresIn = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                    case "--model":
                        var model = JsonNode.Parse(File.ReadAllText(Next()))!;
                        if (model["operations_supplementary"]?["POST /app/installations/{installation_id}/access_tokens"]?["responses"]?["201"]?["example"] is JsonObject shape)
                        {
                            example = (JsonObject)shape.DeepClone();
                        }

                        break;
                    default: throw new ArgumentException($"Unknown option '{args[i]}'. Options: --app-id, --installation-id, --public-key, --token, --expires-in, --model.");
                }
            }
        }

        [Emulator("github-app")]
        public static Task<IEmulator> Start(string[] args) => Task.FromResult<IEmulator>(new GitHubAppEmulator(args));

        public static GitHubAppEmulator Create(string[] args) => new GitHubAppEmulator(args);

        public override string Describe() => new JsonObject { ["url"] = Url, ["token"] = token }.ToJsonString();

        protected override async Task HandleAsync(HttpListenerContext context)
        {
            var request = context.Request;
            var response = context.Response;
            var path = request.Url!.AbsolutePath;
            if (path == "/__emulator/stats")
            {
                await WriteJsonAsync(response, 200, new JsonObject { ["exchanges"] = exchanges, ["refused"] = refused }).ConfigureAwait(false);
                return;
            }

            var parts = path.Trim('/').Split('/');
            if (request.HttpMethod != "POST" || parts.Length != 4 || parts[0] != "app" || parts[1] != "installations" || parts[3] != "access_tokens")
            {
                await ErrorAsync(response, 404, "Not Found").ConfigureAwait(false);
                return;
            }

            if (string.IsNullOrEmpty(request.UserAgent))
            {
                // GitHub refuses requests without a User-Agent.
                await ErrorAsync(response, 403, "Request forbidden by administrative rules. Please make sure your request has a User-Agent header").ConfigureAwait(false);
                return;
            }

            if (Check(BearerToken(request)) is { } problem)
            {
                Interlocked.Increment(ref refused);
                await ErrorAsync(response, 401, problem).ConfigureAwait(false);
                return;
            }

            if (Uri.UnescapeDataString(parts[2]) != installationId)
            {
                await ErrorAsync(response, 404, "Not Found").ConfigureAwait(false);
                return;
            }

            Interlocked.Increment(ref exchanges);
            var answer = (JsonObject)example.DeepClone();
            answer["token"] = token;
            answer["expires_at"] = DateTimeOffset.UtcNow.AddSeconds(expiresIn).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
            await WriteJsonAsync(response, 201, answer).ConfigureAwait(false);
        }

        /// <summary>Why GitHub would refuse the JWT (GitHub's wording where it has one), or null.</summary>
        private string? Check(string? jwt)
        {
            var parts = jwt?.Split('.');
            if (parts is null || parts.Length != 3)
            {
                return "A JSON web token could not be decoded";
            }

            try
            {
                using var header = JsonDocument.Parse(Decode(parts[0]));
                if (!header.RootElement.TryGetProperty("alg", out var alg) || alg.GetString() != "RS256")
                {
                    return "'alg' must be RS256";
                }

                if (!publicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Decode(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
                {
                    return "A JSON web token could not be decoded";
                }

                using var payload = JsonDocument.Parse(Decode(parts[1]));
                var claims = payload.RootElement;
                var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                var iss = claims.TryGetProperty("iss", out var i) ? (i.ValueKind == JsonValueKind.Number ? i.GetRawText() : i.GetString()) : null;
                if (iss != appId)
                {
                    return "Integration not found";
                }

                if (!claims.TryGetProperty("iat", out var iat) || !claims.TryGetProperty("exp", out var exp))
                {
                    return "Missing 'issued at' or 'expiration time' claim";
                }

                if (iat.GetInt64() > now + 60)
                {
                    return "'Issued at' claim ('iat') must be an Integer representing a time in the past.";
                }

                if (exp.GetInt64() <= now)
                {
                    return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires.";
                }

                if (exp.GetInt64() > now + 600 + 5)
                {
                    return "'Expiration time' claim ('exp') is too far in the future";
                }

                return null;
            }
            catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or CryptographicException)
            {
                return "A JSON web token could not be decoded";
            }
        }

        private static byte[] Decode(string part)
        {
            var text = part.Replace('-', '+').Replace('_', '/');
            return Convert.FromBase64String(text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='));
        }

        private static Task ErrorAsync(HttpListenerResponse response, int status, string message) =>
            WriteJsonAsync(response, status, new JsonObject { ["message"] = message, ["documentation_url"] = "https://docs.github.com/rest" });
    }
}
