using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Tags;

namespace ImageUpdater.Core.Registries
{
    /// <summary>What to fetch besides tag names when listing a repository.</summary>
    public sealed class TagListOptions
    {
        public static readonly TagListOptions Default = new TagListOptions();

        /// <summary><c>os/arch[/variant]</c> wanted; non-empty means manifests are read so each tag's Platforms is known.</summary>
        public IReadOnlyList<string> Platforms { get; set; } = Array.Empty<string>();

        /// <summary>True when the strategy needs build or push times and digests (newest-build, digest); registries that list them for free ignore it.</summary>
        public bool NeedsMetadata { get; set; }

        /// <summary>The digest strategy's tracked tag: registries that read metadata per tag read it for this tag only (null = every tag).</summary>
        public string? OnlyTag { get; set; }

        /// <summary>What a listing must read for a strategy, as the strategy declares it (metadata, and the one tag it needs it for).</summary>
        /// <param name="needsTimes">A minimum age is set: every tag's push or build time is read whatever the strategy needs.</param>
        public static TagListOptions For(UpdateStrategy strategy, string? constraint, IReadOnlyList<string> platforms, bool needsTimes = false)
        {
            var needs = TagSelector.For(strategy);
            return new TagListOptions { Platforms = platforms, NeedsMetadata = needs.NeedsMetadata || needsTimes, OnlyTag = needs.OnlyTag(constraint) };
        }

        /// <summary>A key that tells option sets apart, for caches.</summary>
        public string CacheKey => (NeedsMetadata ? "m|" : "|") + string.Join(",", Platforms) + (OnlyTag is null ? string.Empty : "|" + OnlyTag);
    }

    /// <summary>A container registry that can list the tags of a repository with their metadata (ECR, OCI distribution).</summary>
    public interface IRegistryClient
    {
        /// <summary>True when this client serves the registry host (<c>123456789012.dkr.ecr.eu-west-1.amazonaws.com</c>, <c>ghcr.io</c>).</summary>
        bool Handles(string registry);

        /// <summary>Every tag of <paramref name="repository"/> on <paramref name="registry"/> (a host as written in image references; null = the client's default registry).</summary>
        /// <exception cref="ImageUpdaterException">The repository does not exist, access is denied, or the registry kept failing.</exception>
        Task<IReadOnlyList<ImageTag>> ListTagsAsync(string? registry, string repository, TagListOptions options, CancellationToken cancellationToken = default);
    }
}
