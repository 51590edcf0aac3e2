using System;
using System.Collections.Generic;
using System.Linq;

namespace ImageUpdater.Core.Registries.Ecr
{
    /// <summary>What the SDK's default credential chain looks at, in its order, and what each source held: one line per source for "No AWS credentials".</summary>
    public static class AwsCredentialChain
    {
        public static IReadOnlyList<string> Tried()
        {
            static bool Set(string name) => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name));
            static string Which(params string[] names) => string.Join(", ", names.Where(Set).DefaultIfEmpty("none set"));

            var profile = Environment.GetEnvironmentVariable("AWS_PROFILE");
            var profileName = string.IsNullOrEmpty(profile) ? "default" : profile!;
            var files = AwsSharedProfiles.Files();
            var found = AwsSharedProfiles.Names().Contains(profileName, StringComparer.Ordinal);
            var metadata = string.Equals(Environment.GetEnvironmentVariable("AWS_EC2_METADATA_DISABLED"), "true", StringComparison.OrdinalIgnoreCase)
                ? "turned off by AWS_EC2_METADATA_DISABLED"
                : "no instance role answered";
            return new[]
            {
                "parameters -Credential, -AccessKey/-SecretKey, -ProfileName: none given",
                "environment AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: " + Which("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
                $"shared profile '{profileName}' in {string.Join(" and ", files)}: " + (found ? "found, but it gave no credentials (expired SSO login? run 'aws sso login')" : "not found"),
                "web identity AWS_WEB_IDENTITY_TOKEN_FILE/AWS_ROLE_ARN: " + Which("AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"),
                "container credentials AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI: " + Which("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"),
                "EC2 instance metadata: " + metadata,
            };
        }
    }
}
