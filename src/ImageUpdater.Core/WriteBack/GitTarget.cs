using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Updating;

namespace ImageUpdater.Core.WriteBack
{
    /// <summary>The file a git write-back edits for one application, resolved inside a checkout.</summary>
    public sealed class GitTarget
    {
        public GitTarget(WriteBackTargetKind kind, string relativePath, string fullPath, ArgoApplication application)
        {
            Kind = kind;
            RelativePath = relativePath;
            FullPath = fullPath;
            Application = application;
        }

        public WriteBackTargetKind Kind { get; }

        /// <summary>Path from the repository root with '/' separators (what the commit shows).</summary>
        public string RelativePath { get; }

        public string FullPath { get; }

        public ArgoApplication Application { get; }

        public override string ToString() => RelativePath;

        /// <summary>
        /// Resolves an application's write-back target inside a checkout: relative to the source path, '/'-rooted from the repository root.
        /// A path that leaves the repository or enters .git throws (InvalidArgument) before anything is written. What exists is looked up
        /// in <paramref name="files"/> (a commit's tree for the bare clone cache); <paramref name="repositoryRoot"/> then only names the files.
        /// </summary>
        public static GitTarget Resolve(string repositoryRoot, ArgoApplication application, ApplicationSource? source, RepositoryFiles files, IReadOnlyList<string>? allowedProtectedPaths = null)
        {
            var spec = application.WriteBack.Target;
            var sourcePath = source?.Path ?? string.Empty;
            string path;
            switch (spec.Kind)
            {
                case WriteBackTargetKind.HelmValues:
                    path = spec.Path ?? "values.yaml";
                    break;
                case WriteBackTargetKind.Kustomization:
                    path = spec.Path ?? ".";
                    break;
                case WriteBackTargetKind.File:
                    path = spec.Path ?? throw new ImageUpdaterException("WriteBackTargetEmpty", FailureKind.InvalidArgument, $"Application '{application.QualifiedName}' has an empty write-back-target.", application);
                    break;
                default:
                    path = DefaultSourceFileName(application);
                    break;
            }

            var root = Path.GetFullPath(repositoryRoot).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            var relative = RepositoryPath.Resolve(spec.RelativeTo(sourcePath), path);
            var full = relative is null ? null : relative.Length == 0 ? root : Path.GetFullPath(Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar)));
            var comparison = RuntimeIsCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            if (full is null || (!full.StartsWith(root + Path.DirectorySeparatorChar, comparison) && !string.Equals(full, root, comparison)))
            {
                // RepositoryPath is the rule; the full-path check only guards against the platform reading the joined path differently.
                throw new ImageUpdaterException("WriteBackTargetOutsideRepository", FailureKind.InvalidArgument, $"The write-back target '{spec}' of application '{application.QualifiedName}' resolves outside the repository; write a path inside it (relative to the source path '{sourcePath}', or '/'-rooted from the repository root).", application);
            }

            if (spec.Kind == WriteBackTargetKind.Kustomization && (files.DirectoryExists(root, full) || string.Equals(full, root, comparison) || Path.GetExtension(full).Length == 0 && !files.FileExists(root, full)))
            {
                // A kustomization target names a folder; use the kustomization file it holds.
                full = KustomizationTarget.FileNames.Select(n => Path.Combine(full, n)).FirstOrDefault(f => files.FileExists(root, f)) ?? Path.Combine(full, KustomizationTarget.FileNames[0]);
            }

            var relativeFull = RepositoryFiles.Relative(root, full);
            if (relativeFull.Length == 0 || relativeFull.Split('/').Any(s => string.Equals(s, ".git", StringComparison.OrdinalIgnoreCase)))
            {
                throw new ImageUpdaterException("WriteBackTargetInvalid", FailureKind.InvalidArgument, $"The write-back target '{spec}' of application '{application.QualifiedName}' does not name a file of the repository's working tree.", application);
            }

            if (ProtectedPaths.Problem(relativeFull, allowedProtectedPaths) is { } protectedPath)
            {
                throw new ImageUpdaterException("WriteBackTargetProtected", FailureKind.SecurityError, $"The write-back target '{spec}' of application '{application.QualifiedName}' is refused: {protectedPath}. If this file is meant to be updated, the operator can allow it (-AllowProtectedPath '{relativeFull}').", application);
            }

            files.RefuseLinks(root, full, relativeFull, spec, application, comparison);
            var real = files.RealPath(root, full);
            if (!string.Equals(real, full, comparison))
            {
                // A link inside the checkout: the file it points to is edited and committed, under its own path and rules.
                if (!real.StartsWith(root + Path.DirectorySeparatorChar, comparison))
                {
                    throw new ImageUpdaterException("WriteBackTargetOutsideRepository", FailureKind.InvalidArgument, $"The write-back target '{spec}' of application '{application.QualifiedName}' is a symbolic link that leads outside the repository.", application);
                }

                var realRelative = RepositoryFiles.Relative(root, real);
                if (realRelative.Split('/').Any(s => string.Equals(s, ".git", StringComparison.OrdinalIgnoreCase)))
                {
                    throw new ImageUpdaterException("WriteBackTargetInvalid", FailureKind.InvalidArgument, $"The write-back target '{spec}' of application '{application.QualifiedName}' is a symbolic link into .git.", application);
                }

                if (ProtectedPaths.Problem(realRelative, allowedProtectedPaths) is { } linkedProtected)
                {
                    throw new ImageUpdaterException("WriteBackTargetProtected", FailureKind.SecurityError, $"The write-back target '{spec}' of application '{application.QualifiedName}' links to a refused file: {linkedProtected}.", application);
                }

                return new GitTarget(spec.Kind, realRelative, real, application);
            }

