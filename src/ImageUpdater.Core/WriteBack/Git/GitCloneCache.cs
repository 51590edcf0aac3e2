using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using LibGit2Sharp;

namespace ImageUpdater.Core.WriteBack.Git
{
    /// <summary>
    /// The bare clone of one repository URL in the cache folder, held under a lock file for as long as this object lives: opened and
    /// checked (refs to missing objects removed, a clone of another URL or a damaged one recreated, partial packs of an interrupted
    /// fetch deleted), with ssh configured and an in-memory object database on top for what a write-back builds.
    /// </summary>
    internal sealed class GitCloneCache : IDisposable
    {
        public const string Remote = "origin";

        /// <summary>Pushes go through this remote: it has no fetch refspec, so a push never moves a remote-tracking ref to a commit that lives only in memory.</summary>
        public const string PushRemote = "imageupdater-push";

        public static readonly string[] FetchRefSpecs = { "+refs/heads/*:refs/remotes/origin/*" };

        private readonly CacheLock cacheLock;
        private readonly SshAgent? agent;

        private GitCloneCache(CacheLock cacheLock, Repository repository, MemoryObjectBackend memory, string? sshOutput, SshAgent? agent)
        {
            this.cacheLock = cacheLock;
            this.agent = agent;
            Repository = repository;
            Memory = memory;
            SshOutput = sshOutput;
        }

        public Repository Repository { get; }

        /// <summary>The in-memory object database on top of the cache's own, where a write-back's new objects go.</summary>
        public MemoryObjectBackend Memory { get; }

        /// <summary>The file ssh's messages go to (read when a network call fails); null when the URL is not ssh.</summary>
        public string? SshOutput { get; }

