namespace ImageUpdater.Core.Annotations
{
    /// <summary>
    /// The Helm parameters an image is written to: the helm.image-spec key alone, else the helm.image-name and helm.image-tag keys,
    /// which default to upstream's <c>image.name</c> and <c>image.tag</c>.
    /// </summary>
    public sealed class HelmImageKeys
    {
        public const string DefaultName = "image.name";

        public const string DefaultTag = "image.tag";

        private HelmImageKeys(string? spec, string name, string tag)
        {
            Spec = spec;
            Name = name;
            Tag = tag;
        }

        /// <summary>Key of a full <c>name:tag</c> value; when set, <see cref="Name"/> and <see cref="Tag"/> are not written.</summary>
        public string? Spec { get; }

        public string Name { get; }

        public string Tag { get; }

        /// <summary>The keys an image spec's annotations name, with the defaults filled in.</summary>
        public static HelmImageKeys For(ImageSpec spec) => For(spec.HelmImageSpec, spec.HelmImageName, spec.HelmImageTag);

        /// <summary>The keys given (null or empty = not given), with the defaults filled in.</summary>
        public static HelmImageKeys For(string? spec, string? name, string? tag) =>
            new HelmImageKeys(string.IsNullOrEmpty(spec) ? null : spec, string.IsNullOrEmpty(name) ? DefaultName : name!, string.IsNullOrEmpty(tag) ? DefaultTag : tag!);

        public override string ToString() => Spec ?? Name + ", " + Tag;
    }
}
