using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;

namespace ImageUpdater.Emulators.GitHosts
{
    /// <summary>One entry of a stored tree, as <c>git ls-tree</c> prints it.</summary>
    public sealed record HostTreeEntry(string Mode, string Type, string Sha, string Name);

    /// <summary>A ref move the stand-in accepted, for tests: how the client moved it (e.g. "PATCH git/refs", force false).</summary>
    public sealed record HostRefUpdate(string Method, string Branch, string OldSha, string NewSha, bool Force);

    /// <summary>
    /// The real bare repository behind a host stand-in's commit, ref and file endpoints, driven by the git CLI, so tests check what
    /// was stored with git. Ref moves are compare-and-swap (<c>git update-ref new old</c>) under one lock, as a host serialises them.
    /// </summary>
    public sealed class HostRepository
    {
        public const string Zero = "0000000000000000000000000000000000000000";

        private readonly object refLock = new object();

        public HostRepository(string gitDir)
        {
            GitDir = Path.GetFullPath(gitDir);
        }

        public string GitDir { get; }

        public List<HostRefUpdate> RefUpdates { get; } = new List<HostRefUpdate>();

        /// <summary>A pending concurrent change: the next ref move of a client is preceded by this commit on the same branch.</summary>
        public (string Path, string Content)? Race { get; set; }

        public int RacesRun { get; private set; }

        public string DefaultBranch => Text("symbolic-ref", "--short", "HEAD");

        public string? Head(string branch) => TryText("rev-parse", "--verify", "-q", "refs/heads/" + branch + "^{commit}");

        public bool IsCommit(string sha) => IsSha(sha) && TryText("cat-file", "-t", sha) == "commit";

        public string TreeOf(string commit) => Text("rev-parse", commit + "^{tree}");

        public IReadOnlyList<string> Parents(string commit) => Text("rev-list", "--parents", "-n", "1", commit).Split(' ').Skip(1).ToList();

        public string CommitText(string commit) => Encoding.UTF8.GetString(Run(null, "cat-file", "commit", commit));

        /// <summary>The entries of a tree (a tree sha or commit:path), or null when there is no such tree.</summary>
        public IReadOnlyList<HostTreeEntry>? Tree(string treeish)
        {
            if (TryText("cat-file", "-t", treeish) != "tree")
            {
                return null;
            }

            return Encoding.UTF8.GetString(Run(null, "ls-tree", "-z", treeish)).Split('\0').Where(l => l.Length > 0).Select(l =>
            {
                var tab = l.IndexOf('\t');
                var head = l.Substring(0, tab).Split(' ');
                return new HostTreeEntry(head[0], head[1], head[2], l.Substring(tab + 1));
            }).ToList();
        }

        /// <summary>The entry at <paramref name="path"/> of a commit, or null.</summary>
        public HostTreeEntry? Entry(string commit, string path)
        {
            var slash = path.LastIndexOf('/');
            var parent = slash < 0 ? string.Empty : path.Substring(0, slash);
            return Tree(commit + ":" + parent)?.FirstOrDefault(e => e.Name == path.Substring(slash + 1));
        }

        public byte[]? Blob(string sha) => IsSha(sha) && TryText("cat-file", "-t", sha) == "blob" ? Run(null, "cat-file", "blob", sha) : null;

        public string WriteBlob(byte[] content) => Encoding.UTF8.GetString(Run(content, "hash-object", "-w", "--stdin")).Trim();

        /// <summary>A tree from <paramref name="baseTree"/> (null: empty) with each path set to a blob (sha null: removed).</summary>
        public string WriteTree(string? baseTree, IEnumerable<(string Path, string Mode, string? Sha)> changes)
        {
            var index = Path.Combine(Path.GetTempPath(), "hostrepo-index-" + Guid.NewGuid().ToString("N"));
            var env = new Dictionary<string, string> { ["GIT_INDEX_FILE"] = index };
            try
            {
                Run(null, env, baseTree is null ? new[] { "read-tree", "--empty" } : new[] { "read-tree", baseTree });
                foreach (var (path, mode, sha) in changes)
                {
                    Run(null, env, sha is null ? new[] { "update-index", "--force-remove", "--", path } : new[] { "update-index", "--add", "--cacheinfo", mode + "," + sha + "," + path });
                }

                return Encoding.UTF8.GetString(Run(null, env, "write-tree")).Trim();
            }
            finally
            {
                File.Delete(index);
            }
        }

