using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.WriteBack.Git;

namespace ImageUpdater.Core.WriteBack.Hosts
{
    /// <summary>
    /// A commit's files read through a host's API: the same questions the bare clone's tree answers (file, folder, link, bytes), one
    /// folder listing per folder asked about and one read per file, so the target rules and edits are the git path's own.
    /// </summary>
    internal sealed class HostFiles : RepositoryFiles
    {
        private readonly HostCommitApi api;
        private readonly string commit;
        private readonly CancellationToken cancellationToken;
        private readonly Dictionary<string, IReadOnlyList<HostEntry>?> folders = new Dictionary<string, IReadOnlyList<HostEntry>?>(StringComparer.Ordinal);

        public HostFiles(HostCommitApi api, string commit, CancellationToken cancellationToken)
        {
            this.api = api;
            this.commit = commit;
            this.cancellationToken = cancellationToken;
        }

        /// <summary>The entry at a '/'-separated path, or null.</summary>
        public HostEntry? Entry(string relative)
        {
            var slash = relative.LastIndexOf('/');
            var name = relative.Substring(slash + 1);
            return Folder(slash < 0 ? string.Empty : relative.Substring(0, slash))?.FirstOrDefault(e => e.Name == name);
        }

        public override bool FileExists(string root, string fullPath) => Entry(Relative(root, fullPath)) is { Kind: HostEntryKind.File };

        public override bool DirectoryExists(string root, string fullPath)
        {
            var relative = Relative(root, fullPath);
            return relative.Length == 0 || Entry(relative) is { Kind: HostEntryKind.Directory };
        }

        public override byte[]? Read(GitTarget target) =>
            Entry(target.RelativePath) is { Kind: HostEntryKind.File } entry ? api.ReadAsync(commit, target.RelativePath, entry, cancellationToken).GetAwaiter().GetResult() : null;

        /// <summary>Nothing is checked out, so no link on the path is followed, as in the bare clone.</summary>
        internal override void RefuseLinks(string root, string fullPath, string relativePath, WriteBackTarget spec, ArgoApplication application, StringComparison comparison)
        {
            var parts = relativePath.Split('/');
            for (var i = 1; i <= parts.Length; i++)
            {
                var prefix = string.Join("/", parts, 0, i);
                var entry = Entry(prefix);
                if (entry is null)
                {
                    return;
                }

                if (entry.Kind == HostEntryKind.Link || entry.Kind == HostEntryKind.Other)
                {
                    throw CommitFiles.ThroughLink(spec, application, prefix);
                }
            }
        }

        private IReadOnlyList<HostEntry>? Folder(string directory)
        {
            if (!folders.TryGetValue(directory, out var entries))
            {
                folders[directory] = entries = api.ListAsync(commit, directory, cancellationToken).GetAwaiter().GetResult();
            }

            return entries;
        }
    }
}
