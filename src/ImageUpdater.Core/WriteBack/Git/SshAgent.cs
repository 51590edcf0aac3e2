using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading;

namespace ImageUpdater.Core.WriteBack.Git
{
    /// <summary>
    /// A private ssh-agent holding a passphrase-protected key for as long as the clone cache is open: ssh itself cannot be given a
    /// passphrase without a terminal, so ssh-add decrypts the key once (the passphrase reaches it through the environment of that
    /// short-lived process and an askpass script that prints it: never a command line, never a file), and ssh signs through the agent.
    /// </summary>
    internal sealed class SshAgent : IDisposable
    {
        private readonly Process process;
        private readonly string folder;

        private SshAgent(Process process, string folder, string socket)
        {
            this.process = process;
            this.folder = folder;
            Socket = socket;
        }

        public string Socket { get; }

        /// <summary>Starts an agent and adds <paramref name="key"/> to it for <paramref name="lifetime"/>; a wrong passphrase throws SshPassphraseWrong.</summary>
        public static SshAgent Start(string key, System.Security.SecureString passphrase, TimeSpan lifetime)
        {
            var folder = Path.Combine(Path.GetTempPath(), "iu-ssh-" + Guid.NewGuid().ToString("N").Substring(0, 10));
            Directory.CreateDirectory(folder);
#if NET8_0_OR_GREATER
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

#endif
            var socket = Path.Combine(folder, "agent");
            Process? agent = null;
            try
            {
                agent = Run("ssh-agent", new[] { "-D", "-a", socket });
                var deadline = DateTime.UtcNow.AddSeconds(10);
                while (!File.Exists(socket))
                {
                    if (agent.HasExited || DateTime.UtcNow > deadline)
                    {
                        throw GitErrors.Error("SshAgentFailed", $"ssh-agent did not start ({agent.StandardError.ReadToEnd().Trim()}); load the key into your own ssh-agent and omit -SshKeyPassphrase.", key);
                    }

                    Thread.Sleep(20);
                }

                var askpass = Path.Combine(folder, "askpass");
                // Answers once: ssh-add asks again after a wrong passphrase, and a failing askpass ends it.
                File.WriteAllText(askpass, "#!/bin/sh\n[ -e \"$0.used\" ] && exit 1\n: > \"$0.used\"\nprintf '%s\\n' \"$IMAGEUPDATER_SSH_PASSPHRASE\"\n");
#if NET8_0_OR_GREATER
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(askpass, UnixFileMode.UserRead | UnixFileMode.UserExecute);
                }

#endif
                var seconds = Math.Max(60, (int)Math.Ceiling(lifetime.TotalSeconds));
                using (var add = Run("ssh-add", new[] { "-q", "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), Path.GetFullPath(key) }, psi =>
                {
                    psi.EnvironmentVariables["SSH_AUTH_SOCK"] = socket;
                    psi.EnvironmentVariables["SSH_ASKPASS"] = askpass;
                    psi.EnvironmentVariables["SSH_ASKPASS_REQUIRE"] = "force";
                    psi.EnvironmentVariables["DISPLAY"] = "none";
                    psi.EnvironmentVariables["IMAGEUPDATER_SSH_PASSPHRASE"] = new NetworkCredential(string.Empty, passphrase).Password;
                }))
                {
                    var error = add.StandardError.ReadToEndAsync();
                    if (!add.WaitForExit(30000))
                    {
                        Stop(add);
                        throw GitErrors.Error("SshPassphraseWrong", $"ssh-add did not load the SSH key '{key}' within 30 s; check -SshKeyPassphrase.", key);
                    }

                    if (add.ExitCode != 0)
                    {
                        throw GitErrors.Error("SshPassphraseWrong", $"ssh-add could not load the SSH key '{key}' with the passphrase given ({error.Result.Trim()}); check -SshKeyPassphrase.", key);
                    }
                }

                return new SshAgent(agent, folder, socket);
            }
            catch
            {
                Stop(agent);
                Delete(folder);
                throw;
            }
        }

        public void Dispose()
        {
            Stop(process);
            Delete(folder);
        }

        private static Process Run(string program, string[] arguments, Action<ProcessStartInfo>? configure = null)
        {
            var psi = new ProcessStartInfo(program, string.Join(" ", arguments.Select(Quote)))
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                CreateNoWindow = true,
            };
            configure?.Invoke(psi);
            try
            {
                var started = Process.Start(psi) ?? throw new InvalidOperationException(program + " did not start");
                started.StandardInput.Close();
                return started;
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw GitErrors.Error("SshAgentFailed", $"Cannot run {program} ({e.Message}); install OpenSSH's client, or load the key into your own ssh-agent and omit -SshKeyPassphrase.", program, e);
            }
        }

        private static string Quote(string argument) => "\"" + argument.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

        private static void Stop(Process? process)
        {
            if (process is null)
            {
                return;
            }

            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                    process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }

        private static void Delete(string folder)
        {
            try
            {
                Directory.Delete(folder, true);
            }
            catch (IOException)
            {
                // A temporary folder left behind holds no key (the agent kept it in memory).
            }
        }
    }
}
