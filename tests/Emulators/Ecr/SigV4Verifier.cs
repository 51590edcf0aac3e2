using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace ImageUpdater.Emulators.Ecr
{
    /// <summary>
    /// Checks an AWS Signature Version 4 the way AWS does, written from the specification (not with the SDK the client uses),
    /// so a signing mistake in the client shows up here. Returns null when the request is genuine, else the AWS error.
    /// </summary>
    internal sealed class SigV4Verifier
    {
        private const string Algorithm = "AWS4-HMAC-SHA256";

        public SigV4Verifier(string region, string service, TimeSpan maxSkew)
        {
            Region = region;
            Service = service;
            MaxSkew = maxSkew;
        }

        public string Region { get; }

        public string Service { get; }

        public TimeSpan MaxSkew { get; }

        /// <summary>The access key the request claims, once the Authorization header parses.</summary>
        public sealed class Claim
        {
            public string AccessKey = string.Empty;
            public string Date = string.Empty;
            public string Region = string.Empty;
            public string Service = string.Empty;
            public string[] SignedHeaders = Array.Empty<string>();
            public string Signature = string.Empty;
        }

        /// <summary>Parses the Authorization header; an error (status, __type, message) when absent or malformed.</summary>
        public static (Claim? Claim, EcrFault? Fault) ParseAuthorization(string? header)
        {
            if (string.IsNullOrEmpty(header))
            {
                return (null, new EcrFault(403, "MissingAuthenticationTokenException", "Missing Authentication Token"));
            }

            if (!header!.StartsWith(Algorithm + " ", StringComparison.Ordinal))
            {
                return (null, new EcrFault(400, "IncompleteSignatureException", "Unsupported authorization type: only " + Algorithm + " is accepted."));
            }

            var claim = new Claim();
            foreach (var part in header.Substring(Algorithm.Length + 1).Split(','))
            {
                var pair = part.Trim();
                var eq = pair.IndexOf('=');
                if (eq < 0)
                {
                    continue;
                }

                var key = pair.Substring(0, eq);
                var value = pair.Substring(eq + 1);
                switch (key)
                {
                    case "Credential":
                        var scope = value.Split('/');
                        if (scope.Length != 5 || scope[4] != "aws4_request")
                        {
                            return (null, new EcrFault(400, "IncompleteSignatureException", "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + SafeScope(scope) + "'"));
                        }

                        claim.AccessKey = scope[0];
                        claim.Date = scope[1];
                        claim.Region = scope[2];
                        claim.Service = scope[3];
                        break;
                    case "SignedHeaders":
                        claim.SignedHeaders = value.Split(';');
                        break;
                    case "Signature":
                        claim.Signature = value;
                        break;
                }
            }

            if (claim.AccessKey.Length == 0 || claim.SignedHeaders.Length == 0 || claim.Signature.Length == 0)
            {
                return (null, new EcrFault(400, "IncompleteSignatureException", "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters."));
            }

            return (claim, null);
        }

        private static string SafeScope(string[] scope) => scope.Length > 1 ? "…/" + string.Join("/", scope.Skip(1)) : "…";

        /// <summary>Verifies scope, time and signature against the secret key; null when genuine.</summary>
        public EcrFault? Verify(Claim claim, string secretKey, HttpListenerRequest request, byte[] body, DateTime now)
        {
            var amzDate = request.Headers["X-Amz-Date"];
            if (amzDate is null || !DateTime.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var signedAt))
            {
                return new EcrFault(400, "IncompleteSignatureException", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
            }

            if (signedAt < now - MaxSkew)
            {
                return new EcrFault(400, "InvalidSignatureException", $"Signature expired: {amzDate} is now earlier than {(now - MaxSkew):yyyyMMdd'T'HHmmss'Z'} ({now:yyyyMMdd'T'HHmmss'Z'} - {MaxSkew.TotalMinutes:0} min.)");
            }

            if (signedAt > now + MaxSkew)
            {
                return new EcrFault(400, "InvalidSignatureException", $"Signature not yet current: {amzDate} is still later than {(now + MaxSkew):yyyyMMdd'T'HHmmss'Z'} ({now:yyyyMMdd'T'HHmmss'Z'} + {MaxSkew.TotalMinutes:0} min.)");
            }

            if (claim.Date != amzDate.Substring(0, 8))
            {
                return new EcrFault(400, "InvalidSignatureException", $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{claim.Date}' != '{amzDate.Substring(0, 8)}', from '{amzDate}'.");
            }

            if (claim.Region != Region)
            {
                return new EcrFault(400, "InvalidSignatureException", $"Credential should be scoped to a valid region, not '{claim.Region}'.");
            }

            if (claim.Service != Service)
            {
                return new EcrFault(400, "InvalidSignatureException", $"Credential should be scoped to correct service: '{Service}'.");
            }

            if (!claim.SignedHeaders.Contains("host"))
            {
                return new EcrFault(400, "InvalidSignatureException", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
            }

            foreach (var name in new[] { "x-amz-date", "x-amz-security-token", "x-amz-target", "content-type" })
            {
                if (request.Headers[name] is not null && !claim.SignedHeaders.Contains(name))
                {
                    return new EcrFault(400, "InvalidSignatureException", $"'{name}' must be a 'SignedHeader' in the AWS Authorization.");
                }
            }

            var payloadHash = Hex(SHA256.HashData(body));
            var declared = request.Headers["X-Amz-Content-SHA256"];
            if (declared is not null && declared != "UNSIGNED-PAYLOAD" && !string.Equals(declared, payloadHash, StringComparison.Ordinal))
            {
                return new EcrFault(400, "InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match what was computed.");
            }

            var canonical = CanonicalRequest(request, claim.SignedHeaders, declared ?? payloadHash);
            var scope = $"{claim.Date}/{claim.Region}/{claim.Service}/aws4_request";
            var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
            var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), claim.Date);
            key = Hmac(key, claim.Region);
            key = Hmac(key, claim.Service);
            key = Hmac(key, "aws4_request");
            var expected = Hex(Hmac(key, stringToSign));
            if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(claim.Signature)))
            {
                // Like AWS: the canonical request follows after a blank line (clients must not echo it: it holds the session token).
                return new EcrFault(400, "InvalidSignatureException",
                    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'" + canonical + "'\n\nThe String-to-Sign should have been\n'" + stringToSign + "'\n");
            }

            return null;
        }

        private static string CanonicalRequest(HttpListenerRequest request, string[] signedHeaders, string payloadHash)
        {
            var url = request.Url!;
            var path = string.IsNullOrEmpty(url.AbsolutePath) ? "/" : url.AbsolutePath;
            var query = string.Join("&", (url.Query.Length > 1 ? url.Query.Substring(1).Split('&') : Array.Empty<string>())
                .Where(p => p.Length > 0)
                .Select(p =>
                {
                    var eq = p.IndexOf('=');
                    var k = Uri.UnescapeDataString(eq < 0 ? p : p.Substring(0, eq));
                    var v = eq < 0 ? string.Empty : Uri.UnescapeDataString(p.Substring(eq + 1));
                    return (Key: Uri.EscapeDataString(k), Value: Uri.EscapeDataString(v));
                })
                .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
                .Select(p => p.Key + "=" + p.Value));
            var headers = new StringBuilder();
            foreach (var name in signedHeaders)
            {
                var value = name == "host" ? request.Headers["Host"] ?? url.Authority : request.Headers[name] ?? string.Empty;
                headers.Append(name).Append(':').Append(string.Join(" ", value.Trim().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))).Append('\n');
            }

            return $"{request.HttpMethod}\n{path}\n{query}\n{headers}\n{string.Join(";", signedHeaders)}\n{payloadHash}";
        }

        private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

        private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
    }

    /// <summary>An AWS error response: HTTP status, __type and message.</summary>
    internal sealed class EcrFault
    {
        public EcrFault(int status, string type, string message)
        {
            Status = status;
            Type = type;
            Message = message;
        }

        public int Status { get; }

        public string Type { get; }

        public string Message { get; }
    }
}
