using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core;
using ImageUpdater.Core.Registries;
using Xunit;

namespace ImageUpdater.Core.Tests.Registries
{
    public class CredentialSourceTests
    {
        /// <summary>Writes an executable shell script to a temporary file.</summary>
        internal static string Script(string body)
        {
            if (OperatingSystem.IsWindows())
            {
                Assert.Skip("ext: scripts are shell scripts here; Windows runs them differently.");
                return string.Empty;
            }

            var path = Path.Combine(Path.GetTempPath(), "ext-" + Guid.NewGuid().ToString("N") + ".sh");
            File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return path;
        }

        [Fact]
        public async Task EnvironmentVariable()
        {
            var name = "IU_TEST_CREDS_" + Guid.NewGuid().ToString("N");
            Environment.SetEnvironmentVariable(name, "robot:pa:ss");
            try
            {
                var credential = await CredentialSource.Parse("env:" + name).ResolveAsync("ghcr.io", null, CancellationToken.None);
                Assert.Equal("robot", credential.UserName);
                Assert.Equal("pa:ss", credential.Password);
            }
            finally
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }

        [Fact]
        public async Task MissingEnvironmentVariableSaysWhichOne()
        {
            var error = await Assert.ThrowsAsync<ImageUpdaterException>(() => CredentialSource.Parse("env:IU_SURELY_UNSET").ResolveAsync("ghcr.io", null, CancellationToken.None));
            Assert.Contains("the environment variable IU_SURELY_UNSET is not set", error.Message);
        }

        [Fact]
        public async Task ScriptThatSucceeds()
        {
            var script = Script("echo 'AWS:token-value'");
            var credential = await CredentialSource.Parse("ext:" + script).ResolveAsync("x", null, CancellationToken.None);
            Assert.Equal("AWS", credential.UserName);
            Assert.Equal("token-value", credential.Password);
        }

        [Fact]
        public async Task ScriptThatFailsShowsStderrButNeverStdout()
        {
            var script = Script("echo 'user:leaked-secret'\necho 'Unable to locate credentials' >&2\nexit 3");
            var error = await Assert.ThrowsAsync<ImageUpdaterException>(() => CredentialSource.Parse("ext:" + script).ResolveAsync("x", null, CancellationToken.None));
            Assert.Equal("RegistryCredentialScriptFailed", error.ErrorId);
            Assert.Contains("exited with code 3: Unable to locate credentials", error.Message);
            Assert.DoesNotContain("leaked-secret", error.Message);
        }

        [Fact]
        public async Task ScriptThatHangsIsStoppedAtTheTimeout()
        {
            var marker = Path.Combine(Path.GetTempPath(), "ext-hang-" + Guid.NewGuid().ToString("N"));
            var script = Script($"echo $$ > {marker}\nsleep 60");
            var source = CredentialSource.Parse("ext:" + script);
            source.ScriptTimeout = TimeSpan.FromSeconds(1);
            var watch = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<ImageUpdaterException>(() => source.ResolveAsync("x", null, CancellationToken.None));
            Assert.Equal("RegistryCredentialScriptTimeout", error.ErrorId);
            Assert.Contains("did not finish within 1 s and was stopped", error.Message);
            Assert.InRange(watch.Elapsed.TotalSeconds, 0.9, 10);
            var pid = int.Parse(File.ReadAllText(marker).Trim());
            // The killed script may linger a moment until it is reaped; it must be gone (or a zombie) within a few seconds.
            Assert.True(SpinWait.SpinUntil(() => !IsRunning(pid), TimeSpan.FromSeconds(5)), $"The script (pid {pid}) still runs after the timeout.");
        }

        private static bool IsRunning(int pid)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                var stat = Path.Combine("/proc", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "stat");
                return !File.Exists(stat) || !File.ReadAllText(stat).Contains(") Z ", StringComparison.Ordinal);
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        [Fact]
        public async Task ScriptPrintingNoColonIsInvalid()
        {
            var script = Script("echo justatoken");
            var error = await Assert.ThrowsAsync<ImageUpdaterException>(() => CredentialSource.Parse("ext:" + script).ResolveAsync("x", null, CancellationToken.None));
            Assert.Contains("must be 'user:password' on one line", error.Message);
            Assert.DoesNotContain("justatoken", error.Message);
        }

