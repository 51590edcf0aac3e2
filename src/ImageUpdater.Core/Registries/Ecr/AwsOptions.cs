using System;
using System.Linq;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;

namespace ImageUpdater.Core.Registries.Ecr
{
    /// <summary>
    /// Which AWS credentials, region and endpoint to use. Credentials: <see cref="Credentials"/>, else access/secret keys, else
    /// <see cref="ProfileName"/>, else the SDK's default chain. Region: the image host, <see cref="Region"/>, AWS_REGION,
    /// AWS_DEFAULT_REGION, the profile's region. ToString never shows a secret.
    /// </summary>
    public sealed class AwsOptions
    {
        public AWSCredentials? Credentials { get; set; }

        public string? AccessKey { get; set; }

        public string? SecretKey { get; set; }

        public string? SessionToken { get; set; }

        public string? ProfileName { get; set; }

        /// <summary>Path of a non-default shared credentials file, or null for ~/.aws/credentials (AWS_SHARED_CREDENTIALS_FILE is honoured by the SDK).</summary>
        public string? ProfilesLocation { get; set; }

        public string? Region { get; set; }

        /// <summary>Get credentials from this Azure managed identity through STS AssumeRoleWithWebIdentity (with <see cref="RoleArn"/>).</summary>
        public AzureManagedIdentity? AzureIdentity { get; set; }

        /// <summary>The IAM role the Azure identity's token is exchanged for (else AWS_ROLE_ARN).</summary>
        public string? RoleArn { get; set; }

        /// <summary>The STS session name (else AWS_ROLE_SESSION_NAME, else ImageUpdater.PS): it shows in CloudTrail.</summary>
        public string? RoleSessionName { get; set; }

        /// <summary>The ECR API endpoint to call instead of api.ecr.&lt;region&gt;… (VPC endpoints, emulators); wins over the environment.</summary>
        public Uri? EndpointUrl { get; set; }