        /// <summary>Locks, opens (or creates) and checks the cache of <paramref name="url"/>; the lock is released when opening fails.</summary>
        public static GitCloneCache Open(GitWriteBackOptions options, string url, GitCredentials credentials, GitWriteBackStatistics statistics)
        {
            GitConfigPaths.RestrictForCloneCache();
            var root = options.WorkingDirectory ?? GitWriteBackOptions.DefaultWorkingDirectory;
            Directory.CreateDirectory(root);
            var directory = Path.Combine(root, CacheName(url));
            var cacheLock = CacheLock.Acquire(directory + ".lock", options.CancellationToken);
            Repository? repo = null;
            SshAgent? agent = null;
            try
            {
                SshCommand.Check(credentials);
                repo = OpenOrCreate(directory, url, options, statistics);
                string? sshOutput = null;
                if (RepositoryUrl.IsSsh(url))
                {
                    sshOutput = SshCommand.Configure(repo, credentials, options.Timeout, options.Warning, out agent);
                }
                else
                {
                    SshCommand.Clear(repo);
                }

                var memory = new MemoryObjectBackend();
                repo.ObjectDatabase.AddBackend(memory, MemoryObjectBackend.Priority);
                return new GitCloneCache(cacheLock, repo, memory, sshOutput, agent);
            }
            catch
            {
                agent?.Dispose();
                repo?.Dispose();
                cacheLock.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            agent?.Dispose();
            Repository.Dispose();
            cacheLock.Dispose();
        }

        /// <summary>A cache folder name that a person can recognise and that two URLs never share.</summary>
        internal static string CacheName(string url)
        {
            var readable = new string(Security.UrlRedaction.Redact(url)!.Select(c => char.IsLetterOrDigit(c) || c == '-' || c == '.' ? c : '_').ToArray()).Trim('_');
            if (readable.Length > 40)
            {
                readable = readable.Substring(readable.Length - 40);
            }

            using var sha = SHA256.Create();
            var hash = string.Concat(sha.ComputeHash(Encoding.UTF8.GetBytes(url)).Take(6).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
            return readable + "-" + hash;
        }

        private static Repository OpenOrCreate(string directory, string url, GitWriteBackOptions options, GitWriteBackStatistics statistics)
        {
            if (Directory.Exists(directory))
            {
                Repository? repo = null;
                try
                {
                    repo = new Repository(directory);
                    if (repo.Info.IsBare && repo.Network.Remotes[Remote]?.Url == url)
                    {
                        Repair(repo, url, directory, options);
                        EnsurePushRemote(repo, url);
                        options.Verbose?.Invoke($"Using the cached clone of {url} in {directory}.");
                        return repo;
                    }

                    if (repo.Info.IsBare)
                    {
                        options.Warning?.Invoke($"The cached clone in {directory} is not a clone of {url}; recreating it.");
                    }
                    else
                    {
                        // Earlier versions kept a checkout here; the cache is bare now (nothing is checked out).
                        options.Verbose?.Invoke($"The cached clone of {url} in {directory} has a working tree (an earlier version's); recreating it bare.");
                    }
                }
                catch (LibGit2SharpException e)
                {
                    options.Warning?.Invoke($"The cached clone of {url} in {directory} cannot be opened ({e.Message}); recreating it.");
                }

                repo?.Dispose();
                DeleteDirectory(directory);
            }

            options.Verbose?.Invoke($"Cloning {url} into {directory}.");
            CreateBare(directory, url);
            statistics.Clone();
            return new Repository(directory);
        }

        /// <summary>
        /// Lays out an empty bare repository with its whole config written at once (both remotes included): Repository.Init would copy
        /// templates, probe the file system and write the config in several lock-and-rename rounds, then the remotes in more.
        /// HEAD is written last, so an interrupted creation is not a repository and is recreated on the next open.
        /// </summary>
        internal static void CreateBare(string directory, string url)
        {
            if (url.IndexOfAny(new[] { '\n', '\r', '\0' }) >= 0)
            {
                throw GitErrors.Error("GitRepositoryUnknown", "The repository URL contains a line break or NUL character; it cannot be a git URL.", Security.UrlRedaction.Redact(url)!);
            }

            foreach (var folder in new[] { "objects/info", "objects/pack", "refs/heads", "refs/tags" })
            {
                Directory.CreateDirectory(Path.Combine(directory, folder));
            }

            var windows = System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows);
            var quoted = "\"" + url.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
            var config = new StringBuilder()
                .Append("[core]\n\trepositoryformatversion = 0\n\tfilemode = ").Append(windows ? "false" : "true").Append("\n\tbare = true\n")
                .Append(windows ? "\tsymlinks = false\n\tignorecase = true\n" : string.Empty)
                .Append("[remote \"").Append(Remote).Append("\"]\n\turl = ").Append(quoted).Append("\n\tfetch = ").Append(FetchRefSpecs[0]).Append('\n')
                .Append("[remote \"").Append(PushRemote).Append("\"]\n\turl = ").Append(quoted).Append('\n');
            File.WriteAllText(Path.Combine(directory, "config"), config.ToString());
            File.WriteAllText(Path.Combine(directory, "HEAD"), "ref: refs/heads/main\n");
        }

        /// <summary>
        /// Makes an interrupted run harmless: deletes the partial pack of a killed fetch and every ref whose object is missing (a local branch
        /// left by an earlier version's push, a tracking ref moved to an in-memory commit); the next fetch brings back what is needed.
        /// A tip whose tree cannot be read means damaged objects: that throws, and the cache is recreated.
        /// </summary>
        private static void Repair(Repository repo, string url, string directory, GitWriteBackOptions options)
        {
            var pack = Path.Combine(repo.Info.Path, "objects", "pack");
            if (Directory.Exists(pack))
            {
                foreach (var file in Directory.EnumerateFiles(pack))
                {
                    var name = Path.GetFileName(file);
                    if (name.StartsWith("pack_git2_", StringComparison.Ordinal) || name.StartsWith("tmp_", StringComparison.Ordinal))
                    {
                        // Under the cache lock no fetch is writing: this is a killed one's partial pack.
                        File.Delete(file);
                    }
                }
            }

            // A damaged HEAD or ref store throws here: then the cache is recreated.
            _ = repo.Head.Tip;
            foreach (var reference in repo.Refs.ToList())
            {
                if (reference.ResolveToDirectReference() is not { } direct)
                {
                    continue;
                }

                var local = reference.CanonicalName.StartsWith("refs/heads/", StringComparison.Ordinal);
                var id = new ObjectId(direct.TargetIdentifier);
                if (local || !repo.ObjectDatabase.Contains(id))
                {
                    // The cache builds on remote-tracking refs only; a local branch is an earlier version's leftover.
                    if (!local)
                    {
                        options.Warning?.Invoke($"The cached clone of {url} in {directory} had {reference.CanonicalName} pointing at a missing commit ({id.Sha.Substring(0, 12)}, left by an interrupted run); removed it, the fetch brings it back.");
                    }

                    repo.Refs.Remove(reference);
                    continue;
                }

                _ = repo.Lookup<Commit>(id)?.Tree.Count;
            }
        }

        private static void EnsurePushRemote(Repository repo, string url)
        {
            var push = repo.Network.Remotes[PushRemote];
            if (push is not null && push.Url == url && !push.FetchRefSpecs.Any())
            {
                // Only when needed: every configuration write is a lock file and a rename.
                return;
            }

            if (push is not null)
            {
                repo.Network.Remotes.Remove(PushRemote);
            }

            repo.Network.Remotes.Add(PushRemote, url, FetchRefSpecs[0]);
            repo.Network.Remotes.Update(PushRemote, r => r.FetchRefSpecs.Clear());
        }

        private static void DeleteDirectory(string directory)
        {
            // Git object files are read-only on Windows.
            foreach (var file in Directory.GetFiles(directory, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(file, FileAttributes.Normal);
            }

            Directory.Delete(directory, true);
        }

        /// <summary>A lock file per clone, so two runs never use one cache at once.</summary>
        private sealed class CacheLock : IDisposable
        {
            private readonly FileStream stream;

            private CacheLock(FileStream stream)
            {
                this.stream = stream;
            }

            public static CacheLock Acquire(string path, CancellationToken cancellation)
            {
                var deadline = DateTime.UtcNow.AddMinutes(5);
                while (true)
                {
                    try
                    {
                        return new CacheLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
                    }
                    catch (IOException) when (DateTime.UtcNow < deadline)
                    {
                        cancellation.WaitHandle.WaitOne(200);
                        cancellation.ThrowIfCancellationRequested();
                    }
                }
            }

            public void Dispose() => stream.Dispose();
        }
    }
}
