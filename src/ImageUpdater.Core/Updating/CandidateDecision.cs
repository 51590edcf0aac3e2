namespace ImageUpdater.Core.Updating
{
    /// <summary>What the planner decided for one image; set once, so no later stage recomputes it.</summary>
    public enum CandidateDecision
    {
        /// <summary>A better tag exists: write it back.</summary>
        Update,

        /// <summary>The image already runs the best tag.</summary>
        UpToDate,

        /// <summary>Not looked at: the Application's status shows the image is not running (and force-update is not set).</summary>
        Skipped,

        /// <summary>No tag qualifies (none matches the constraint, allow-tags or platforms).</summary>
        NoTag,

        /// <summary>The look-up failed; <see cref="ImageUpdateCandidate.Error"/> says why.</summary>
        Failed,
    }
}