            return new GitTarget(spec.Kind, relativeFull, full, application);
        }

        /// <summary>Upstream's default file: <c>.argocd-source-&lt;app&gt;.yaml</c>, or <c>&lt;namespace&gt;_&lt;app&gt;</c> for applications outside the argocd namespace.</summary>
        public static string DefaultSourceFileName(ArgoApplication application) =>
            string.IsNullOrEmpty(application.Namespace) || application.Namespace == "argocd"
                ? ".argocd-source-" + application.Name + ".yaml"
                : ".argocd-source-" + application.Namespace + "_" + application.Name + ".yaml";

        private static bool RuntimeIsCaseInsensitive => Path.DirectorySeparatorChar == '\\';
    }

    /// <summary>Where a target's files are looked up: the working tree on disk, or a commit's tree (the bare clone cache has no working tree).</summary>
    public abstract class RepositoryFiles
    {
        /// <summary>The files on disk under the repository root.</summary>
        public static RepositoryFiles WorkingTree { get; } = new WorkingTreeFiles();

        /// <summary>True when <paramref name="fullPath"/> (under <paramref name="root"/>) is a file.</summary>
        public abstract bool FileExists(string root, string fullPath);

        /// <summary>True when <paramref name="fullPath"/> (under <paramref name="root"/>) is a folder.</summary>
        public abstract bool DirectoryExists(string root, string fullPath);

        /// <summary>The target's current bytes, or null when there is no such file.</summary>
        public abstract byte[]? Read(GitTarget target);

        /// <summary>The path with symbolic links resolved (links already checked by <see cref="RefuseLinks"/>); a commit's tree has none to follow.</summary>
        public virtual string RealPath(string root, string fullPath) => fullPath;

        /// <summary>Throws (InvalidArgument) when a symbolic link on the target's path must not be followed.</summary>
        internal abstract void RefuseLinks(string root, string fullPath, string relativePath, WriteBackTarget spec, ArgoApplication application, StringComparison comparison);

        /// <summary>The '/'-separated path of <paramref name="fullPath"/> from <paramref name="root"/>; empty for the root itself.</summary>
        internal static string Relative(string root, string fullPath) =>
            fullPath.Length > root.Length ? fullPath.Substring(root.Length + 1).Replace(Path.DirectorySeparatorChar, '/') : string.Empty;

        private sealed class WorkingTreeFiles : RepositoryFiles
        {
            public override bool FileExists(string root, string fullPath) => File.Exists(fullPath);

            public override bool DirectoryExists(string root, string fullPath) => Directory.Exists(fullPath);

            public override byte[]? Read(GitTarget target) => File.Exists(target.FullPath) ? Yaml.YamlEditor.ReadBytes(target.FullPath) : null;

            public override string RealPath(string root, string fullPath)
            {
#if NET8_0_OR_GREATER
                // The deepest link first, again until none is left (RefuseLinks has checked each stays inside the repository).
                for (var hops = 0; hops < 40; hops++)
                {
                    var link = fullPath;
                    FileSystemInfo? info = null;
                    for (; link.Length > root.Length; link = Path.GetDirectoryName(link)!)
                    {
                        info = Directory.Exists(link) ? new DirectoryInfo(link) : new FileInfo(link);
                        if (info.Exists && info.LinkTarget is not null)
                        {
                            break;
                        }
                    }

                    if (link.Length <= root.Length || info?.ResolveLinkTarget(returnFinalTarget: true)?.FullName is not { } resolved)
                    {
                        return fullPath;
                    }

                    fullPath = resolved + fullPath.Substring(link.Length);
                }

                return fullPath;
#else
                _ = root;
                return IO.AtomicFile.LinkTarget(fullPath);
#endif
            }

            /// <summary>A link in the checkout may point inside the repository, never outside it.</summary>
            internal override void RefuseLinks(string root, string fullPath, string relativePath, WriteBackTarget spec, ArgoApplication application, StringComparison comparison)
            {
#if NET8_0_OR_GREATER
                // A symbolic link in the checkout must not carry the write outside the repository.
                for (var current = fullPath; current.Length > root.Length; current = Path.GetDirectoryName(current)!)
                {
                    FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
                    if (info.Exists && info.LinkTarget is not null)
                    {
                        var resolved = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName;
                        if (resolved is null || !resolved.StartsWith(root + Path.DirectorySeparatorChar, comparison))
                        {
                            throw new ImageUpdaterException("WriteBackTargetOutsideRepository", FailureKind.InvalidArgument, $"The write-back target '{spec}' of application '{application.QualifiedName}' goes through the symbolic link '{current.Substring(root.Length + 1)}', which points outside the repository.", application);
                        }
                    }
                }
#else
                _ = root;
                _ = fullPath;
                _ = spec;
                _ = application;
                _ = comparison;
#endif
            }
        }
    }

    /// <summary>Computes a target file's new content from its current content; the YAML write-back targets implement it.</summary>
    public interface IGitTargetEditor
    {
        /// <summary>Returns the new bytes (equal to <paramref name="content"/> when nothing changes); <paramref name="content"/> is null when the file does not exist. Bytes, so BOMs and line endings survive.</summary>
        byte[] Edit(GitTarget target, byte[]? content, IReadOnlyList<ImageUpdateCandidate> changes);

        /// <summary>The tag <paramref name="content"/> holds at the key the edit of <paramref name="candidate"/> writes, or null (the hand-change history reads old versions this way).</summary>
        string? ValueOf(GitTarget target, byte[] content, ImageUpdateCandidate candidate);
    }
}
