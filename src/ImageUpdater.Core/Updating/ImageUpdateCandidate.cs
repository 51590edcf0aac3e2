using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;

namespace ImageUpdater.Core.Updating
{
    /// <summary>The outcome of looking up one image of one application: the current and the best tag (PSTypeName ImageUpdater.ImageUpdateCandidate).</summary>
    public sealed class ImageUpdateCandidate
    {
        public ImageUpdateCandidate(ArgoApplication application, ImageSpec spec)
        {
            ApplicationObject = application;
            Spec = spec;
        }

        /// <summary>Application name.</summary>
        public string Application => ApplicationObject.Name;

        public ArgoApplication ApplicationObject { get; }

        public string? Alias => Spec.Alias;

        /// <summary>registry/repository.</summary>
        public string Image => Spec.Image;

        public string? CurrentTag { get; set; }

        public string? NewTag { get; set; }

        public string? NewDigest { get; set; }

        public bool UpdateNeeded { get; set; }

        /// <summary>Why this tag won, or why none did.</summary>
        public string? Reason { get; set; }

        public ImageSpec Spec { get; }

        public WriteBackSpec WriteBack => ApplicationObject.WriteBack;

        public override string ToString() => $"{Application} {Image}: {CurrentTag ?? "?"} -> {NewTag ?? "-"}";
    }
}
