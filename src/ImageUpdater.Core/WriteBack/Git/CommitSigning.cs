using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using LibGit2Sharp;

namespace ImageUpdater.Core.WriteBack.Git
{
    /// <summary>
    /// Signing and sign-off of one commit: the operator's key (-CommitSigningKey) unless an application's git.commit-signing-key names
    /// a key the operator allowed (-AllowCommitSigningKey) — an annotation is written by whoever edits the Application and must not
    /// pick a key file or identity of this machine. Signatures are made by gpg or ssh-keygen reading the commit on stdin; no secret
    /// reaches a command line (a key with a passphrase must be unlocked in gpg-agent / ssh-agent beforehand).
    /// </summary>
    internal sealed class CommitSigning
    {
        private CommitSigning(string? key, CommitSigningMethod method, bool signOff)
        {
            Key = key;
            Method = method;
            SignOff = signOff;
        }

        /// <summary>The key to sign with; null = the commit is not signed.</summary>
        public string? Key { get; }

        public CommitSigningMethod Method { get; }

        public bool SignOff { get; }

        /// <summary>
        /// The signing of a commit for <paramref name="applications"/>: the first application naming git.commit-signing-key or
        /// git.commit-signing-method decides over the options; sign-off when the options or any application ask for it.
        /// An annotated key not allowed by the operator fails with GitSigningKeyNotAllowed before anything is committed.
        /// </summary>
        public static CommitSigning For(IEnumerable<ArgoApplication> applications, GitWriteBackOptions options)
        {
            var apps = applications.ToList();
            var spec = apps.Select(a => a.WriteBack).FirstOrDefault(w => w.SigningKey is not null || w.SigningMethod is not null);
            var method = spec?.SigningMethod ?? options.SigningMethod;
            var key = options.SigningKey;
            if (spec?.SigningKey is { } annotated)
            {
                var application = apps.First(a => ReferenceEquals(a.WriteBack, spec));
                if (!Allowed(annotated, method, options))
                {
                    throw GitErrors.Error("GitSigningKeyNotAllowed", $"Application '{application.QualifiedName}' names the commit signing key '{annotated}' (git.commit-signing-key), which the operator did not allow; pass it to -CommitSigningKey or -AllowCommitSigningKey, or remove the annotation to sign with the operator's key.", application);
                }

                key = annotated;
            }

            return new CommitSigning(key, method, options.SignOff || apps.Any(a => a.WriteBack.SignOff == true));
        }

        /// <summary>An annotated key is the operator's own key or one of the allowed keys (SSH key files compared as full paths).</summary>
        private static bool Allowed(string key, CommitSigningMethod method, GitWriteBackOptions options)
        {
            string Canonical(string k) => method == CommitSigningMethod.Ssh ? Path.GetFullPath(k.Trim()) : k.Trim();
            var wanted = Canonical(key);
            var comparison = method == CommitSigningMethod.Ssh && !IsWindows ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
            return new[] { options.SigningKey }.Concat(options.AllowedSigningKeys).Any(k => !string.IsNullOrWhiteSpace(k) && string.Equals(Canonical(k!), wanted, comparison));
        }

        private static bool IsWindows => Path.DirectorySeparatorChar == '\\';

        /// <summary>The message with a <c>Signed-off-by:</c> trailer for the committer when asked (once, as git commit -s).</summary>
        public string Message(string message, Signature committer)
        {
            if (!SignOff)
            {
                return message;
            }

            var line = $"Signed-off-by: {committer.Name} <{committer.Email}>";
            var text = message.TrimEnd('\n', '\r');
            if (text.Split('\n').Any(l => l.TrimEnd('\r') == line))
            {
                return text + "\n";
            }

            var last = text.Split('\n').Last();
            return text + (last.StartsWith("Signed-off-by:", StringComparison.Ordinal) ? "\n" : "\n\n") + line + "\n";
        }

