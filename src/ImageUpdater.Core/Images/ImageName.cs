using System;
using System.Collections.Generic;
using System.Linq;

namespace ImageUpdater.Core.Images
{
    /// <summary>
    /// Image names (<c>[registry/]repository</c>, no tag or digest) compared the way registries resolve them:
    /// a Docker Hub host and <c>library/</c> name nothing more than the bare name.
    /// </summary>
    public static class ImageName
    {
        /// <summary>The registry a name without one means.</summary>
        public const string DockerHub = "docker.io";

        /// <summary>The hosts that all serve Docker Hub.</summary>
        public static readonly IReadOnlyList<string> DockerHubHosts = new[] { DockerHub, "index.docker.io", "registry-1.docker.io" };

        private const string Library = "library/";

        /// <summary>True when <paramref name="registry"/> is null (nothing written) or one of <see cref="DockerHubHosts"/>.</summary>
        public static bool IsDockerHub(string? registry) =>
            registry is null || DockerHubHosts.Contains(registry, StringComparer.OrdinalIgnoreCase);

        /// <summary>A first path element names a registry only when it has a '.' or a ':' or is <c>localhost</c> (<c>bitnami/nginx</c> is a Docker Hub path).</summary>
        public static bool IsRegistry(string firstElement) =>
            firstElement.IndexOf('.') >= 0 || firstElement.IndexOf(':') >= 0 || firstElement == "localhost";

        /// <summary>Splits a name into its registry (null when none is written) and repository path.</summary>
        public static string? RegistryOf(string name, out string repository)
        {
            var text = name.Trim();
            var slash = text.IndexOf('/');
            if (slash > 0 && IsRegistry(text.Substring(0, slash)))
            {
                repository = text.Substring(slash + 1);
                return text.Substring(0, slash);
            }

            repository = text;
            return null;
        }

        /// <summary>The repository as the registry API names it: a single Docker Hub name gains <c>library/</c>.</summary>
        public static string ApiRepository(string? registry, string repository) =>
            IsDockerHub(registry) && repository.IndexOf('/') < 0 ? Library + repository : repository;

        /// <summary>The fully written name: <c>docker.io/library/nginx</c> for <c>nginx</c>; the registry host in lower case.</summary>
        public static string Canonical(string name)
        {
            var registry = RegistryOf(name, out var repository);
            return IsDockerHub(registry)
                ? DockerHub + "/" + ApiRepository(null, repository)
                : registry!.ToLowerInvariant() + "/" + repository;
        }

        /// <summary>The name as people write it: Docker Hub host and <c>library/</c> dropped (<c>nginx</c>, <c>bitnami/nginx</c>); any other registry stays (<c>localhost:5000/image</c>).</summary>
        public static string ShortFormOf(string name)
        {
            var registry = RegistryOf(name, out var repository);
            if (!IsDockerHub(registry))
            {
                return registry + "/" + repository;
            }

            return repository.StartsWith(Library, StringComparison.Ordinal) && repository.IndexOf('/', Library.Length) < 0
                ? repository.Substring(Library.Length)
                : repository;
        }

        /// <summary>True when both names resolve to the same image (<c>nginx</c>, <c>library/nginx</c>, <c>docker.io/library/nginx</c>, <c>registry-1.docker.io/nginx</c>).</summary>
        public static bool SameImage(string? a, string? b) =>
            a is not null && b is not null && string.Equals(Canonical(a), Canonical(b), StringComparison.Ordinal);

        /// <summary>
        /// True when both names are the same repository path (a Docker Hub <c>library/</c> prefix ignored) and either both write the same
        /// registry or one writes none: <c>library/foobar</c> and <c>gcr.io/library/foobar</c> are one kustomize images entry, as upstream matches them.
        /// </summary>
        public static bool SameRepository(string? a, string? b)
        {
            if (a is null || b is null)
            {
                return false;
            }

            var registryA = RegistryOf(a, out var pathA);
            var registryB = RegistryOf(b, out var pathB);
            if (!string.Equals(WithoutLibrary(pathA), WithoutLibrary(pathB), StringComparison.Ordinal))
            {
                return false;
            }

            return registryA is null || registryB is null || SameImage(a, b);
        }

        private static string WithoutLibrary(string path) =>
            path.StartsWith(Library, StringComparison.Ordinal) && path.IndexOf('/', Library.Length) < 0 ? path.Substring(Library.Length) : path;
    }
}
