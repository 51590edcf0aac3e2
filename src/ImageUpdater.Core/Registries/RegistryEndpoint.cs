using System;

namespace ImageUpdater.Core.Registries
{
    /// <summary>How a registry orders its tag list when metadata is not fetched (registries.conf <c>tagsortmode</c>).</summary>
    // 64-bit on purpose: PowerShell's ConvertTo-Json writes such enums by name ("Status": "Updated"), not as a number.
    public enum TagSortMode : long
    {
        None,
        LatestFirst,
        LatestLast,
    }

    /// <summary>One registry as registries.conf describes it (or as built in / inferred from an image's host).</summary>
    public sealed class RegistryEndpoint
    {
        public RegistryEndpoint(string name, string apiUrl)
        {
            Name = name;
            ApiUrl = apiUrl.TrimEnd('/');
        }

        public string Name { get; }

        /// <summary><c>https://host[:port]</c> without a trailing slash.</summary>
        public string ApiUrl { get; }

        /// <summary>The image prefix this entry serves (<c>ghcr.io</c>, <c>registry.example.com/team</c>); empty for a catch-all.</summary>
        public string Prefix { get; set; } = string.Empty;

        public CredentialSource? Credentials { get; set; }

        /// <summary>How long fetched credentials stay valid; null = for the whole session.</summary>
        public TimeSpan? CredentialsExpire { get; set; }

        /// <summary>Skip TLS certificate checks.</summary>
        public bool Insecure { get; set; }

        /// <summary>Certificate authorities trusted for this registry besides the system's (ca_file, ca_data); null = the system's only. Ignored when <see cref="Insecure"/>.</summary>
        public RegistryTrust? Trust { get; set; }

        /// <summary>Namespace for single-component names (<c>library</c> on Docker Hub).</summary>
        public string? DefaultNamespace { get; set; }

        /// <summary>The registry of images written without a registry host.</summary>
        public bool IsDefault { get; set; }

        /// <summary>Requests per second over all calls to this registry; 0 = unlimited.</summary>
        public double Limit { get; set; }

        public TagSortMode TagSortMode { get; set; }

        /// <summary>Whether to call <c>/v2/</c> before the first request.</summary>
        public bool Ping { get; set; } = true;

        /// <summary>Line of the entry in its registries.conf, 0 when built in.</summary>
        public int Line { get; set; }

        /// <summary>Docker Hub as built in upstream: registry-1.docker.io, namespace library, 10 requests/s.</summary>
        public static RegistryEndpoint DockerHub() => new RegistryEndpoint("Docker Hub", "https://registry-1.docker.io")
        {
            Prefix = "docker.io",
            DefaultNamespace = "library",
            IsDefault = true,
            Limit = 10,
        };

        /// <summary>An endpoint for a host no entry names: https, or http for loopback hosts (as Docker treats them), 20 requests/s.</summary>
        public static RegistryEndpoint Inferred(string host)
        {
            var name = host;
            var colon = name.LastIndexOf(':');
            var bare = colon > 0 && name.IndexOf(']') < colon ? name.Substring(0, colon) : name;
            bare = bare.Trim('[', ']');
            var loopback = bare == "localhost" || bare.StartsWith("127.", StringComparison.Ordinal) || bare == "::1";
            return new RegistryEndpoint(host, (loopback ? "http://" : "https://") + host) { Prefix = host, Limit = 20 };
        }

        public override string ToString() => Name + " (" + ApiUrl + ")";
    }
}
