using System;
using System.Collections.Concurrent;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Amazon;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace ImageUpdater.Core.Registries.Ecr
{
    /// <summary>
    /// AWS credentials with no stored AWS secret: an Entra ID token of the Azure managed identity, exchanged at STS
    /// (AssumeRoleWithWebIdentity) for a session of <see cref="RoleArn"/>, asked for again <see cref="PreemptBy"/> before the
    /// session expires, so a long run never signs with an expired session.
    /// </summary>
    public sealed class AzureWebIdentityCredentials : AWSCredentials
    {
        public const string DefaultSessionName = "ImageUpdater.PS";

        /// <summary>How long before expiry a new session is fetched (ECR calls of one run stay well inside it).</summary>
        public static readonly TimeSpan PreemptBy = TimeSpan.FromMinutes(5);

        // One per identity, role and STS endpoint in a process: a pipeline of cmdlets reuses the session, as the SDK's chain does.
        private static readonly ConcurrentDictionary<string, AzureWebIdentityCredentials> Sessions = new ConcurrentDictionary<string, AzureWebIdentityCredentials>(StringComparer.Ordinal);

        private readonly HttpMessageHandler? identityTransport;
        private readonly SemaphoreSlim refreshing = new SemaphoreSlim(1, 1);
        private (ImmutableCredentials Credentials, DateTimeOffset Expires)? current;
        private int exchanges;

        public AzureWebIdentityCredentials(AzureManagedIdentity identity, string roleArn, string? sessionName = null, string? region = null, Uri? stsEndpoint = null, HttpMessageHandler? identityTransport = null)
        {
            Identity = identity ?? throw new ArgumentNullException(nameof(identity));
            RoleArn = CheckRoleArn(roleArn);
            SessionName = string.IsNullOrWhiteSpace(sessionName) ? DefaultSessionName : sessionName!.Trim();
            Region = string.IsNullOrWhiteSpace(region) ? "us-east-1" : region!.Trim();
            StsEndpoint = stsEndpoint ?? StsEndpointFromEnvironment();
            this.identityTransport = identityTransport;
        }

        public AzureManagedIdentity Identity { get; }

        public string RoleArn { get; }

        public string SessionName { get; }

        public string Region { get; }

        /// <summary>The STS endpoint (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL), or null for the region's.</summary>
        public Uri? StsEndpoint { get; }

        /// <summary>How many sessions STS has handed out to this object (each refresh is one).</summary>
        public int Exchanges => exchanges;

        /// <summary>The clock (tests move it).</summary>
        internal Func<DateTimeOffset> Now { get; set; } = () => DateTimeOffset.UtcNow;

        public override ImmutableCredentials GetCredentials() => Task.Run(GetCredentialsAsync).GetAwaiter().GetResult();

        public override async Task<ImmutableCredentials> GetCredentialsAsync()
        {
            if (current is { } fresh && Now() < fresh.Expires - PreemptBy)
            {
                return fresh.Credentials;
            }

            await refreshing.WaitAsync().ConfigureAwait(false);
            try
            {
                // Another caller may have refreshed while this one waited.
                if (current is { } other && Now() < other.Expires - PreemptBy)
                {
                    return other.Credentials;
                }

                var next = await ExchangeAsync().ConfigureAwait(false);
                current = next;
                return next.Credentials;
            }
            finally
            {
                refreshing.Release();
            }
        }

        /// <summary>Forgets the session, so that the next call gets a new one (ECR said it expired).</summary>
        public void Clear() => current = null;

        /// <summary>The process's credentials for this identity, role and session name (created on first use).</summary>
        public static AzureWebIdentityCredentials For(AzureManagedIdentity identity, string roleArn, string? sessionName, string? region)
        {
            var endpoint = StsEndpointFromEnvironment();
            var key = string.Join("\n", identity.ClientId, identity.Audience, roleArn, sessionName, region, endpoint,
                Environment.GetEnvironmentVariable(AzureManagedIdentity.EndpointVariable), Environment.GetEnvironmentVariable(AzureManagedIdentity.ImdsHostVariable));
            return Sessions.GetOrAdd(key, _ => new AzureWebIdentityCredentials(identity, roleArn, sessionName, region, endpoint));
        }

        /// <summary>A role ARN as STS takes it (arn:aws…:iam::account:role/name); a clear error otherwise.</summary>
        public static string CheckRoleArn(string? roleArn)
        {
            var text = roleArn?.Trim() ?? string.Empty;
            if (!System.Text.RegularExpressions.Regex.IsMatch(text, @"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$"))
            {
                throw new ImageUpdaterException("AwsRoleArnInvalid", FailureKind.InvalidArgument,
                    $"-RoleArn '{roleArn}' is not an IAM role ARN such as arn:aws:iam::123456789012:role/image-updater.", roleArn);
            }

            return text;
        }

        private async Task<(ImmutableCredentials Credentials, DateTimeOffset Expires)> ExchangeAsync()
        {
            var token = await Identity.GetTokenAsync(identityTransport).ConfigureAwait(false);
            var config = new AmazonSecurityTokenServiceConfig { RegionEndpoint = RegionEndpoint.GetBySystemName(Region) };
            if (StsEndpoint is not null)
            {
                config.ServiceURL = StsEndpoint.ToString();
            }

            using var sts = new AmazonSecurityTokenServiceClient(new AnonymousAWSCredentials(), config);
            AssumeRoleWithWebIdentityResponse response;
            try
            {
                response = await sts.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest
                {
                    RoleArn = RoleArn,
                    RoleSessionName = SessionName,
                    WebIdentityToken = token.AccessToken,
                }).ConfigureAwait(false);
            }
            catch (AmazonSecurityTokenServiceException ex)
            {
                // STS's code and message name the cause (trust policy, audience, issuer); they never echo the token.
                throw new ImageUpdaterException("AwsWebIdentityRefused", ex.StatusCode == System.Net.HttpStatusCode.Forbidden ? FailureKind.PermissionDenied : FailureKind.AuthenticationError,
                    $"AWS STS refused the Azure managed identity token for role {RoleArn} ({ex.ErrorCode}: {ex.Message}). Check the role's trust policy: an IAM OIDC provider for https://sts.windows.net/<tenant-id>/ with audience '{Identity.Audience}' and the identity's object ID as sub.",
                    RoleArn, ex);
            }
            catch (AmazonClientException ex)
            {
                throw new ImageUpdaterException("AwsWebIdentityUnreachable", FailureKind.ConnectionError,
                    $"Could not reach AWS STS{(StsEndpoint is null ? string.Empty : " at " + StsEndpoint)} to assume {RoleArn}: {ex.Message}", RoleArn, ex);
            }

            Interlocked.Increment(ref exchanges);
            var credentials = response.Credentials;
            DateTime? expiration = credentials.Expiration;
            var expires = expiration is { } at ? new DateTimeOffset(at.ToUniversalTime()) : Now().AddMinutes(15);
            return (new ImmutableCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken), expires);
        }

        private static Uri? StsEndpointFromEnvironment()
        {
            foreach (var variable in new[] { "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL" })
            {
                var value = Environment.GetEnvironmentVariable(variable);
                if (!string.IsNullOrWhiteSpace(value) && Uri.TryCreate(value!.Trim(), UriKind.Absolute, out var url))
                {
                    return url;
                }
            }

            return null;
        }

        public override string ToString() => "Azure managed identity (" + Identity.Describe() + ") → " + RoleArn;
    }
}
