using System;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using ImageUpdater.Core.Diagnostics;
using ImageUpdater.Core.Registries.Ecr;
using Xunit;

namespace ImageUpdater.Core.Tests.Diagnostics
{
    /// <summary>Test-ImageUpdaterEnvironment's checks: each gives Passed/Warning/Failed and a remedy when it did not pass.</summary>
    public class EnvironmentChecksTests
    {
        [Fact]
        public void LibGit2LoadsHereAndSaysFromWhere()
        {
            var check = EnvironmentChecks.LibGit2();
            Assert.Equal(CheckStatus.Passed, check.Status);
            Assert.Contains("loads", check.Detail);
            Assert.Null(check.Remedy);
        }

        [Fact]
        public void AMissingLibGit2FileFailsWithTheHybridWorkerRemedy()
        {
            var check = EnvironmentChecks.LibGit2("/nonexistent/runtimes/linux-x64/native/libgit2-0000000.so");
            Assert.Equal(CheckStatus.Failed, check.Status);
            Assert.Contains("does not exist", check.Detail);
            Assert.Contains("Hybrid Runbook Worker", check.Remedy);
            Assert.Contains("write-back-method argocd", check.Remedy);
        }

        [Fact]
        public async Task AListeningEndpointPassesAndAClosedPortFailsWithARemedy()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            try
            {
                var open = await EnvironmentChecks.EndpointAsync("test", new Uri($"http://127.0.0.1:{port}/"), TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
                Assert.Equal(CheckStatus.Passed, open.Status);
                Assert.Equal("endpoint test", open.Check);
            }
            finally
            {
                listener.Stop();
            }

            var closed = await EnvironmentChecks.EndpointAsync("test", new Uri($"http://127.0.0.1:{port}/"), TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            Assert.Equal(CheckStatus.Failed, closed.Status);
            Assert.Contains($"127.0.0.1:{port}", closed.Detail);
            Assert.Contains("reachable", closed.Remedy);
        }

        [Fact]
        public async Task AnUnresolvableHostFails()
        {
            var check = await EnvironmentChecks.EndpointAsync("registry", new Uri("https://no-such-host.invalid/"), TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            Assert.Equal(CheckStatus.Failed, check.Status);
            Assert.Contains("does not resolve", check.Detail);
        }

        [Fact]
        public void AwsSourceIsNamedNeverItsValue()
        {
            var check = EnvironmentChecks.AwsCredentialSource(new AwsOptions { AccessKey = "AKIAPREFLIGHT0000001", SecretKey = "preflight-secret-value" });
            Assert.Equal(CheckStatus.Passed, check.Status);
            Assert.Equal("from -AccessKey/-SecretKey", check.Detail);
            Assert.DoesNotContain("preflight-secret-value", check.Detail + check.Remedy);
        }

        [Fact]
        public void HeadroomReportsTempSpace()
        {
            Assert.Contains(EnvironmentChecks.Headroom(), c => c.Check == "temp space" && c.Status == CheckStatus.Passed);
            Assert.Contains(EnvironmentChecks.Headroom(minimumTempBytes: long.MaxValue), c => c.Check == "temp space" && c.Status == CheckStatus.Warning && c.Remedy != null);
        }
    }
}
