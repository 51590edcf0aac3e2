using System;
using System.Management.Automation;
using System.Reflection;
using System.Security;
using Amazon.Runtime;
using ImageUpdater.Core;
using ImageUpdater.Core.Registries.Ecr;
using ImageUpdater.PS.Completion;

namespace ImageUpdater.PS
{
    /// <summary>
    /// The credential, region and endpoint parameters every AWS cmdlet shares (named as AWS Tools for PowerShell names them).
    /// </summary>
    public abstract class AwsCmdletBase : ImageUpdaterCmdlet
    {
        /// <summary>A named profile of the shared credentials/config files.</summary>
        [Parameter]
        [Alias("StoredCredentials")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(AwsProfileCompleter))]
        public string? ProfileName { get; set; }

        /// <summary>Another shared credentials file than ~/.aws/credentials.</summary>
        [Parameter]
        [Alias("AWSProfilesLocation", "ProfilesLocation")]
        [ValidateNotNullOrEmpty]
        public string? ProfileLocation { get; set; }

        [Parameter]
        [Alias("AK")]
        [ValidateNotNullOrEmpty]
        public string? AccessKey { get; set; }

        [Parameter]
        [Alias("SK")]
        [ValidateNotNull]
        [SecureStringTransformation]
        public SecureString? SecretKey { get; set; }

        [Parameter]
        [Alias("ST")]
        [ValidateNotNull]
        [SecureStringTransformation]
        public SecureString? SessionToken { get; set; }

        /// <summary>An AWSCredentials object (e.g. from AWS Tools' Get-AWSCredential or New-AWSCredential).</summary>
        [Parameter]
        [ValidateNotNull]
        [AwsCredentialsTransformation]
        public AWSCredentials? Credential { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(AwsRegionCompleter))]
        public string? Region { get; set; }

        /// <summary>The ECR API endpoint to call instead of https://api.ecr.&lt;region&gt;.amazonaws.com (VPC endpoints, emulators).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? EndpointUrl { get; set; }

        /// <summary>Sign with a session of -RoleArn got for the Azure managed identity's Entra ID token (no stored AWS secret).</summary>
        [Parameter]
        public SwitchParameter AzureManagedIdentity { get; set; }

        /// <summary>Client ID of a user-assigned managed identity (implies -AzureManagedIdentity); default: the system-assigned one.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? AzureClientId { get; set; }

        /// <summary>The resource/audience of the Entra ID token: what the AWS IAM OIDC provider trusts; default api://AzureADTokenExchange.</summary>
        [Parameter]
        [Alias("AzureResource")]
        [ValidateNotNullOrEmpty]
        public string? AzureAudience { get; set; }

        /// <summary>The IAM role the Azure identity's token is exchanged for (default: AWS_ROLE_ARN).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? RoleArn { get; set; }

        /// <summary>The STS session name, shown in CloudTrail (default: AWS_ROLE_SESSION_NAME, else ImageUpdater.PS).</summary>
        [Parameter]
        [ValidatePattern(@"^[\w+=,.@-]{2,64}$")]
        public string? RoleSessionName { get; set; }

        /// <summary>The AWS settings from the parameters; secrets are read out of their SecureStrings only here.</summary>
        protected internal AwsOptions GetAwsOptions()
        {
            Uri? endpoint = null;
            if (EndpointUrl is not null && !Uri.TryCreate(EndpointUrl, UriKind.Absolute, out endpoint))
            {
                ThrowFailure(new ImageUpdaterException("EndpointUrlInvalid", FailureKind.InvalidArgument, $"-EndpointUrl '{EndpointUrl}' is not an absolute URL such as https://api.ecr.eu-west-1.amazonaws.com.", EndpointUrl));
            }

            var shell = !HasCredentialParameters ? StoredCredentials() : null;
            return new AwsOptions
            {
                Credentials = Credential ?? shell,
                AccessKey = AccessKey,
                SecretKey = SecretText.ToPlainText(SecretKey),
                SessionToken = SecretText.ToPlainText(SessionToken),
                ProfileName = ProfileName,
                ProfilesLocation = ProfileLocation is null ? null : GetUnresolvedProviderPathFromPSPath(ProfileLocation),
                Region = Region ?? StoredRegion(),
                EndpointUrl = endpoint,
                AzureIdentity = UsesAzureIdentity ? new AzureManagedIdentity(AzureClientId, AzureAudience) : null,
                RoleArn = RoleArn,
                RoleSessionName = RoleSessionName,
            };
        }

        private bool UsesAzureIdentity => AzureManagedIdentity.IsPresent || AzureClientId is not null || AzureAudience is not null;

        private bool HasCredentialParameters => Credential is not null || AccessKey is not null || SecretKey is not null || ProfileName is not null || UsesAzureIdentity;

        /// <summary>AWS Tools' shell default from Set-DefaultAWSRegion ($StoredAWSRegion), after -Region and before the environment.</summary>
        private string? StoredRegion()
        {
            var value = SessionState.PSVariable.GetValue("StoredAWSRegion");
            var text = (value is PSObject pso ? pso.BaseObject : value)?.ToString();
            return string.IsNullOrWhiteSpace(text) ? null : text;
        }

        /// <summary>AWS Tools' shell credentials from Set-AWSCredential ($StoredAWSCredentials, whose Credentials property holds the AWSCredentials), used when no credential parameter is given.</summary>
        private AWSCredentials? StoredCredentials()
        {
            var value = SessionState.PSVariable.GetValue("StoredAWSCredentials");
            if (value is null)
            {
                return null;
            }

            var inner = PSObject.AsPSObject(value).Properties["Credentials"]?.Value ?? value;
            return AwsCredentialsTransformationAttribute.Convert(inner) as AWSCredentials;
        }
    }

    /// <summary>
    /// Accepts an AWSCredentials made by another copy of AWSSDK.Core (AWS.Tools in PowerShell 7's default load context): its
    /// keys are read through reflection into credentials of our own copy. Refreshing credentials are read once.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class AwsCredentialsTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) => Convert(inputData);

        internal static object? Convert(object? inputData)
        {
            var value = inputData is PSObject pso ? pso.BaseObject : inputData;
            if (value is null || value is AWSCredentials)
            {
                return value;
            }

            if (value is PSCredential)
            {
                // -Credential is the AWS one on every AWS cmdlet; a registry user and password has its own parameter.
                throw new ArgumentTransformationMetadataException("-Credential takes AWS credentials (Get-AWSCredential, New-AWSCredential); pass a registry user and password or token with -RegistryCredential.");
            }

            if (!IsForeignCredentials(value.GetType()))
            {
                return value;
            }

            var immutable = value.GetType().GetMethod("GetCredentials", BindingFlags.Public | BindingFlags.Instance, null, Type.EmptyTypes, null)?.Invoke(value, null);
            if (immutable is null)
            {
                return value;
            }

            string? Read(string name) => immutable.GetType().GetProperty(name)?.GetValue(immutable) as string;
            var access = Read("AccessKey");
            var secret = Read("SecretKey");
            var token = Read("Token");
            if (string.IsNullOrEmpty(access) || string.IsNullOrEmpty(secret))
            {
                return value;
            }

            return string.IsNullOrEmpty(token) ? new BasicAWSCredentials(access, secret) : new SessionAWSCredentials(access, secret, token);
        }

        private static bool IsForeignCredentials(Type type)
        {
            for (var t = type; t is not null; t = t.BaseType)
            {
                if (t.FullName == typeof(AWSCredentials).FullName)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
