using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;

namespace ImageUpdater.Emulators.Oci
{
    /// <summary>
    /// The real Debian <c>docker-registry</c> (distribution 2.8) on loopback with a temporary config and storage: htpasswd Basic
    /// auth (<c>--user u:p</c>, hashed by apache2-utils' htpasswd) or token auth against a <see cref="TokenRealm"/>.
    /// Kind <c>docker-registry</c>: options <c>--user u:p</c>, <c>--seed</c> (pushes the demo images of <see cref="SeedAsync"/>),
    /// <c>--tls-cert cert.pem --tls-key key.pem</c> (serve https with a certificate the test made, e.g. signed by its own CA).
    /// </summary>
    public sealed class DockerRegistry : IEmulator
    {
        private readonly Process process;
        private readonly string folder;
        private readonly StringBuilder log = new StringBuilder();

        private DockerRegistry(Process process, string folder, string url)
        {
            this.process = process;
            this.folder = folder;
            Url = url;
        }

        /// <summary>http://127.0.0.1:port</summary>
        public string Url { get; }

        /// <summary>host:port, as written in image references.</summary>
        public string Host => new Uri(Url).Authority;

        /// <summary>What the registry logged (for failing tests).</summary>
        public string Log
        {
            get
            {
                lock (log)
                {
                    return log.ToString();
                }
            }
        }

        /// <summary>The registry binary, or null when the package is not installed.</summary>
        public static string? Binary => FindOnPath("docker-registry");

        /// <summary>Why the registry cannot run here, or null when it can.</summary>
        public static string? MissingReason =>
            Binary is null ? "docker-registry is not installed (apt-get install docker-registry apache2-utils)"
            : FindOnPath("htpasswd") is null ? "htpasswd is not installed (apt-get install apache2-utils)"
            : null;

        [Emulator("docker-registry")]
        public static async Task<IEmulator> Start(string[] options)
        {
            string? Option(string name) => Array.IndexOf(options, name) is var i && i >= 0 && i + 1 < options.Length ? options[i + 1] : null;
            var user = Option("--user");
            var tlsFiles = Option("--tls-cert") is { } cert && Option("--tls-key") is { } key ? (cert, key) : ((string, string)?)null;
            var registry = await StartAsync(user is null ? null : new[] { user }, null, tlsFiles is not null, tlsFiles).ConfigureAwait(false);
            if (options.Contains("--seed"))
            {
                var parts = user?.Split(':', 2);
                using var pusher = new RegistryPusher(registry.Url, parts?[0], parts?[1]);
                await SeedAsync(pusher).ConfigureAwait(false);
            }

            return registry;
        }

        /// <summary>
        /// Demo content: <c>team/app</c> tags 1.0.0, 1.1.0, 1.2.0, 2.0.0-rc.1, latest (built on different days, 1.1.0 newest),
        /// <c>team/multi</c> tags v1 and v2 as OCI indexes over linux/amd64 and linux/arm64 (v1's arm64 image newest of all),
        /// <c>team/labelled</c> 1.0.0 and 1.1.0 (newer, with OCI source and revision labels).
        /// </summary>
        public static async Task SeedAsync(RegistryPusher pusher)
        {
            var day = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
            await pusher.PushImageAsync("team/app", "1.0.0", day.AddDays(1)).ConfigureAwait(false);
            await pusher.PushImageAsync("team/app", "1.1.0", day.AddDays(30)).ConfigureAwait(false);
            await pusher.PushImageAsync("team/app", "1.2.0", day.AddDays(20), docker: true).ConfigureAwait(false);
            await pusher.PushImageAsync("team/app", "2.0.0-rc.1", day.AddDays(25)).ConfigureAwait(false);
            await pusher.PushImageAsync("team/app", "latest", day.AddDays(10)).ConfigureAwait(false);
            await pusher.PushIndexAsync("team/multi", "v1", new[] { ("linux/amd64", day.AddDays(2)), ("linux/arm64", day.AddDays(40)) }).ConfigureAwait(false);
            await pusher.PushIndexAsync("team/multi", "v2", new[] { ("linux/amd64", day.AddDays(35)), ("linux/arm64", day.AddDays(5)) }).ConfigureAwait(false);
            await pusher.PushImageAsync("team/labelled", "1.0.0", day.AddDays(1)).ConfigureAwait(false);
            await pusher.PushImageAsync("team/labelled", "1.1.0", day.AddDays(2), labels: new Dictionary<string, string>
            {
                ["org.opencontainers.image.source"] = "https://github.com/example/labelled",
                ["org.opencontainers.image.revision"] = "0123abcd",
            }).ConfigureAwait(false);
        }

        /// <summary>Starts a registry with htpasswd users (<c>user:password</c>), or without auth when none are given.</summary>
        /// <param name="tls">Serve https with a self-signed certificate for 127.0.0.1 (as a private registry often does).</param>
        public static Task<DockerRegistry> StartAsync(IEnumerable<string>? users = null, bool tls = false) => StartAsync(users, null, tls);

