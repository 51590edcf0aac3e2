using System;
using System.Collections.Generic;

namespace ImageUpdater.Core.Annotations
{
    /// <summary>The annotation keys Argo CD Image Updater reads (prefix <c>argocd-image-updater.argoproj.io/</c>), plus our per-application extensions.</summary>
    public static class AnnotationKeys
    {
        public const string Prefix = "argocd-image-updater.argoproj.io/";

        public const string ImageList = "image-list";
        public const string UpdateStrategy = "update-strategy";
        public const string AllowTags = "allow-tags";
        public const string TagMatch = "tag-match";
        public const string IgnoreTags = "ignore-tags";
        public const string ForceUpdate = "force-update";
        public const string PullSecret = "pull-secret";
        public const string Platforms = "platforms";

        /// <summary>Our extension (upstream ignores it): how old a tag must be before it is chosen.</summary>
        public const string MinAge = "min-age";

        /// <summary>Our extension (upstream ignores it): <c>false</c> ignores hand changes in git, <c>true</c> or <c>until &lt;date&gt;</c> holds the image.</summary>
        public const string Hold = "hold";
        public const string HelmImageName = "helm.image-name";
        public const string HelmImageTag = "helm.image-tag";
        public const string HelmImageSpec = "helm.image-spec";
        public const string KustomizeImageName = "kustomize.image-name";
        public const string WriteBackMethod = "write-back-method";
        public const string WriteBackTarget = "write-back-target";
        public const string GitBranch = "git-branch";
        public const string GitBranchDotted = "git.branch";
        public const string GitRepository = "git-repository";
        public const string GitCommitMessage = "git.commit-message";
        public const string GitUser = "git.user";
        public const string GitEmail = "git.email";
        public const string GitCommitSigningKey = "git.commit-signing-key";
        public const string GitCommitSigningMethod = "git.commit-signing-method";
        public const string GitCommitSignOff = "git.commit-sign-off";

        /// <summary>Our extension: <c>true</c> opens or updates a pull request from the write branch into the base branch after the push.</summary>
        public const string GitPullRequest = "git.pull-request";

        /// <summary>Options that may follow an alias (<c>&lt;alias&gt;.&lt;option&gt;</c>).</summary>
        public static readonly IReadOnlyList<string> PerImageOptions = new[]
        {
            UpdateStrategy, AllowTags, TagMatch, IgnoreTags, ForceUpdate, PullSecret, Platforms, MinAge, Hold,
            HelmImageName, HelmImageTag, HelmImageSpec, KustomizeImageName,
        };

        /// <summary>Keys valid without an alias.</summary>
        public static readonly ISet<string> ApplicationKeys = new HashSet<string>(StringComparer.Ordinal)
        {
            ImageList, UpdateStrategy, AllowTags, TagMatch, IgnoreTags, ForceUpdate, PullSecret, MinAge, Hold,
            WriteBackMethod, WriteBackTarget, GitBranch, GitBranchDotted, GitRepository, GitCommitMessage, GitUser, GitEmail,
            GitCommitSigningKey, GitCommitSigningMethod, GitCommitSignOff, GitPullRequest,
        };
    }
}
