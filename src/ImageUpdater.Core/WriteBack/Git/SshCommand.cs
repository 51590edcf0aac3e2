using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using LibGit2Sharp;

namespace ImageUpdater.Core.WriteBack.Git
{
    /// <summary>
    /// How the clone cache runs ssh. libgit2 (1.8) starts core.sshCommand as one program, not through a shell, so the options live in a
    /// small script in the cache that core.sshCommand names: batch mode (never a prompt), the key only (IdentitiesOnly), strict host key
    /// checking against known_hosts (an unknown host fails, never accepted silently), timeouts, and ssh's messages kept in a file for the error.
    /// </summary>
    internal static class SshCommand
    {
        private const string Setting = "core.sshCommand";

        /// <summary>
        /// Writes the script and points core.sshCommand at it; returns the file ssh's messages go to, and the private agent holding a
        /// passphrase-protected key (the caller disposes it when the cache closes).
        /// </summary>
        public static string Configure(Repository repo, GitCredentials credentials, TimeSpan timeout, Action<string>? warning, out SshAgent? agent)
        {
            agent = null;
            foreach (var variable in new[] { "GIT_SSH_COMMAND", "GIT_SSH" })
            {
                if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)))
                {
                    warning?.Invoke($"{variable} is set: libgit2 runs it instead of the ssh settings here (-SshKeyPath, batch mode, strict known_hosts, timeouts); unset it to use them.");
                }
            }

            var key = credentials.SshKeyPath;
            var knownHosts = credentials.KnownHosts();
            if (knownHosts is not null && !File.Exists(knownHosts))
            {
                throw GitErrors.Error("SshKnownHostsNotFound", $"The known_hosts file '{knownHosts}' (${GitCredentials.SshKnownHostsVariable}) does not exist; create it with the servers' host keys.", knownHosts);
            }

            var windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
            var script = Path.Combine(Path.GetFullPath(repo.Info.Path), windows ? "imageupdater-ssh.cmd" : "imageupdater-ssh");
            var output = script + ".log";
            var seconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
            var arguments = new StringBuilder();
            if (key is not null)
            {
                arguments.Append(" -i ").Append(Quote(Path.GetFullPath(key), windows)).Append(" -o IdentitiesOnly=yes");
            }

            if (key is not null && credentials.SshKeyPassphrase is not null && credentials.SshKeyPassphrase.Length > 0)
            {
                agent = SshAgent.Start(key, credentials.SshKeyPassphrase, TimeSpan.FromHours(1));
                arguments.Append(" -o IdentityAgent=").Append(Quote(agent.Socket, windows));
            }

            arguments.Append(" -o BatchMode=yes -o StrictHostKeyChecking=yes");
            if (knownHosts is not null)
            {
                arguments.Append(" -o UserKnownHostsFile=").Append(Quote(Path.GetFullPath(knownHosts), windows));
            }

            // ServerAlive ends a connection the server stopped answering, as the HTTP read timeout does.
            arguments.Append(" -o ConnectTimeout=").Append(seconds).Append(" -o ServerAliveInterval=").Append(Math.Max(1, seconds / 4)).Append(" -o ServerAliveCountMax=4");
            var text = windows
                ? "@ssh.exe" + arguments + " %* 2>" + Quote(output, true) + "\r\n"
                : "#!/bin/sh\n# Written by ImageUpdater.PS for this clone cache (libgit2 runs core.sshCommand as one program).\necho $$ >" + Quote(ProcessFile(output), false) + "\nexec ssh" + arguments + " \"$@\" 2>" + Quote(output, false) + "\n";
            if (!File.Exists(script) || File.ReadAllText(script) != text)
            {
                File.WriteAllText(script, text);
#if NET8_0_OR_GREATER
                if (!windows)
                {
                    File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
#endif
            }

            if (repo.Config.Get<string>(Setting, ConfigurationLevel.Local)?.Value != script)
            {
                // Only when it differs: every configuration write is a lock file and a rename.
                repo.Config.Set(Setting, script, ConfigurationLevel.Local);
            }

            foreach (var stale in new[] { output, ProcessFile(output) })
            {
                if (File.Exists(stale))
                {
                    File.Delete(stale);
                }
            }

            return output;
        }

        /// <summary>Refuses a key with a passphrase (not supported yet) and a key file that does not exist.</summary>
        public static void Check(GitCredentials credentials)
        {
            var key = credentials.SshKeyPath;
            if (key is null)
            {
                return;
            }

            if (credentials.SshKeyPassphrase is not null && credentials.SshKeyPassphrase.Length > 0 && RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                throw GitErrors.Error("SshPassphraseNotSupported", "SSH keys with a passphrase are not supported on Windows yet (libgit2 runs ssh as a program that cannot be given the passphrase); load the key into ssh-agent and omit -SshKeyPassphrase, or use HTTPS with -GitCredential.", key);
            }

            if (!File.Exists(key))
            {
                throw GitErrors.Error("SshKeyNotFound", $"The SSH key '{key}' does not exist.", key);
            }
        }

        /// <summary>Removes core.sshCommand from a cache that is not reached over ssh (only when set).</summary>
        public static void Clear(Repository repo)
        {
            if (repo.Config.Get<string>(Setting, ConfigurationLevel.Local) is not null)
            {
                repo.Config.Unset(Setting, ConfigurationLevel.Local);
            }
        }

        /// <summary>What ssh printed during the last network call (no secret: ssh never prints keys), or null.</summary>
        public static string? Read(string? output)
        {
            if (output is null || !File.Exists(output))
            {
                return null;
            }

            var text = File.ReadAllText(output);
            return text.Length > 2000 ? text.Substring(text.Length - 2000) : text;
        }

        /// <summary>
        /// Ends the ssh of the running network call (the script wrote its process id; exec keeps it): libgit2 then reads end-of-file
        /// at once, where a read waiting on a silent server would only end at the timeout. Only a process named ssh is ended.
        /// </summary>
        public static void Stop(string? output)
        {
            try
            {
                var file = output is null ? null : ProcessFile(output);
                if (file is null || !File.Exists(file) || !int.TryParse(File.ReadAllText(file).Trim(), out var id))
                {
                    return;
                }

                using var process = Process.GetProcessById(id);
                if (process.ProcessName == "ssh")
                {
                    process.Kill();
                }
            }
            catch (Exception e) when (e is ArgumentException || e is InvalidOperationException || e is IOException || e is System.ComponentModel.Win32Exception || e is NotSupportedException)
            {
                // Already gone.
            }
        }

        private static string ProcessFile(string output) => Path.ChangeExtension(output, ".pid");

        private static string Quote(string path, bool windows) => windows ? "\"" + path + "\"" : "'" + path.Replace("'", "'\\''") + "'";
    }
}
