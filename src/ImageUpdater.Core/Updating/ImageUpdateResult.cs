using ImageUpdater.Core.Annotations;

namespace ImageUpdater.Core.Updating
{
    // 64-bit on purpose: PowerShell's ConvertTo-Json writes such enums by name ("Status": "Updated"), not as a number.
    public enum UpdateStatus : long
    {
        Updated,
        Unchanged,
        WhatIf,
        Failed,
        Skipped,

        /// <summary>No tag qualifies (allow-tags, ignore-tags, the constraint or the platforms reject every tag): nothing written, and a warning says why.</summary>
        NoTag,

        /// <summary>Not written: a person changed the value by hand (backwards or away from the chosen tag), or the hold annotation holds it; the message says who, when and how to release it.</summary>
        Held,
    }

    /// <summary>What a write-back did for one image (PSTypeName ImageUpdater.ImageUpdateResult).</summary>
    public sealed record ImageUpdateResult
    {
        public string? Application { get; init; }

        public string? Alias { get; init; }

        public string? Image { get; init; }

        public string? OldTag { get; init; }

        /// <summary>The tag written (or to write), without a digest: the same text on every write-back path.</summary>
        public string? NewTag { get; init; }

        /// <summary><c>sha256:…</c> written with the tag (digest strategy), else null.</summary>
        public string? NewDigest { get; init; }

        /// <summary><c>git</c>, <c>argocd</c> or <c>file</c>.</summary>
        public string? Method { get; init; }

        public string? Repository { get; init; }

        public string? Branch { get; init; }

        /// <summary>The file (or Application field) written.</summary>
        public string? Target { get; init; }

        /// <summary>Commit sha, for git write-back.</summary>
        public string? Commit { get; init; }

        /// <summary>The URL of the pull (merge) request opened or updated for the write branch (-PullRequest, git.pull-request), else null.</summary>
        public string? PullRequest { get; init; }

        public UpdateStatus Status { get; init; }

        public string? Message { get; init; }

        /// <summary>Key paths the write added to the file because it lacked them (a mistyped helm.image-tag, say); empty when every key existed.</summary>
        public System.Collections.Generic.IReadOnlyList<string> CreatedKeys { get; init; } = System.Array.Empty<string>();

        /// <summary>Key paths the write created in the application's mapping to override a value a merge key (<c>&lt;&lt;: *defaults</c>) shares.</summary>
        public System.Collections.Generic.IReadOnlyList<string> OverrideKeys { get; init; } = System.Array.Empty<string>();

        /// <summary>Other key paths that show the value through an anchor, alias or merge key: changed with it, or (with <see cref="OverrideKeys"/>) left as they were.</summary>
        public System.Collections.Generic.IReadOnlyList<string> SharedPlaces { get; init; } = System.Array.Empty<string>();

        /// <summary>Unified diff of the change (files) or the JSON patch (argocd).</summary>
        public string? Diff { get; init; }

        /// <summary>The one candidate-to-result mapping; <paramref name="method"/> null means the application's write-back method.</summary>
        public static ImageUpdateResult For(ImageUpdateCandidate candidate, string? method, UpdateStatus status, string message) => new ImageUpdateResult
        {
            Application = candidate.Application,
            Alias = candidate.Alias,
            Image = candidate.Image,
            OldTag = candidate.OldTag,
            NewTag = candidate.NewTag,
            NewDigest = string.IsNullOrEmpty(candidate.NewDigest) ? null : candidate.NewDigest,
            Method = method ?? MethodOf(candidate),
            Status = status,
            Message = message,
        };

        /// <summary>The result of a candidate that needs nothing written: Skipped, Failed, NoTag or Unchanged as the planner decided, with its reason.</summary>
        public static ImageUpdateResult Settled(ImageUpdateCandidate candidate, string? method = null) => For(candidate, method, candidate.Decision switch
        {
            CandidateDecision.Skipped => UpdateStatus.Skipped,
            CandidateDecision.Failed => UpdateStatus.Failed,
            CandidateDecision.NoTag => UpdateStatus.NoTag,
            _ => UpdateStatus.Unchanged,
        }, candidate.Reason ?? "No update needed.");

        /// <summary><c>git</c> or <c>argocd</c>, from the application's write-back method.</summary>
        public static string MethodOf(ImageUpdateCandidate candidate) => candidate.WriteBack.Method == WriteBackMethod.Argocd ? "argocd" : "git";

        public override string ToString() => $"{Application} {Image} {OldTag} -> {NewTag}: {Status}";
    }
}
