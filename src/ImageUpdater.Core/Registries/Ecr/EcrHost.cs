using System;
using System.Text.RegularExpressions;

namespace ImageUpdater.Core.Registries.Ecr
{
    /// <summary>An ECR private registry host split into account, region and partition, with the API endpoint that serves it.</summary>
    public sealed class EcrHost
    {
        // The regex of awslabs/amazon-ecr-credential-helper (ecr-login/api): account, -fips, region, DNS suffix.
        private static readonly Regex HostPattern = new Regex(
            @"^(\d{12})\.dkr[\.\-]ecr(\-fips)?\.([a-zA-Z0-9][a-zA-Z0-9-_]*)\.(amazonaws\.(?:com(?:\.cn)?|eu)|on\.(?:aws|amazonwebservices\.com\.cn)|sc2s\.sgov\.gov|c2s\.ic\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)$",
            RegexOptions.CultureInvariant);

        private EcrHost(string host, string accountId, string region, bool fips, string dnsSuffix)
        {
            Host = host;
            AccountId = accountId;
            Region = region;
            Fips = fips;
            DnsSuffix = dnsSuffix;
        }

        /// <summary>The registry host as written (lower case, no port).</summary>
        public string Host { get; }

        /// <summary>The 12-digit account: the API's registryId.</summary>
        public string AccountId { get; }

        public string Region { get; }

        public bool Fips { get; }

        /// <summary><c>amazonaws.com</c>, <c>amazonaws.com.cn</c>, <c>on.aws</c>, …</summary>
        public string DnsSuffix { get; }

        /// <summary>The ECR API endpoint for this registry's region.</summary>
        public Uri ApiEndpoint => ApiEndpointFor(Region, Fips, DnsSuffix);

        /// <summary>True for <c>&lt;account&gt;.dkr.ecr.&lt;region&gt;.amazonaws.com</c> and its variants.</summary>
        public static bool IsEcrHost(string? host) => TryParse(host, out _);

        public static bool TryParse(string? host, out EcrHost result)
        {
            result = null!;
            if (string.IsNullOrWhiteSpace(host))
            {
                return false;
            }

            var text = host!.Trim().ToLowerInvariant();
            var scheme = text.IndexOf("://", StringComparison.Ordinal);
            if (scheme >= 0)
            {
                text = text.Substring(scheme + 3);
            }

            text = text.TrimEnd('/');
            var match = HostPattern.Match(text);
            if (!match.Success)
            {
                return false;
            }

            result = new EcrHost(text, match.Groups[1].Value, match.Groups[3].Value, match.Groups[2].Success, match.Groups[4].Value);
            return true;
        }

        public static EcrHost Parse(string host) =>
            TryParse(host, out var result)
                ? result
                : throw new ImageUpdaterException("EcrHostInvalid", FailureKind.InvalidArgument,
                    $"'{host}' is not an Amazon ECR registry host; expected <account>.dkr.ecr.<region>.amazonaws.com.", host);

        /// <summary>The registry host for an account and region (<c>123456789012.dkr.ecr.eu-west-1.amazonaws.com</c>).</summary>
        public static string RegistryHost(string accountId, string region) => accountId + ".dkr.ecr." + region + "." + DnsSuffixOf(region);

        /// <summary>The API endpoint of a region, following the model's endpoint rules (FIPS in aws and aws-us-gov is special-cased).</summary>
        public static Uri ApiEndpointFor(string region, bool fips = false, string? dnsSuffix = null)
        {
            var suffix = ApiDnsSuffix(region, dnsSuffix);
            if (fips)
            {
                var standardPartition = suffix == "amazonaws.com";
                return new Uri(standardPartition ? $"https://ecr-fips.{region}.{suffix}/" : $"https://api.ecr-fips.{region}.{suffix}/");
            }

            return new Uri($"https://api.ecr.{region}.{suffix}/");
        }

        /// <summary>The partition's DNS suffix for a region name (China regions use amazonaws.com.cn).</summary>
        public static string DnsSuffixOf(string region) =>
            region.StartsWith("cn-", StringComparison.OrdinalIgnoreCase) ? "amazonaws.com.cn"
            : region.StartsWith("us-iso-", StringComparison.OrdinalIgnoreCase) ? "c2s.ic.gov"
            : region.StartsWith("us-isob-", StringComparison.OrdinalIgnoreCase) ? "sc2s.sgov.gov"
            : region.StartsWith("eu-isoe-", StringComparison.OrdinalIgnoreCase) ? "cloud.adc-e.uk"
            : region.StartsWith("us-isof-", StringComparison.OrdinalIgnoreCase) ? "csp.hci.ic.gov"
            : "amazonaws.com";

        // Dual-stack registry hosts (on.aws) have no API host of the same suffix: the API stays on the partition's suffix.
        private static string ApiDnsSuffix(string region, string? registrySuffix) =>
            registrySuffix is null || registrySuffix.StartsWith("on.", StringComparison.Ordinal)
                ? DnsSuffixOf(region)
                : registrySuffix;

        public override string ToString() => Host;
    }
}
