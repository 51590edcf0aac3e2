using System;
using System.Security.Cryptography;
using System.Text;

namespace ImageUpdater.Core.Webhooks
{
    /// <summary>
    /// How a webhook proves it came from the registry: GitHub signs the body (X-Hub-Signature-256, HMAC-SHA256); every other
    /// provider carries a shared secret — Harbor's and ACR's configured Authorization header, an EventBridge API destination's
    /// API-key header (X-Webhook-Secret) or a <c>?secret=</c> in the URL, as upstream's webhook server reads them.
    /// </summary>
    public static class WebhookSecret
    {
        public const string SignatureHeader = "X-Hub-Signature-256";
        public const string SecretHeader = "X-Webhook-Secret";

        /// <summary>Throws unless the body's HMAC-SHA256 under <paramref name="secret"/> is the X-Hub-Signature-256 header.</summary>
        public static void VerifySignature(WebhookRequest request, string secret, RegistryProvider provider)
        {
            var header = request.Header(SignatureHeader)?.Trim();
            if (string.IsNullOrEmpty(header))
            {
                throw Missing(provider, $"the {SignatureHeader} header");
            }

            using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
            var expected = "sha256=" + ToHex(hmac.ComputeHash(Encoding.UTF8.GetBytes(request.Body)));
            if (!FixedTimeEquals(expected, header!))
            {
                throw Mismatch(provider, $"the {SignatureHeader} signature does not match the body signed with -Secret");
            }
        }

        /// <summary>Throws unless <paramref name="secret"/> is the <c>secret</c> URL parameter, the X-Webhook-Secret header or the Authorization header (with or without <c>Bearer</c>).</summary>
        public static void VerifyShared(WebhookRequest request, string secret, RegistryProvider provider)
        {
            var authorization = request.Header("Authorization")?.Trim();
            var offered = new[]
            {
                request.QueryParameter("secret"),
                request.Header(SecretHeader)?.Trim(),
                authorization,
                authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization.Substring(7).Trim() : null,
            };

            var any = false;
            var match = false;
            foreach (var value in offered)
            {
                if (!string.IsNullOrEmpty(value))
                {
                    any = true;
                    match |= FixedTimeEquals(secret, value!);
                }
            }

            if (!any)
            {
                throw Missing(provider, $"an Authorization or {SecretHeader} header or a ?secret= URL parameter");
            }

            if (!match)
            {
                throw Mismatch(provider, "the secret it carries is not -Secret");
            }
        }

        // Compares every character whatever the first difference, so the time taken does not reveal how much of a guess was right.
        internal static bool FixedTimeEquals(string a, string b)
        {
            var x = Encoding.UTF8.GetBytes(a);
            var y = Encoding.UTF8.GetBytes(b);
            var difference = x.Length ^ y.Length;
            for (var i = 0; i < Math.Max(x.Length, y.Length); i++)
            {
                difference |= (i < x.Length ? x[i] : 0) ^ (i < y.Length ? y[i] : 0);
            }

            return difference == 0;
        }

        private static string ToHex(byte[] bytes)
        {
            var text = new StringBuilder(bytes.Length * 2);
            foreach (var b in bytes)
            {
                text.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }

            return text.ToString();
        }

        private static ImageUpdaterException Missing(RegistryProvider provider, string what) =>
            new ImageUpdaterException("WebhookSecretMissing", FailureKind.SecurityError, $"The {provider} webhook does not carry {what}, but -Secret was given: it is refused and nothing is run.", provider.ToString());

        private static ImageUpdaterException Mismatch(RegistryProvider provider, string why) =>
            new ImageUpdaterException("WebhookSecretMismatch", FailureKind.SecurityError, $"The {provider} webhook is refused: {why}. Nothing is run.", provider.ToString());
    }
}