        public string WriteCommit(string tree, IEnumerable<string> parents, string message, string authorName, string authorEmail, DateTimeOffset when, string committerName, string committerEmail)
        {
            var date = when.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + when.ToString("zzz", System.Globalization.CultureInfo.InvariantCulture).Replace(":", string.Empty);
            var env = new Dictionary<string, string>
            {
                ["GIT_AUTHOR_NAME"] = authorName, ["GIT_AUTHOR_EMAIL"] = authorEmail, ["GIT_AUTHOR_DATE"] = date,
                ["GIT_COMMITTER_NAME"] = committerName, ["GIT_COMMITTER_EMAIL"] = committerEmail, ["GIT_COMMITTER_DATE"] = date,
            };
            var args = new List<string> { "commit-tree", tree };
            foreach (var parent in parents)
            {
                args.Add("-p");
                args.Add(parent);
            }

            return Encoding.UTF8.GetString(Run(Encoding.UTF8.GetBytes(message), env, args.ToArray())).Trim();
        }

        public bool IsAncestor(string ancestor, string of) => TryText("merge-base", "--is-ancestor", ancestor, of) is not null;

        /// <summary>The last commit of a branch (or from a commit) that changed <paramref name="path"/> (GitLab's last_commit_id), or null.</summary>
        public string? LastCommitFor(string revision, string path, bool isCommit = false)
        {
            var sha = TryText("log", "-1", "--format=%H", isCommit ? revision : "refs/heads/" + revision, "--", path);
            return string.IsNullOrEmpty(sha) ? null : sha;
        }

        /// <summary>
        /// Moves <paramref name="branch"/> from <paramref name="expected"/> (<see cref="Zero"/>: must not exist) to <paramref name="next"/>,
        /// first running the armed race on the branch; false when the branch is not at <paramref name="expected"/> any more.
        /// </summary>
        public bool MoveRef(string method, string branch, string expected, string next, bool force = false)
        {
            lock (refLock)
            {
                RunRace(branch);
                var current = Head(branch) ?? Zero;
                if (current != expected)
                {
                    return false;
                }

                Run(null, "update-ref", "refs/heads/" + branch, next, expected);
                RefUpdates.Add(new HostRefUpdate(method, branch, expected, next, force));
                return true;
            }
        }

        /// <summary>Runs the armed race on <paramref name="branch"/> (for hosts whose write carries no expected head, like GitLab's).</summary>
        public void RunRace(string branch)
        {
            lock (refLock)
            {
                if (Race is not { } race || Head(branch) is not { } tip)
                {
                    return;
                }

                Race = null;
                RacesRun++;
                var blob = WriteBlob(Encoding.UTF8.GetBytes(race.Content));
                var tree = WriteTree(TreeOf(tip), new[] { (race.Path, "100644", (string?)blob) });
                var commit = WriteCommit(tree, new[] { tip }, "A concurrent change to " + race.Path + "\n", "Someone Else", "someone@example.com", DateTimeOffset.UtcNow, "Someone Else", "someone@example.com");
                Run(null, "update-ref", "refs/heads/" + branch, commit, tip);
            }
        }

        private static bool IsSha(string text) => text.Length == 40 && text.All(Uri.IsHexDigit);

        private string Text(params string[] args) => Encoding.UTF8.GetString(Run(null, args)).Trim();

        private string? TryText(params string[] args)
        {
            try
            {
                return Text(args);
            }
            catch (InvalidOperationException)
            {
                return null;
            }
        }

        private byte[] Run(byte[]? input, params string[] args) => Run(input, new Dictionary<string, string>(), args);

        private byte[] Run(byte[]? input, Dictionary<string, string> env, params string[] args)
        {
            var start = new ProcessStartInfo("git") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("--git-dir=" + GitDir);
            foreach (var a in args)
            {
                start.ArgumentList.Add(a);
            }

            foreach (var pair in env)
            {
                start.Environment[pair.Key] = pair.Value;
            }

            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            if (input is not null)
            {
                process.StandardInput.BaseStream.Write(input, 0, input.Length);
            }

            process.StandardInput.Close();
            using var output = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(output);
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException("git " + string.Join(" ", args) + ": " + error.Result.Trim());
            }

            return output.ToArray();
        }
    }
}
