using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ImageUpdater.Core.WriteBack.Hosts
{
    /// <summary>What a name in a stored folder is.</summary>
    internal enum HostEntryKind
    {
        File,
        Directory,
        Link,
        Other,
    }

    /// <summary>One entry of a folder at a commit: its name, kind, object id and git mode (when the host tells it).</summary>
    internal sealed class HostEntry
    {
        public HostEntry(string name, HostEntryKind kind, string id, string? mode)
        {
            Name = name;
            Kind = kind;
            Id = id;
            Mode = mode;
        }

        public string Name { get; }

        public HostEntryKind Kind { get; }

        public string Id { get; }

        public string? Mode { get; }
    }

    /// <summary>One file of a commit to create: its new bytes, and whether it is new (else its entry at the parent commit).</summary>
    internal sealed class HostFileChange
    {
        public HostFileChange(string path, byte[] content, HostEntry? existing)
        {
            Path = path;
            Content = content;
            Existing = existing;
        }

        public string Path { get; }

        public byte[] Content { get; }

        public HostEntry? Existing { get; }
    }

    /// <summary>A commit to create on <see cref="Branch"/> from <see cref="Parent"/>: a new branch when <see cref="NewBranch"/>.</summary>
    internal sealed class HostCommit
    {
        public HostCommit(string branch, string parent, bool newBranch, IReadOnlyList<HostFileChange> changes, string message, string authorName, string authorEmail, DateTimeOffset when)
        {
            Branch = branch;
            Parent = parent;
            NewBranch = newBranch;
            Changes = changes;
            Message = message;
            AuthorName = authorName;
            AuthorEmail = authorEmail;
            When = when;
        }

        public string Branch { get; }

        public string Parent { get; }

        public bool NewBranch { get; }

        public IReadOnlyList<HostFileChange> Changes { get; }

        public string Message { get; }

        public string AuthorName { get; }

        public string AuthorEmail { get; }

        public DateTimeOffset When { get; }
    }

    /// <summary>
    /// A commit through a Git host's API without a clone: the branch head, a folder's entries and a file's bytes at a commit, and a
    /// commit that moves the branch only from the head it was built on (the host's compare-and-swap). One class per host.
    /// </summary>
    internal abstract class HostCommitApi
    {
        protected HostCommitApi(GitHostApi api)
        {
            Api = api;
        }

        public GitHostApi Api { get; }

        /// <summary>The permission a token needs to commit, as the host names it.</summary>
        public abstract string WritePermission { get; }

        /// <summary>The permission a token needs to read the repository.</summary>
        public abstract string ReadPermission { get; }

        /// <summary>Whether the host signs the commits its API creates (GitHub's web-flow key marks them Verified).</summary>
        public virtual bool SignsCommits => false;

        public static HostCommitApi For(GitHostApi api) => api.Endpoint.Kind switch
        {
            GitHostKind.GitHub => new GitHubCommitApi(api),
            GitHostKind.GitLab => new GitLabCommitApi(api),
            _ => new AzureDevOpsCommitApi(api),
        };

        public abstract Task<string> DefaultBranchAsync(CancellationToken cancellationToken);

        /// <summary>The commit <paramref name="branch"/> points at, or null when there is no such branch.</summary>
        public abstract Task<string?> HeadAsync(string branch, CancellationToken cancellationToken);

        /// <summary>The entries of the folder <paramref name="directory"/> ('/'-separated, empty for the root) at <paramref name="commit"/>; null when it is no folder.</summary>
        public abstract Task<IReadOnlyList<HostEntry>?> ListAsync(string commit, string directory, CancellationToken cancellationToken);

        /// <summary>The bytes of the file <paramref name="path"/> (its <paramref name="entry"/>) at <paramref name="commit"/>, as stored.</summary>
        public abstract Task<byte[]> ReadAsync(string commit, string path, HostEntry entry, CancellationToken cancellationToken);

        /// <summary>Creates the commit and moves its branch; the new commit's id, or null when the branch moved since <see cref="HostCommit.Parent"/> (re-read and re-apply).</summary>
        public abstract Task<string?> CommitAsync(HostCommit commit, CancellationToken cancellationToken);

        /// <summary>A path for a URL: each segment escaped, '/' kept.</summary>
        protected static string Escaped(string path) => string.Join("/", Array.ConvertAll(path.Split('/'), Uri.EscapeDataString));

        protected static bool Says(GitHostApiException e, params string[] needles)
        {
            foreach (var needle in needles)
            {
                if (e.Message.IndexOf(needle, StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