        [Fact]
        public async Task KubernetesSecretsWithoutAConnectionAreAClearError()
        {
            var error = await Assert.ThrowsAsync<ImageUpdaterException>(() => CredentialSource.Parse("secret:argocd/creds#auth").ResolveAsync("x", null, CancellationToken.None));
            Assert.Equal("KubernetesConnectionRequired", error.ErrorId);
            Assert.Contains("no Kubernetes connection was given", error.Message);
            error = await Assert.ThrowsAsync<ImageUpdaterException>(() => CredentialSource.Parse("pullsecret:argocd/regcred").ResolveAsync("x", null, CancellationToken.None));
            Assert.Equal("KubernetesConnectionRequired", error.ErrorId);
        }

        private sealed class Secrets : ISecretReader
        {
            public Dictionary<string, byte[]> Data { get; } = new Dictionary<string, byte[]>();

            public Task<IReadOnlyDictionary<string, byte[]>> ReadSecretAsync(string ns, string name, CancellationToken cancellationToken) =>
                Task.FromResult<IReadOnlyDictionary<string, byte[]>>(Data);
        }

        [Fact]
        public async Task SecretFieldAndPullSecretEntry()
        {
            var secrets = new Secrets();
            secrets.Data["auth"] = Encoding.UTF8.GetBytes("bot:pw\n");
            var plain = await CredentialSource.Parse("secret:argocd/creds#auth").ResolveAsync("x", secrets, CancellationToken.None);
            Assert.Equal(("bot", "pw"), (plain.UserName, plain.Password));

            secrets.Data[".dockerconfigjson"] = Encoding.UTF8.GetBytes(
                "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes("hub:1")) + "\"},"
                + "\"ghcr.io\":{\"username\":\"gh\",\"password\":\"2\"}}}");
            var pull = CredentialSource.Parse("pullsecret:argocd/regcred");
            Assert.Equal("gh", (await pull.ResolveAsync("ghcr.io", secrets, CancellationToken.None)).UserName);
            Assert.Equal("hub", (await pull.ResolveAsync("index.docker.io", secrets, CancellationToken.None)).UserName);
            var error = await Assert.ThrowsAsync<ImageUpdaterException>(() => pull.ResolveAsync("quay.io", secrets, CancellationToken.None));
            Assert.Contains("has no entry for quay.io", error.Message);
        }
    }
}

namespace ImageUpdater.Core.Tests.Registries
{
    public class RegistryCredentialsTests
    {
        [Fact]
        public async Task SourceCredentialsAreKeptUntilCredsExpireThenFetchedAgain()
        {
            var counter = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ext-calls-" + Guid.NewGuid().ToString("N"));
            var script = CredentialSourceTests.Script($"echo x >> {counter}\necho \"AWS:token-$(wc -l < {counter} | tr -d ' ')\"");
            var credentials = new RegistryCredentials(null, CredentialSource.Parse("ext:" + script), TimeSpan.FromSeconds(1), "r.test");
            var first = await credentials.GetAsync(CancellationToken.None);
            var again = await credentials.GetAsync(CancellationToken.None);
            Assert.Same(first, again);
            Assert.Equal("token-1", first!.Password);
            await Task.Delay(TimeSpan.FromSeconds(1.2), TestContext.Current.CancellationToken);
            var refreshed = await credentials.GetAsync(CancellationToken.None);
            Assert.Equal("token-2", refreshed!.Password);
            Assert.Equal(2, credentials.Fetches);
        }

        [Fact]
        public async Task GivenCredentialsAreNeverFetchedOrDropped()
        {
            var given = new System.Net.NetworkCredential("u", "p");
            var credentials = new RegistryCredentials(given);
            Assert.False(credentials.Invalidate(given));
            Assert.Same(given, await credentials.GetAsync(CancellationToken.None));
            Assert.Equal(0, credentials.Fetches);
            Assert.Equal("the given credential", credentials.Origin);
        }
    }
}
