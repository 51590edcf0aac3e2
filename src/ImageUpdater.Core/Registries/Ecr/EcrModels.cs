using System;
using System.Collections.Generic;

namespace ImageUpdater.Core.Registries.Ecr
{
    /// <summary>One entry of DescribeImages: an image (one digest), its tags and what tag selection reads of it (other members are not decoded).</summary>
    public sealed class EcrImageDetail
    {
        public string? RegistryId { get; set; }

        public string? RepositoryName { get; set; }

        public string? ImageDigest { get; set; }

        public IReadOnlyList<string> ImageTags { get; set; } = Array.Empty<string>();

        public long? ImageSizeInBytes { get; set; }

        public DateTimeOffset? ImagePushedAt { get; set; }

        public string? ImageManifestMediaType { get; set; }
    }

    /// <summary>One manifest from BatchGetImage.</summary>
    public sealed class EcrManifest
    {
        public string? ImageDigest { get; set; }

        public string? ImageTag { get; set; }

        public string? MediaType { get; set; }

        /// <summary>The manifest JSON as stored.</summary>
        public string? Manifest { get; set; }
    }

    /// <summary>One repository from DescribeRepositories.</summary>
    public sealed class EcrRepository
    {
        public string? RepositoryArn { get; set; }

        public string? RegistryId { get; set; }

        public string? RepositoryName { get; set; }

        public string? RepositoryUri { get; set; }

        public DateTimeOffset? CreatedAt { get; set; }

        public string? ImageTagMutability { get; set; }
    }

    /// <summary>A registry login from GetAuthorizationToken: user <c>AWS</c> and a password valid until <see cref="ExpiresAt"/>. ToString hides the password.</summary>
    public sealed class EcrAuthorization
    {
        public EcrAuthorization(string userName, string password, DateTimeOffset? expiresAt, string? proxyEndpoint)
        {
            UserName = userName;
            Password = password;
            ExpiresAt = expiresAt;
            ProxyEndpoint = proxyEndpoint;
        }

        public string UserName { get; }

        /// <summary>The registry password; a secret, never to be written out.</summary>
        public string Password { get; }

        public DateTimeOffset? ExpiresAt { get; }

        /// <summary>The registry URL the login is for (<c>https://123456789012.dkr.ecr.eu-west-1.amazonaws.com</c>).</summary>
        public string? ProxyEndpoint { get; }

        /// <summary>The value of a Basic Authorization header (base64 of user:password).</summary>
        public string BasicToken => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(UserName + ":" + Password));

        public override string ToString() => UserName + "@" + ProxyEndpoint + " (expires " + ExpiresAt?.ToString("u") + ")";
    }
}
