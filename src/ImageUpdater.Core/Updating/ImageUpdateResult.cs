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
    }

    /// <summary>What a write-back did for one image (PSTypeName ImageUpdater.ImageUpdateResult).</summary>
    public sealed class ImageUpdateResult
    {
        public string? Application { get; set; }

        public string? Alias { get; set; }

        public string? Image { get; set; }

        public string? OldTag { get; set; }

        public string? NewTag { get; set; }

        /// <summary><c>git</c>, <c>argocd</c> or <c>file</c>.</summary>
        public string? Method { get; set; }

        public string? Repository { get; set; }

        public string? Branch { get; set; }

        /// <summary>The file (or Application field) written.</summary>
        public string? Target { get; set; }

        /// <summary>Commit sha, for git write-back.</summary>
        public string? Commit { get; set; }

        public UpdateStatus Status { get; set; }

        public string? Message { get; set; }

        /// <summary>Unified diff of the change (files) or the JSON patch (argocd).</summary>
        public string? Diff { get; set; }

        public override string ToString() => $"{Application} {Image} {OldTag} -> {NewTag}: {Status}";
    }
}
