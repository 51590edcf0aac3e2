using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using ImageUpdater.Core.Argo;
using ImageUpdater.Emulators;
using ImageUpdater.Emulators.Kube;
using Xunit;

namespace ImageUpdater.Core.Tests.Argo
{
    /// <summary>Reading Applications through the Kubernetes API (KubernetesClient) from the loopback kube emulator with a written kubeconfig.</summary>
    public sealed class KubernetesApplicationReaderTests : IAsyncLifetime
    {
        private IEmulator server = null!;
        private string url = string.Empty;
        private string token = string.Empty;
        private readonly string folder = Directory.CreateTempSubdirectory("kubeconfig").FullName;

        public async ValueTask InitializeAsync()
        {
            server = await KubeEmulator.Start(new[] { "--documents", Path.Combine(SharedData.Require(), "api-models"), "--forbid-namespace", "secret" });
            var info = JsonNode.Parse(server.Describe())!;
            url = (string)info["url"]!;
            token = (string)info["token"]!;
        }

        public async ValueTask DisposeAsync()
        {
            await server.DisposeAsync();
            Directory.Delete(folder, true);
        }

        /// <summary>A kubeconfig with a good context (the default) and one with a wrong token.</summary>
        private string Kubeconfig()
        {
            var path = Path.Combine(folder, "config");
            File.WriteAllText(path, $$"""
                apiVersion: v1
                kind: Config
                current-context: emulator
                clusters:
                - name: emulator
                  cluster:
                    server: {{url.TrimEnd('/')}}
                contexts:
                - name: emulator
                  context: {cluster: emulator, user: reader}
                - name: stale
                  context: {cluster: emulator, user: stale}
                users:
                - name: reader
                  user: {token: {{token}}}
                - name: stale
                  user: {token: not-the-token}
                """);
            return path;
        }

        [Fact]
        public async Task ListsGetsAndFiltersByLabel()
        {
            using var reader = new KubernetesApplicationReader(Kubeconfig(), null);
            Assert.Equal(url.TrimEnd('/'), reader.Origin.TrimEnd('/'));
            var argocd = await reader.ListAsync("argocd", null, TestContext.Current.CancellationToken);
            Assert.Equal("argo-workflows", ApplicationMapper.FromJson(Assert.Single(argocd), reader.Origin).Name);

            var labelled = await reader.ListAsync("argo-cd", "stack=gke-v2", TestContext.Current.CancellationToken);
            Assert.Equal("velero-test", ApplicationMapper.FromJson(Assert.Single(labelled), reader.Origin).Name);
            Assert.Empty(await reader.ListAsync("argo-cd", "stack=other", TestContext.Current.CancellationToken));

            var one = ApplicationMapper.FromJson(await reader.GetAsync("argo-cd", "velero-test", TestContext.Current.CancellationToken), reader.Origin);
            Assert.Equal(new[] { "nginx:latest" }, one.LiveImages);
        }

        [Fact]
        public void TheKubernetesSourceFiltersProjectsHereAndSaysWhenANamespaceIsEmpty()
        {
            using var source = new KubernetesSource(new KubernetesApplicationReader(Kubeconfig(), null));
            var reads = source.Read(new ApplicationQuery(projects: new[] { "sre" }, @namespace: "argo-cd"), TestContext.Current.CancellationToken).ToList();
            Assert.Equal("velero-test", Assert.Single(reads, r => r.Kind == ApplicationReadKind.Application).Application!.Name);

            var one = source.Read(new ApplicationQuery(new[] { "velero-test" }, @namespace: "argo-cd"), TestContext.Current.CancellationToken).ToList();
            Assert.Contains(one, r => r.Kind == ApplicationReadKind.Verbose && r.Message!.StartsWith("GET application argo-cd/velero-test", StringComparison.Ordinal));

            var empty = source.Read(new ApplicationQuery(selector: "stack=other", @namespace: "argo-cd"), TestContext.Current.CancellationToken).ToList();
            Assert.StartsWith("No Applications in namespace 'argo-cd' at ", Assert.Single(empty, r => r.Kind == ApplicationReadKind.Warning).Message);
            Assert.EndsWith(" with selector 'stack=other'.", empty.Single(r => r.Kind == ApplicationReadKind.Warning).Message);
        }

        [Fact]
        public async Task ErrorsSayWhatToDo()
        {
            using var reader = new KubernetesApplicationReader(Kubeconfig(), null);
            var missing = await Assert.ThrowsAsync<ImageUpdaterException>(() => reader.GetAsync("argocd", "nope", TestContext.Current.CancellationToken));
            Assert.Equal(FailureKind.ObjectNotFound, missing.Kind);
            var forbidden = await Assert.ThrowsAsync<ImageUpdaterException>(() => reader.ListAsync("secret", null, TestContext.Current.CancellationToken));
            Assert.Equal(FailureKind.PermissionDenied, forbidden.Kind);
            Assert.Contains("get and list on applications.argoproj.io", forbidden.Message);

            using var stale = new KubernetesApplicationReader(Kubeconfig(), "stale");
            var denied = await Assert.ThrowsAsync<ImageUpdaterException>(() => stale.ListAsync("argocd", null, TestContext.Current.CancellationToken));
            Assert.Equal(FailureKind.AuthenticationError, denied.Kind);

            Assert.Equal("KubeconfigNotFound", Assert.Throws<ImageUpdaterException>(() => new KubernetesApplicationReader(Path.Combine(folder, "none"), null)).ErrorId);
            Assert.Equal("KubeconfigInvalid", Assert.Throws<ImageUpdaterException>(() => new KubernetesApplicationReader(Kubeconfig(), "no-such-context")).ErrorId);
        }
    }
}
