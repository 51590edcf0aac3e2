using System.IO;
using ImageUpdater.Core.Argo;
using Xunit;

namespace ImageUpdater.Core.Tests.Argo
{
    public class KubeconfigContextsTests
    {
        private const string Config = @"apiVersion: v1
kind: Config
current-context: staging
contexts:
- name: prod
  context: {cluster: prod, user: admin, namespace: argocd-prod}
- name: staging
  context: {cluster: staging, user: admin, namespace: gitops}
- name: bare
  context: {cluster: bare, user: admin}
";

        [Fact]
        public void NamesPutTheCurrentContextFirst()
        {
            var file = Write(Config);
            Assert.Equal(new[] { "staging", "prod", "bare" }, KubeconfigContexts.Names(file));
        }

        [Fact]
        public void NamespacesPutTheChosenContextsFirstAndEndWithArgoCDsDefault()
        {
            var file = Write(Config);
            Assert.Equal(new[] { "gitops", "argocd-prod", "argocd" }, KubeconfigContexts.Namespaces(file, null));
            Assert.Equal(new[] { "argocd-prod", "gitops", "argocd" }, KubeconfigContexts.Namespaces(file, "prod"));
        }

        [Fact]
        public void AMissingOrBrokenFileStillOffersTheDefault()
        {
            Assert.Equal(new[] { "argocd" }, KubeconfigContexts.Namespaces(Path.Combine(Path.GetTempPath(), "no-such-kubeconfig-" + System.Guid.NewGuid()), null));
            Assert.Equal(new[] { "argocd" }, KubeconfigContexts.Namespaces(Write("contexts: [unclosed"), null));
        }

        private static string Write(string text)
        {
            var file = Path.Combine(Path.GetTempPath(), "kubeconfig-" + System.Guid.NewGuid().ToString("N"));
            File.WriteAllText(file, text);
            return file;
        }
    }
}
