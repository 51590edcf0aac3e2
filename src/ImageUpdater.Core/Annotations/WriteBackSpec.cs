namespace ImageUpdater.Core.Annotations
{
    /// <summary>How an application's new tags are persisted.</summary>
    // 64-bit on purpose: PowerShell's ConvertTo-Json writes such enums by name ("Status": "Updated"), not as a number.
    public enum WriteBackMethod : long
    {
        /// <summary>Update the Application through the Argo CD API (upstream default).</summary>
        Argocd,

        /// <summary>Commit the change to the application's Git repository.</summary>
        Git,
    }

    /// <summary>The file a git write-back edits.</summary>
    // 64-bit on purpose: PowerShell's ConvertTo-Json writes such enums by name ("Status": "Updated"), not as a number.
    public enum WriteBackTargetKind : long
    {
        /// <summary><c>.argocd-source-&lt;app&gt;.yaml</c> in the source path (upstream default).</summary>
        ArgoCDSource,

        /// <summary>A Helm values file (<c>helmvalues[:path]</c>).</summary>
        HelmValues,

        /// <summary>A kustomization (<c>kustomization[:path]</c>).</summary>
        Kustomization,

        /// <summary>Any other value: a file path from the repository root, used verbatim (upstream backward compatibility).</summary>
        File,
    }

    /// <summary>Where a git write-back writes: a kind and a path (PSTypeName ImageUpdater.WriteBackTarget).</summary>
    public sealed class WriteBackTarget
    {
        public WriteBackTarget(WriteBackTargetKind kind, string? path)
        {
            Kind = kind;
            Path = path;
        }

        public WriteBackTargetKind Kind { get; }

        /// <summary>Path as written: relative to the source path, or repository-rooted when it starts with '/'. Null = the kind's default.</summary>
        public string? Path { get; }

        /// <summary>The folder <see cref="Path"/> is read from: the source path, except for a bare file path (no kind prefix), which upstream reads from the repository root.</summary>
        public string? RelativeTo(string? sourcePath) => Kind == WriteBackTargetKind.File ? null : sourcePath;

        public override string ToString() => Kind switch
        {
            WriteBackTargetKind.HelmValues => Path is null ? "helmvalues" : "helmvalues:" + Path,
            WriteBackTargetKind.Kustomization => Path is null ? "kustomization" : "kustomization:" + Path,
            WriteBackTargetKind.File => Path ?? string.Empty,
            _ => Path ?? ".argocd-source",
        };
    }

    /// <summary>How a write-back commit is signed (upstream's git.commit-signing-method).</summary>
    // 64-bit on purpose: PowerShell's ConvertTo-Json writes such enums by name.
    public enum CommitSigningMethod : long
    {
        /// <summary>GnuPG: the key is a key ID, fingerprint or user ID of the operator's keyring (GNUPGHOME).</summary>
        OpenPgp,

        /// <summary>SSH signatures (ssh-keygen -Y sign): the key is the path of a private key file.</summary>
        Ssh,
    }

    /// <summary>An application's write-back settings (PSTypeName ImageUpdater.WriteBackSpec).</summary>
    public sealed class WriteBackSpec
    {
        public WriteBackMethod Method { get; set; } = WriteBackMethod.Argocd;

        /// <summary>For git: <c>repocreds</c> or <c>secret:ns/name</c>.</summary>
        public string? Credentials { get; set; }

        public WriteBackTarget Target { get; set; } = new WriteBackTarget(WriteBackTargetKind.ArgoCDSource, null);

        /// <summary>Branch to check out (empty = the source's targetRevision).</summary>
        public string? BaseBranch { get; set; }

        /// <summary>Branch to push to, a template over .Images and .SHA256; null = the base branch.</summary>
        public string? WriteBranch { get; set; }

        /// <summary>Repository override (<c>git-repository</c>).</summary>
        public string? Repository { get; set; }

        /// <summary>The repository override as shown (views, messages): user information and token parameters masked.</summary>
        public string? ShownRepository() => Security.UrlRedaction.Redact(Repository);

        /// <summary>Commit message template (<c>git.commit-message</c>), null = upstream's default.</summary>
        public string? CommitMessage { get; set; }

        public string? AuthorName { get; set; }

        public string? AuthorEmail { get; set; }

        /// <summary><c>git.commit-signing-key</c>: honoured only when the operator allowed that key (our extension; upstream has it controller-wide).</summary>
        public string? SigningKey { get; set; }

        /// <summary><c>git.commit-signing-method</c> (openpgp | ssh); null = the operator's.</summary>
        public CommitSigningMethod? SigningMethod { get; set; }

        /// <summary><c>git.commit-sign-off</c>; null = the operator's.</summary>
        public bool? SignOff { get; set; }

        /// <summary><c>git.pull-request</c> (our extension; the ImageUpdater resource's gitConfig.pullRequest maps to it); null = the operator's -PullRequest.</summary>
        public bool? PullRequest { get; set; }

        public override string ToString() => Method == WriteBackMethod.Argocd
            ? "argocd"
            : "git" + (Credentials is null ? string.Empty : ":" + Credentials) + " → " + Target;
    }
}