        /// <summary>Starts a registry that trusts the tokens of <paramref name="realm"/>.</summary>
        public static Task<DockerRegistry> StartAsync(TokenRealm realm) => StartAsync(null, realm, false);

        private static async Task<DockerRegistry> StartAsync(IEnumerable<string>? users, TokenRealm? realm, bool tls, (string Cert, string Key)? tlsFiles = null)
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return await StartOnceAsync(users, realm, tls, tlsFiles).ConfigureAwait(false);
                }
                catch (InvalidOperationException e) when (attempt < 3 && e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
                {
                    // Another test took the probed port first: probe again.
                }
            }
        }

        private static async Task<DockerRegistry> StartOnceAsync(IEnumerable<string>? users, TokenRealm? realm, bool tls, (string Cert, string Key)? tlsFiles)
        {
            var binary = Binary ?? throw new InvalidOperationException(MissingReason);
            var folder = Path.Combine(Path.GetTempPath(), "docker-registry-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            Directory.CreateDirectory(Path.Combine(folder, "data"));
            var port = LoopbackListener.FreePort();
            var auth = string.Empty;
            var list = users?.ToList() ?? new List<string>();
            if (realm is not null)
            {
                auth = $"auth:\n  token:\n    realm: {realm.Url}\n    service: {realm.Service}\n    issuer: {realm.Issuer}\n    rootcertbundle: {realm.CertificatePath}\n";
            }
            else if (list.Count > 0)
            {
                var htpasswd = Path.Combine(folder, "htpasswd");
                var lines = new StringBuilder();
                foreach (var pair in list)
                {
                    var split = pair.Split(':', 2);
                    lines.Append(Run(FindOnPath("htpasswd") ?? throw new InvalidOperationException(MissingReason), "-Bbn", split[0], split[1]).Trim()).Append('\n');
                }

                File.WriteAllText(htpasswd, lines.ToString());
                auth = $"auth:\n  htpasswd:\n    realm: test-registry\n    path: {htpasswd}\n";
            }

            var tlsConfig = string.Empty;
            if (tlsFiles is { } files)
            {
                tlsConfig = $"  tls:\n    certificate: {files.Cert}\n    key: {files.Key}\n";
            }
            else if (tls)
            {
                using var key = System.Security.Cryptography.RSA.Create(2048);
                var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.1", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
                var names = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
                names.AddIpAddress(System.Net.IPAddress.Loopback);
                request.CertificateExtensions.Add(names.Build());
                using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
                File.WriteAllText(Path.Combine(folder, "cert.pem"), certificate.ExportCertificatePem());
                File.WriteAllText(Path.Combine(folder, "key.pem"), key.ExportPkcs8PrivateKeyPem());
                tlsConfig = $"  tls:\n    certificate: {Path.Combine(folder, "cert.pem")}\n    key: {Path.Combine(folder, "key.pem")}\n";
            }

            var config = Path.Combine(folder, "config.yml");
            File.WriteAllText(config, $"version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {Path.Combine(folder, "data")}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n  secret: test-secret\n{tlsConfig}{auth}");
            var info = new ProcessStartInfo(binary)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            };
            info.ArgumentList.Add("serve");
            info.ArgumentList.Add(config);
            var process = Process.Start(info)!;
            var url = $"{(tls ? "https" : "http")}://127.0.0.1:{port}";
            var registry = new DockerRegistry(process, folder, url);
            process.OutputDataReceived += (_, e) => registry.Append(e.Data);
            process.ErrorDataReceived += (_, e) => registry.Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            using var probe = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (true)
            {
                try
                {
                    using var response = await probe.GetAsync(url + "/v2/").ConfigureAwait(false);
                    return registry;
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline && !process.HasExited)
                {
                    await Task.Delay(100).ConfigureAwait(false);
                }
                catch (HttpRequestException)
                {
                    var output = registry.Log;
                    await registry.DisposeAsync().ConfigureAwait(false);
                    throw new InvalidOperationException("docker-registry did not start: " + output);
                }
            }
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (log)
            {
                log.AppendLine(line);
            }
        }

        public string Describe() => JsonSerializer.Serialize(new { url = Url, host = Host });

        private static string Run(string file, params string[] args)
        {
            var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true };
            foreach (var a in args)
            {
                info.ArgumentList.Add(a);
            }

            using var p = Process.Start(info)!;
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return output;
        }

        private static string? FindOnPath(string name)
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Append("/usr/bin").Append("/usr/sbin"))
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            return null;
        }

        public ValueTask DisposeAsync()
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(true);
                    process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
            try
            {
                Directory.Delete(folder, true);
            }
            catch (IOException)
            {
                // Temp files; the OS cleans up.
            }

            return default;
        }
    }
}
