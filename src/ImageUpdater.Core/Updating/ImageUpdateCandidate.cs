using System.Runtime.CompilerServices;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;

namespace ImageUpdater.Core.Updating
{
    /// <summary>The outcome of looking up one image of one application: the current and the best tag (PSTypeName ImageUpdater.ImageUpdateCandidate).</summary>
    public sealed record ImageUpdateCandidate
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

        public string? CurrentTag { get; init; }

        /// <summary>The digest that runs, when the live image or the Helm parameter shows one (the digest strategy's "old" value).</summary>
        public string? CurrentDigest { get; init; }

        /// <summary>The tag the git write-back found in the file it edited (the old tag of what it wrote).</summary>
        internal string? FileTag { get; set; }

        /// <summary>Key paths the git write-back created to override a value a merge key shares (see ImageUpdateResult.OverrideKeys).</summary>
        internal System.Collections.Generic.IReadOnlyList<string> OverrideKeys { get; set; } = System.Array.Empty<string>();

        /// <summary>Other key paths that show the written value through anchors, aliases or merge keys (see ImageUpdateResult.SharedPlaces).</summary>
        internal System.Collections.Generic.IReadOnlyList<string> SharedPlaces { get; set; } = System.Array.Empty<string>();

        /// <summary>Key paths the git write-back added to a values file that lacked them (a mistyped Helm key, say).</summary>
        internal System.Collections.Generic.IReadOnlyList<string> CreatedKeys { get; set; } = System.Array.Empty<string>();

        /// <summary>The tag being replaced: what the written file held, else what runs.</summary>
        internal string? OldTag => FileTag ?? CurrentTag;

        public string? NewTag { get; init; }

        /// <summary>OCI labels of the new image when its config was read (newest-build, digest, platforms on OCI registries); else empty. Templates' <c>.Labels</c>.</summary>
        public System.Collections.Generic.IReadOnlyDictionary<string, string> NewLabels { get; init; } = Tags.ImageTag.NoLabels;

        public string? NewDigest { get; init; }

        /// <summary>The planner's decision; every later stage reads it instead of deciding again.</summary>
        public CandidateDecision Decision { get; init; } = CandidateDecision.UpToDate;

        /// <summary>True when the decision is Update; setting it (scripts building a candidate by hand) sets the decision.</summary>
        public bool UpdateNeeded
        {
            get => Decision == CandidateDecision.Update;
            init => Decision = value ? CandidateDecision.Update : Decision == CandidateDecision.Update ? CandidateDecision.UpToDate : Decision;
        }

        /// <summary>Why this tag won, or why none did.</summary>
        public string? Reason { get; init; }

        /// <summary>The look-up failure when the decision is Failed.</summary>
        public ImageUpdaterException? Error { get; init; }

        public ImageSpec Spec { get; }

        public WriteBackSpec WriteBack => ApplicationObject.WriteBack;

        // Each candidate is one decision: two look-ups with equal values are still two candidates (results and patches key on them).
        public bool Equals(ImageUpdateCandidate? other) => ReferenceEquals(this, other);

        public override int GetHashCode() => RuntimeHelpers.GetHashCode(this);

        public override string ToString() => $"{Application} {Image}: {CurrentTag ?? "?"} -> {NewTag ?? "-"}";
    }
}
