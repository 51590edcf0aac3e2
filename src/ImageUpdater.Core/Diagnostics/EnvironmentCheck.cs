using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Registries.Ecr;

namespace ImageUpdater.Core.Diagnostics
{
    /// <summary>The outcome of one preflight check.</summary>
    public enum CheckStatus : long
    {
        Passed,
        Warning,
        Failed,
    }

    /// <summary>One preflight check of the place a run happens (PSTypeName ImageUpdater.EnvironmentCheck); never holds a secret.</summary>
    public sealed class EnvironmentCheck
    {
        public EnvironmentCheck(string check, CheckStatus status, string detail, string? remedy = null)
        {
            Check = check;
            Status = status;
            Detail = detail;
            Remedy = remedy;
        }

        public string Check { get; }

        public CheckStatus Status { get; }

        public string Detail { get; }

        /// <summary>What to do when the check did not pass; null when it passed.</summary>
        public string? Remedy { get; }

        public override string ToString() => Check + ": " + Status;
    }

    /// <summary>The checks that need no PowerShell: runtime, libgit2, endpoints, AWS credential source, memory and temp space.</summary>
    public static class EnvironmentChecks
    {
        private const string GitRemedy = "Run on a Hybrid Runbook Worker (a machine you own, where the module's native libraries load) or use write-back-method argocd (write-back through the Argo CD API, HTTPS only).";

        public static EnvironmentCheck Runtime() =>
            new EnvironmentCheck(".NET", CheckStatus.Passed, RuntimeInformation.FrameworkDescription + " on " + RuntimeInformation.OSDescription.Trim() + " (" + RuntimeInformation.ProcessArchitecture + ")");

        /// <summary>Whether libgit2 loads, and from which file; <paramref name="overridePath"/> checks that file instead (to test a deployment).</summary>
        public static EnvironmentCheck LibGit2(string? overridePath = null)
        {
            try
            {
                if (overridePath is not null)
                {
                    if (!File.Exists(overridePath))
                    {
                        return new EnvironmentCheck("libgit2", CheckStatus.Failed, $"The native library {overridePath} does not exist.", GitRemedy);
                    }
#if NET8_0_OR_GREATER
                    if (!NativeLibrary.TryLoad(overridePath, out _))
                    {
                        return new EnvironmentCheck("libgit2", CheckStatus.Failed, $"The native library {overridePath} does not load here.", GitRemedy);
                    }
#endif
                    return new EnvironmentCheck("libgit2", CheckStatus.Passed, "loads from " + overridePath);
                }

                // Features calls into the native library, so it is loaded (or fails to load) here.
                var version = LibGit2Sharp.GlobalSettings.Version;
                var features = version.Features;
                var from = LoadedFrom("git2");
                return new EnvironmentCheck("libgit2", CheckStatus.Passed, $"libgit2 {version.LibGit2CommitSha} ({features}) loads" + (from is null ? string.Empty : " from " + from));
            }
            catch (Exception ex) when (ex is DllNotFoundException || ex is TypeInitializationException || ex is BadImageFormatException || ex is EntryPointNotFoundException)
            {
                return new EnvironmentCheck("libgit2", CheckStatus.Failed, "libgit2 does not load: " + (ex.InnerException ?? ex).Message, GitRemedy);
            }
        }

        /// <summary>Where a native library of the process was loaded from (Linux: /proc/self/maps), or null when that cannot be read.</summary>
        private static string? LoadedFrom(string name)
        {
            try
            {
                return File.Exists("/proc/self/maps")
                    ? File.ReadLines("/proc/self/maps").Select(line => line.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries).LastOrDefault())
                        .FirstOrDefault(path => path is not null && Path.GetFileName(path).Contains(name))
                    : null;
            }
            catch (IOException)
            {
                return null;
            }
        }

