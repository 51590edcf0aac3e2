using System;
using System.IO;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using LibGit2Sharp;

namespace ImageUpdater.Core.WriteBack.Git
{
    /// <summary>A commit's files, as the bare clone cache sees them.</summary>
    internal sealed class CommitFiles : RepositoryFiles
    {
        private readonly Tree tree;

        public CommitFiles(Tree tree)
        {
            this.tree = tree;
        }

        public override bool FileExists(string root, string fullPath) => tree[Relative(root, fullPath)] is { } entry && entry.TargetType == TreeEntryTargetType.Blob && entry.Mode != Mode.SymbolicLink;

        public override bool DirectoryExists(string root, string fullPath)
        {
            var relative = Relative(root, fullPath);
            return relative.Length == 0 || tree[relative]?.TargetType == TreeEntryTargetType.Tree;
        }

        /// <summary>The commit is not checked out, so no link on the path is followed, wherever it points.</summary>
        internal override void RefuseLinks(string root, string fullPath, string relativePath, WriteBackTarget spec, ArgoApplication application, StringComparison comparison)
        {
            if (LinkOnPath(relativePath) is { } link)
            {
                throw ThroughLink(spec, application, link);
            }
        }

        /// <summary>A target whose path goes through a link of a commit that is not checked out (here or through a host's API).</summary>
        internal static ImageUpdaterException ThroughLink(WriteBackTarget spec, ArgoApplication application, string link) =>
            new ImageUpdaterException("WriteBackTargetThroughLink", FailureKind.InvalidArgument, $"The write-back target '{spec}' of application '{application.QualifiedName}' goes through the symbolic link '{link}' in the repository; the write-back does not follow links: name the file the link points to.", application);

        /// <summary>The target's bytes as committed (no filters), or null when the commit has no such file.</summary>
        public override byte[]? Read(GitTarget target)
        {
            if (tree[target.RelativePath] is not { } entry || entry.TargetType != TreeEntryTargetType.Blob || entry.Mode == Mode.SymbolicLink)
            {
                return null;
            }

            using var stream = ((Blob)entry.Target).GetContentStream();
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            return buffer.ToArray();
        }

        private string? LinkOnPath(string relativePath)
        {
            var parts = relativePath.Split('/');
            for (var i = 1; i <= parts.Length; i++)
            {
                var prefix = string.Join("/", parts, 0, i);
                var entry = tree[prefix];
                if (entry is null || entry.TargetType != TreeEntryTargetType.Blob && entry.TargetType != TreeEntryTargetType.Tree)
                {
                    return entry is null ? null : prefix;
                }

                if (entry.Mode == Mode.SymbolicLink)
                {
                    return prefix;
                }
            }

            return null;
        }
    }
}
