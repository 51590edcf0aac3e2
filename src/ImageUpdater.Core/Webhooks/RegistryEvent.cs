using System;

namespace ImageUpdater.Core.Webhooks
{
    // 64-bit on purpose: PowerShell's ConvertTo-Json writes such enums by name, not as a number.
    /// <summary>Who sent a registry webhook.</summary>
    public enum RegistryProvider : long
    {
        DockerHub,
        GitHub,
        Harbor,
        Quay,
        AzureContainerRegistry,
        AmazonEcr,
        CloudEvents,
    }

    /// <summary>One image pushed, as a registry webhook told it (PSTypeName ImageUpdater.RegistryEvent); complete or never made.</summary>
    public sealed record RegistryEvent
    {
        public RegistryEvent(RegistryProvider provider, string registry, string repository, string? tag, string? digest, DateTimeOffset? pushedAt)
        {
            Provider = provider;
            Registry = registry;
            Repository = repository;
            Tag = tag;
            Digest = digest;
            PushedAt = pushedAt;
        }

        public RegistryProvider Provider { get; }

        /// <summary>The registry host (with port), lower case: <c>docker.io</c>, <c>ghcr.io</c>, <c>123456789012.dkr.ecr.eu-west-1.amazonaws.com</c>.</summary>
        public string Registry { get; }

        /// <summary>The repository path inside the registry, as its API names it (<c>library/nginx</c> on Docker Hub).</summary>
        public string Repository { get; }

        /// <summary>The tag pushed; null for a push by digest only.</summary>
        public string? Tag { get; }

        /// <summary>The manifest digest pushed, when the provider sends it (Docker Hub and Quay do not).</summary>
        public string? Digest { get; }

        /// <summary>When the registry says the push happened (UTC); null when the provider does not say.</summary>
        public DateTimeOffset? PushedAt { get; }

        /// <summary>The Azure Automation webhook that delivered it, when it came as $WebhookData.</summary>
        public string? WebhookName { get; init; }

        /// <summary>The pushed image as a reference: <c>registry/repository[:tag][@digest]</c> (what <c>Invoke-ImageUpdater -Image</c> takes).</summary>
        public string Image => Registry + "/" + Repository + (Tag is null ? string.Empty : ":" + Tag) + (Digest is null ? string.Empty : "@" + Digest);

        public override string ToString() => Image;
    }
}
