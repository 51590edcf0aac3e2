namespace ImageUpdater.Core.Registries.Oci
{
    /// <summary>Manifest and config media types of the OCI image spec and Docker's schema 2.</summary>
    public static class OciMediaTypes
    {
        public const string OciIndex = "application/vnd.oci.image.index.v1+json";
        public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
        public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
        public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
        public const string OciConfig = "application/vnd.oci.image.config.v1+json";
        public const string DockerConfig = "application/vnd.docker.container.image.v1+json";

        /// <summary>Schema 1 is left out so registries do not down-convert.</summary>
        public static readonly string[] Accepted = { OciIndex, DockerManifestList, OciManifest, DockerManifest };

        public static bool IsIndex(string? mediaType) => mediaType == OciIndex || mediaType == DockerManifestList;
    }
}