        /// <summary>Creates the commit in <paramref name="repo"/>'s object database, signed when a key is set.</summary>
        public Commit Create(Repository repo, Signature author, string message, Tree tree, IEnumerable<Commit> parents, GitWriteBackOptions options, string url)
        {
            message = Message(message, author);
            if (Key is null)
            {
                return repo.ObjectDatabase.CreateCommit(author, author, message, tree, parents, prettifyMessage: true);
            }

            var buffer = Commit.CreateBuffer(author, author, message, tree, parents, true, null);
            var signature = Sign(buffer, options, url);
            return repo.Lookup<Commit>(repo.ObjectDatabase.CreateCommitWithSignature(buffer, signature));
        }

        /// <summary>A detached, armoured signature of <paramref name="buffer"/> by gpg or ssh-keygen (the commit text on stdin, the signature on stdout).</summary>
        private string Sign(string buffer, GitWriteBackOptions options, string url)
        {
            var ssh = Method == CommitSigningMethod.Ssh;
            if (ssh && !File.Exists(Key))
            {
                throw GitErrors.Error("GitSigningKeyNotFound", $"The SSH commit signing key '{Key}' does not exist; pass the path of a private key file to -CommitSigningKey.", url);
            }

            var program = ssh ? options.SshKeygenProgram : options.GpgProgram;
            var arguments = ssh
                ? new[] { "-Y", "sign", "-n", "git", "-f", Key! }
                : new[] { "--status-fd=2", "--batch", "--no-tty", "--pinentry-mode", "error", "--armor", "--detach-sign", "--local-user", Key! };
            var info = new ProcessStartInfo(program)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                CreateNoWindow = true,
            };
#if NET
            foreach (var argument in arguments)
            {
                info.ArgumentList.Add(argument);
            }
#else
            info.Arguments = string.Join(" ", arguments.Select(Quote));
#endif
            info.EnvironmentVariables["SSH_ASKPASS_REQUIRE"] = "never";

            Process process;
            try
            {
                process = Process.Start(info) ?? throw new InvalidOperationException(program);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                throw GitErrors.Error("GitSigningFailed", $"Cannot run {program} to sign the commit for {url}: {e.Message}. Install {(ssh ? "OpenSSH (ssh-keygen)" : "GnuPG (gpg)")} or choose the other -CommitSigningMethod.", url, e);
            }

            using (process)
            {
                var output = process.StandardOutput.ReadToEndAsync();
                var errors = process.StandardError.ReadToEndAsync();
                try
                {
                    process.StandardInput.Write(buffer);
                    process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // The program exited before reading the commit (e.g. gpg with an unknown key): its exit code says why, below.
                }

                if (!process.WaitForExit((int)Math.Min(int.MaxValue, options.Timeout.TotalMilliseconds)))
                {
                    try
                    {
                        process.Kill();
                    }
                    catch (InvalidOperationException)
                    {
                        // Exited meanwhile.
                    }

                    throw GitErrors.Error("GitSigningFailed", $"{program} did not sign the commit for {url} within {options.Timeout.TotalSeconds:0} s; a key with a passphrase must be unlocked in {(ssh ? "ssh-agent" : "gpg-agent")} first.", url);
                }

                var signature = output.GetAwaiter().GetResult();
                var detail = string.Join(" ", errors.GetAwaiter().GetResult().Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("[GNUPG:]", StringComparison.Ordinal)).Take(3));
                if (process.ExitCode != 0 || signature.IndexOf("-----BEGIN", StringComparison.Ordinal) < 0)
                {
                    throw GitErrors.Error("GitSigningFailed", $"{program} could not sign the commit for {url} with the {(ssh ? "SSH" : "OpenPGP")} key '{Key}' (exit code {process.ExitCode}: {detail}); nothing was pushed. Check -CommitSigningKey and -CommitSigningMethod{(ssh ? string.Empty : ", and that the key is in the keyring of GNUPGHOME")}.", url);
                }

                return signature.Replace("\r\n", "\n");
            }
        }

#if !NET
        private static string Quote(string argument) =>
            argument.Length > 0 && argument.All(c => !char.IsWhiteSpace(c) && c != '"') ? argument : "\"" + argument.Replace("\"", "\\\"") + "\"";
#endif
    }
}