        /// <summary>Whether an endpoint resolves and answers a TCP (and for https a TLS) handshake; nothing is sent beyond it.</summary>
        public static async Task<EnvironmentCheck> EndpointAsync(string role, Uri url, TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            var name = "endpoint " + role;
            var port = url.IsDefaultPort ? (url.Scheme == Uri.UriSchemeHttps ? 443 : url.Scheme == "ssh" ? 22 : 80) : url.Port;
            var where = url.Host + ":" + port;
            var remedy = $"Check that {url.Host} resolves and that port {port} is reachable from here (firewall, proxy, private endpoint); Azure's cloud sandbox reaches only public endpoints — use a Hybrid Runbook Worker for private ones.";
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(timeout);
            System.Net.IPAddress[] addresses;
            try
            {
                addresses = await System.Net.Dns.GetHostAddressesAsync(url.Host).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                return new EnvironmentCheck(name, CheckStatus.Failed, $"{url.Host} does not resolve: {ex.Message}", remedy);
            }

            using var tcp = new TcpClient(addresses[0].AddressFamily);
            try
            {
                var connect = tcp.ConnectAsync(addresses, port);
                if (await Task.WhenAny(connect, Task.Delay(Timeout.Infinite, cts.Token)).ConfigureAwait(false) != connect)
                {
                    return new EnvironmentCheck(name, CheckStatus.Failed, $"{where} did not answer within {timeout.TotalSeconds:0} s.", remedy);
                }

                await connect.ConfigureAwait(false);
                if (url.Scheme != Uri.UriSchemeHttps)
                {
                    return new EnvironmentCheck(name, CheckStatus.Passed, $"{where} answers (TCP)");
                }

                using var tls = new SslStream(tcp.GetStream(), false);
                var handshake = tls.AuthenticateAsClientAsync(url.Host);
                if (await Task.WhenAny(handshake, Task.Delay(Timeout.Infinite, cts.Token)).ConfigureAwait(false) != handshake)
                {
                    return new EnvironmentCheck(name, CheckStatus.Failed, $"{where} did not complete a TLS handshake within {timeout.TotalSeconds:0} s.", remedy);
                }

                await handshake.ConfigureAwait(false);
                return new EnvironmentCheck(name, CheckStatus.Passed, $"{where} answers (TLS {tls.SslProtocol})");
            }
            catch (Exception ex) when (ex is SocketException || ex is IOException || ex is System.Security.Authentication.AuthenticationException)
            {
                return new EnvironmentCheck(name, CheckStatus.Failed, $"{where}: {ex.Message}", ex is System.Security.Authentication.AuthenticationException ? "The server's TLS certificate is not trusted here: install its certificate authority, or fix the name." : remedy);
            }
        }

        /// <summary>Which AWS credential source the options (or the default chain) find; its name only, never a key.</summary>
        public static EnvironmentCheck AwsCredentialSource(AwsOptions options)
        {
            try
            {
                var (_, source) = options.ResolveCredentials();
                return new EnvironmentCheck("AWS credentials", CheckStatus.Passed, "from " + source);
            }
            catch (ImageUpdaterException ex)
            {
                var first = ex.Message.Split('\n')[0];
                var tried = first.IndexOf(" Tried:", StringComparison.Ordinal);
                return new EnvironmentCheck("AWS credentials", CheckStatus.Warning, (tried > 0 ? first.Substring(0, tried) : first).Trim(),
                    "Only ECR images need them: use -AzureManagedIdentity -RoleArn in Azure, or -ProfileName / -AccessKey, or the AWS default chain.");
            }
        }

        /// <summary>Memory this process may use and free space in the temporary folder (clones and caches go there).</summary>
        public static IEnumerable<EnvironmentCheck> Headroom(long minimumMemoryBytes = 256L << 20, long minimumTempBytes = 512L << 20)
        {
#if NET8_0_OR_GREATER
            var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            yield return memory >= minimumMemoryBytes
                ? new EnvironmentCheck("memory", CheckStatus.Passed, $"{memory >> 20} MB available to this process")
                : new EnvironmentCheck("memory", CheckStatus.Warning, $"{memory >> 20} MB available to this process", "Lower -ThrottleLimit, split the run with -Shard, or give the job more memory.");
#endif
            var temp = Path.GetTempPath();
            long free;
            try
            {
                free = new DriveInfo(Path.GetFullPath(temp)).AvailableFreeSpace;
            }
            catch (Exception ex) when (ex is IOException || ex is ArgumentException || ex is UnauthorizedAccessException)
            {
                yield break;
            }

            yield return free >= minimumTempBytes
                ? new EnvironmentCheck("temp space", CheckStatus.Passed, $"{free >> 20} MB free in {temp}")
                : new EnvironmentCheck("temp space", CheckStatus.Warning, $"{free >> 20} MB free in {temp}", "Point -WorkingDirectory at a larger disk, or free space: git clones are kept there.");
        }
    }
}