        /// <summary>
        /// The ECR endpoint to call and where it came from: <see cref="EndpointUrl"/>, then the SDKs' AWS_ENDPOINT_URL_ECR, then
        /// AWS_ENDPOINT_URL; null when none is set (the regional endpoint).
        /// </summary>
        public (Uri? Url, string Source) ResolveEndpoint()
        {
            if (EndpointUrl is not null)
            {
                return (EndpointUrl, "-EndpointUrl");
            }

            foreach (var variable in new[] { "AWS_ENDPOINT_URL_ECR", "AWS_ENDPOINT_URL" })
            {
                var value = Environment.GetEnvironmentVariable(variable);
                if (string.IsNullOrWhiteSpace(value))
                {
                    continue;
                }

                if (!Uri.TryCreate(value!.Trim(), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
                {
                    throw new ImageUpdaterException("EndpointUrlInvalid", FailureKind.InvalidArgument,
                        $"{variable} '{value}' is not an absolute http(s) URL such as https://api.ecr.eu-west-1.amazonaws.com: correct or unset it.", variable);
                }

                return (url, variable);
            }

            return (null, "the region");
        }

        /// <summary>The credentials to sign with and where they came from (for -Verbose).</summary>
        public (AWSCredentials Credentials, string Source) ResolveCredentials()
        {
            if (Credentials is not null && AzureIdentity is not null)
            {
                throw new ImageUpdaterException("AwsCredentialSourcesConflict", FailureKind.InvalidArgument, "Give -Credential or -AzureManagedIdentity, not both.");
            }

            if (Credentials is not null)
            {
                return (Credentials, "the -Credential object (" + Credentials.GetType().Name + ")");
            }

            if (AzureIdentity is not null)
            {
                return FromAzureIdentity(AzureIdentity);
            }

            if (!string.IsNullOrEmpty(RoleArn))
            {
                throw new ImageUpdaterException("AwsRoleArnWithoutIdentity", FailureKind.InvalidArgument,
                    "-RoleArn is the role an Azure managed identity's token is exchanged for: add -AzureManagedIdentity (for other web identities set AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN).", RoleArn);
            }

            if (!string.IsNullOrEmpty(AccessKey) || !string.IsNullOrEmpty(SecretKey))
            {
                if (string.IsNullOrEmpty(AccessKey) || string.IsNullOrEmpty(SecretKey))
                {
                    throw new ImageUpdaterException("AwsKeysIncomplete", FailureKind.InvalidArgument,
                        "Give both -AccessKey and -SecretKey (and -SessionToken for temporary credentials), or neither.");
                }

                return string.IsNullOrEmpty(SessionToken)
                    ? (new BasicAWSCredentials(AccessKey, SecretKey), "-AccessKey/-SecretKey")
                    : (new SessionAWSCredentials(AccessKey, SecretKey, SessionToken), "-AccessKey/-SecretKey/-SessionToken");
            }

            if (!string.IsNullOrEmpty(ProfileName))
            {
                if (Profiles().TryGetAWSCredentials(ProfileName, out var fromProfile))
                {
                    return (fromProfile, "profile '" + ProfileName + "'");
                }

                throw ProfileNotFound() ?? new ImageUpdaterException("AwsProfileWithoutCredentials", FailureKind.AuthenticationError,
                    $"The AWS profile '{ProfileName}' gave no credentials: check it with 'aws configure list --profile {ProfileName}' (or run 'aws sso login --profile {ProfileName}').",
                    ProfileName);
            }

            try
            {
                var chained = DefaultAWSCredentialsIdentityResolver.GetCredentials();
                return (chained, "the AWS default chain (" + chained.GetType().Name + ")");
            }
            catch (Exception ex) when (ex is AmazonClientException || ex is InvalidOperationException)
            {
                // One line per source tried instead of the SDK's own messages, which name sources the user never configured.
                throw new ImageUpdaterException("AwsCredentialsNotFound", FailureKind.AuthenticationError,
                    "No AWS credentials were found: pass -ProfileName, -AccessKey/-SecretKey, -Credential or -AzureManagedIdentity with -RoleArn, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run 'aws configure' / 'aws sso login'. Tried:"
                    + string.Concat(AwsCredentialChain.Tried().Select(line => Environment.NewLine + "  " + line)),
                    null, ex);
            }
        }

        private (AWSCredentials Credentials, string Source) FromAzureIdentity(AzureManagedIdentity identity)
        {
            if (!string.IsNullOrEmpty(AccessKey) || !string.IsNullOrEmpty(SecretKey) || !string.IsNullOrEmpty(ProfileName))
            {
                throw new ImageUpdaterException("AwsCredentialSourcesConflict", FailureKind.InvalidArgument,
                    "-AzureManagedIdentity gets its own AWS session: leave out -AccessKey/-SecretKey and -ProfileName.");
            }

            var role = !string.IsNullOrWhiteSpace(RoleArn) ? RoleArn : Environment.GetEnvironmentVariable("AWS_ROLE_ARN");
            if (string.IsNullOrWhiteSpace(role))
            {
                throw new ImageUpdaterException("AwsRoleArnMissing", FailureKind.InvalidArgument,
                    "-AzureManagedIdentity needs the IAM role to assume: pass -RoleArn arn:aws:iam::<account>:role/<name> or set AWS_ROLE_ARN.");
            }

            var session = !string.IsNullOrWhiteSpace(RoleSessionName) ? RoleSessionName : Environment.GetEnvironmentVariable("AWS_ROLE_SESSION_NAME");
            var region = !string.IsNullOrWhiteSpace(Region) ? Region : Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION");
            var credentials = AzureWebIdentityCredentials.For(identity, AzureWebIdentityCredentials.CheckRoleArn(role), session, region);
            return (credentials, credentials.ToString());
        }

        /// <summary>The region to call: the image host's region, then -Region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region.</summary>
        public (string Region, string Source) ResolveRegion(string? hostRegion = null)
        {
            // A mistyped profile is the first thing to say, before a region it would have given is missed.
            if (ProfileNotFound() is { } missing)
            {
                throw missing;
            }

            // The image's own host wins, as for docker pull; -Region is the default for bare repository names.
            if (!string.IsNullOrWhiteSpace(hostRegion))
            {
                return (hostRegion!, "the registry host");
            }

            if (!string.IsNullOrWhiteSpace(Region))
            {
                return (Region!.Trim(), "-Region");
            }

            foreach (var variable in new[] { "AWS_REGION", "AWS_DEFAULT_REGION" })
            {
                var value = Environment.GetEnvironmentVariable(variable);
                if (!string.IsNullOrWhiteSpace(value))
                {
                    return (value!.Trim(), variable);
                }
            }

            var profileName = !string.IsNullOrEmpty(ProfileName) ? ProfileName! : Environment.GetEnvironmentVariable("AWS_PROFILE") ?? "default";
            if (Profiles().TryGetProfile(profileName, out var profile) && profile.Region is not null)
            {
                return (profile.Region.SystemName, "profile '" + profileName + "'");
            }

            throw new ImageUpdaterException("AwsRegionMissing", FailureKind.InvalidArgument,
                "No AWS region is known: pass -Region, use a full registry host (<account>.dkr.ecr.<region>.amazonaws.com/<repository>), set AWS_REGION, or set a region in your AWS profile.");
        }

        /// <summary>An error naming the profiles there are, when -ProfileName names none of them; else null.</summary>
        private ImageUpdaterException? ProfileNotFound()
        {
            if (string.IsNullOrEmpty(ProfileName) || Profiles().TryGetProfile(ProfileName, out _))
            {
                return null;
            }

            var names = AwsSharedProfiles.Names(ProfilesLocation);
            return new ImageUpdaterException("AwsProfileNotFound", FailureKind.ObjectNotFound,
                $"The AWS profile '{ProfileName}' does not exist; profiles found: {(names.Count == 0 ? "none" : string.Join(", ", names))} (in {string.Join(" and ", AwsSharedProfiles.Files(ProfilesLocation))}). Create it with 'aws configure --profile {ProfileName}'.",
                ProfileName);
        }

        private CredentialProfileStoreChain Profiles() =>
            ProfilesLocation is null ? new CredentialProfileStoreChain() : new CredentialProfileStoreChain(ProfilesLocation);

        public override string ToString() =>
            (Credentials is not null ? "credential object" : AzureIdentity is not null ? "Azure managed identity" : AccessKey is not null ? "access key" : ProfileName is not null ? "profile " + ProfileName : "default chain")
            + (Region is null ? string.Empty : ", " + Region)
            + (EndpointUrl is null ? string.Empty : ", " + EndpointUrl);
    }
}
