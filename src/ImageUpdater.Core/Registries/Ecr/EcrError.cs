using System;
using System.Linq;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ImageUpdater.Core.Registries.Ecr
{
    /// <summary>Turns an ECR error response (<c>{"__type": …, "message": …}</c>) into an <see cref="ImageUpdaterException"/> whose message says what to do.</summary>
    internal static class EcrError
    {
        public const string ExpiredId = "EcrCredentialsExpired";

        private static readonly string[] Throttling =
        {
            "ThrottlingException", "ThrottledException", "TooManyRequestsException", "RequestLimitExceeded", "RequestThrottled",
            "RequestThrottledException", "LimitExceededException",
        };

        /// <summary>The error code: x-amzn-ErrorType, else code, else __type; cut at ':' and after '#'.</summary>
        public static (string Code, string Message) Parse(HttpResponseHeaders headers, string body)
        {
            string? code = headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.FirstOrDefault() : null;
            string? message = null;
            try
            {
                using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(body) ? "{}" : body);
                code ??= EcrJsonProtocol.GetString(doc.RootElement, "code") ?? EcrJsonProtocol.GetString(doc.RootElement, "__type");
                message = EcrJsonProtocol.GetString(doc.RootElement, "message") ?? EcrJsonProtocol.GetString(doc.RootElement, "Message");
            }
            catch (JsonException)
            {
                message = body.Length > 300 ? body.Substring(0, 300) : body;
            }

            code ??= string.Empty;
            var colon = code.IndexOf(':');
            if (colon >= 0)
            {
                code = code.Substring(0, colon);
            }

            var hash = code.LastIndexOf('#');
            if (hash >= 0)
            {
                code = code.Substring(hash + 1);
            }

            // AWS may append the canonical request (which carries the session token) after a blank line: keep the first line only.
            message = (message ?? string.Empty).Split('\n')[0].Trim();
            return (code, message.Length > 300 ? message.Substring(0, 300) + "…" : message);
        }

        public static ImageUpdaterException From(string operation, int status, HttpResponseHeaders headers, string body, string? target, string region, Uri endpoint, string credentialSource, Http.RetryPolicy retried)
        {
            var (code, message) = Parse(headers, body);
            var said = message.Length == 0 ? string.Empty : " ECR said: " + message;
            switch (code)
            {
                case "RepositoryNotFoundException":
                    return new ImageUpdaterException("EcrRepositoryNotFound", FailureKind.ObjectNotFound,
                        $"The ECR repository '{target}' does not exist in region {region}: check the repository name, -RegistryId and -Region (aws ecr describe-repositories lists them).{said}", target);
                case "ImageNotFoundException":
                    return new ImageUpdaterException("EcrImageNotFound", FailureKind.ObjectNotFound,
                        $"The image was not found in ECR repository '{target}' ({region}).{said}", target);
                case "RegistryPolicyNotFoundException":
                case "RepositoryPolicyNotFoundException":
                    return new ImageUpdaterException("EcrPolicyNotFound", FailureKind.ObjectNotFound, $"{code} for '{target}'.{said}", target);
                case "AccessDeniedException":
                    return new ImageUpdaterException("EcrAccessDenied", FailureKind.PermissionDenied,
                        $"Access denied to ecr:{operation} on '{target}' ({region}) for the credentials from {credentialSource}: grant ecr:{operation} on the repository (ecr:DescribeImages to list tags, ecr:BatchGetImage to read the platforms of multi-platform images (newest-build, digest, -Platform), ecr:GetAuthorizationToken on *), or use other credentials.{said}", target);
                case "UnrecognizedClientException":
                case "InvalidClientTokenId":
                case "MissingAuthenticationTokenException":
                case "MissingAuthenticationToken":
                case "IncompleteSignature":
                    return new ImageUpdaterException("EcrCredentialsNotRecognized", FailureKind.AuthenticationError,
                        $"AWS did not recognise the access key or security token from {credentialSource} ({code}): check -AccessKey/-SessionToken, -ProfileName or AWS_ACCESS_KEY_ID, and that the key is active in this partition ({region}).{said}", target);
                case "InvalidSignatureException":
                case "SignatureDoesNotMatch":
                    if (message.IndexOf("scoped to a valid region", StringComparison.OrdinalIgnoreCase) >= 0)
                    {
                        return new ImageUpdaterException("EcrWrongRegion", FailureKind.InvalidArgument,
                            $"The request was signed for region {region}, which the endpoint {endpoint} does not serve: a full image reference (<account>.dkr.ecr.<region>.amazonaws.com/<repository>) sets its own region, -Region (or AWS_REGION) only that of a bare repository name; check that -EndpointUrl serves that region.{said}", target);
                    }

                    return message.IndexOf("expired", StringComparison.OrdinalIgnoreCase) >= 0 || message.IndexOf("not yet current", StringComparison.OrdinalIgnoreCase) >= 0
                        ? new ImageUpdaterException("EcrClockSkew", FailureKind.AuthenticationError,
                            $"AWS rejected the request time: this computer's clock is more than 5 minutes off. Synchronise the clock (NTP) and try again.{said}", target)
                        : new ImageUpdaterException("EcrInvalidSignature", FailureKind.AuthenticationError,
                            $"AWS rejected the request signature: the secret key from {credentialSource} does not belong to its access key. Check -SecretKey or the profile's aws_secret_access_key.{said}", target);
                case "RequestExpired":
                case "RequestTimeTooSkewed":
                    return new ImageUpdaterException("EcrClockSkew", FailureKind.AuthenticationError,
                        $"AWS rejected the request time ({code}): synchronise this computer's clock (NTP) and try again.{said}", target);
                case "ExpiredTokenException":
                case "ExpiredToken":
                    return new ImageUpdaterException(ExpiredId, FailureKind.AuthenticationError,
                        $"The AWS session credentials from {credentialSource} have expired: refresh them (aws sso login, a new sts assume-role, or a new -SessionToken) and run the command again.{said}", target);
                case "InvalidParameterException":
                case "ValidationException":
                case "SerializationException":
                    return new ImageUpdaterException("EcrInvalidParameter", FailureKind.InvalidArgument,
                        $"ECR rejected the {operation} request for '{target}' ({code}): check the repository name and -RegistryId.{said}", target);
                case "UnknownOperationException":
                    return new ImageUpdaterException("EcrUnknownOperation", FailureKind.NotImplemented,
                        $"The endpoint {endpoint} does not know ECR {operation}: check -EndpointUrl.{said}", target);
            }

            if (Throttling.Contains(code) || status == 429)
            {
                return new ImageUpdaterException("EcrThrottled", FailureKind.LimitsExceeded,
                    $"ECR kept throttling {operation} for '{target}' ({region}) after retrying for up to {retried.Budget.TotalSeconds:0} s ({retried.MaxAttempts} tries at most): wait a minute and run again, or run fewer lookups at once.{said}", target);
            }

            if (status >= 500)
            {
                return new ImageUpdaterException("EcrUnavailable", FailureKind.ResourceUnavailable,
                    $"ECR answered {operation} for '{target}' with HTTP {status}{(code.Length == 0 ? string.Empty : " (" + code + ")")} after retrying for up to {retried.Budget.TotalSeconds:0} s: the service is failing in {region}; try again later.{said}", target);
            }

            return new ImageUpdaterException("EcrRequestFailed", FailureKind.NotSpecified,
                $"ECR {operation} for '{target}' failed with HTTP {status}{(code.Length == 0 ? string.Empty : " (" + code + ")")}.{said}", target);
        }
    }
}
