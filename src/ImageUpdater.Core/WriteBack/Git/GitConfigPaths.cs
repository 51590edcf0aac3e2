using System;
using System.Linq;
using System.Threading;
using LibGit2Sharp;

namespace ImageUpdater.Core.WriteBack.Git
{
    /// <summary>
    /// Where libgit2 looks for the global, XDG, system and ProgramData git configuration (a process-wide setting). The clone cache needs
    /// none of it — every key it uses (remotes, core.sshCommand) is in the cache's own config, authors are explicit, http goes through
    /// GitHttpTransport — so the search paths are emptied the first time a cache opens: libgit2 then stops finding and re-reading
    /// ~/.gitconfig and /etc/gitconfig on every open and config read (about 70 times per repository). The user's files still apply to
    /// -LocalRepository checkouts: <see cref="OpenWithUserConfiguration"/> opens those with the original paths (safe.directory,
    /// core.autocrlf), and a process that never opens a clone cache is left as it was.
    /// </summary>
    internal static class GitConfigPaths
    {
        private static readonly ConfigurationLevel[] Levels = { ConfigurationLevel.Global, ConfigurationLevel.Xdg, ConfigurationLevel.System, ConfigurationLevel.ProgramData };
        private static readonly object Gate = new object();
        private static string[][]? original;

        /// <summary>True once the search paths are emptied in this process.</summary>
        public static bool Restricted => Volatile.Read(ref original) is not null;

        /// <summary>Empties the four search paths (once per process), remembering the user's for <see cref="OpenWithUserConfiguration"/>.</summary>
        public static void RestrictForCloneCache()
        {
            if (Restricted)
            {
                return;
            }

            lock (Gate)
            {
                if (original is not null)
                {
                    return;
                }

                var saved = Levels.Select(level => GlobalSettings.GetConfigSearchPaths(level).ToArray()).ToArray();
                foreach (var level in Levels)
                {
                    GlobalSettings.SetConfigSearchPaths(level, Array.Empty<string>());
                }

                Volatile.Write(ref original, saved);
            }
        }

        /// <summary>
        /// Opens a user's checkout with the user's global and system configuration (read once, at open), even after the clone cache
        /// emptied the search paths; clone caches opening meanwhile may read the user's files too, which changes nothing they use.
        /// </summary>
        public static Repository OpenWithUserConfiguration(string path)
        {
            lock (Gate)
            {
                var saved = original;
                if (saved is null)
                {
                    return Open(path);
                }

                for (var i = 0; i < Levels.Length; i++)
                {
                    GlobalSettings.SetConfigSearchPaths(Levels[i], saved[i]);
                }

                try
                {
                    return Open(path);
                }
                finally
                {
                    foreach (var level in Levels)
                    {
                        GlobalSettings.SetConfigSearchPaths(level, Array.Empty<string>());
                    }
                }
            }
        }

        private static Repository Open(string path)
        {
            var repo = new Repository(path);
            // LibGit2Sharp builds the repository's configuration (every level) on first use: build it now, while the user's paths apply.
            _ = repo.Config;
            return repo;
        }
    }
}
