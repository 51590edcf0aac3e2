using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;
using Xunit;

namespace ImageUpdater.Core.Tests.Argo
{
    /// <summary>
    /// One rule for the annotated source on multi-source apps. It used to be two: the git path (GitTarget.AnnotatedSource) took the source
    /// whose repoURL is git-repository, else the first Helm/Kustomize source; the argocd path (ApplicationImagePatch.ChooseSource) took
    /// the image's kind from its keys, then git-repository, then the source already carrying the image. Each test checks both paths agree.
    /// </summary>
    public class SourceSelectorTests
    {
        private static ArgoApplication Model(JsonObject app)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(app.ToJsonString());
            return ApplicationMapper.FromJson(doc.RootElement, "test");
        }

        /// <summary>The index the argocd method patches for the app's first image.</summary>
        private static int PatchedIndex(JsonObject app)
        {
            var patch = ApplicationImagePatch.Build(app, ApplicationImagePatchTests.Candidates(app, Enumerable.Repeat("9.9.9", Model(app).Images.Count).ToArray()));
            var target = patch.Targets.Values.First();
            return int.Parse(target.Substring("spec.sources[".Length, target.IndexOf(']') - "spec.sources[".Length), System.Globalization.CultureInfo.InvariantCulture);
        }

        private static void BothPathsChoose(JsonObject app, int index)
        {
            var model = Model(app);
            Assert.Equal(index, model.AnnotatedSource!.Index);
            Assert.Equal(index, PatchedIndex(app));
        }

        private static JsonObject App(Dictionary<string, string> annotations, string sources) =>
            ApplicationImagePatchTests.App("multi", annotations, JsonNode.Parse("{\"sources\":" + sources + "}")!.AsObject());

        [Fact]
        public void AValuesRepositoryFirstLosesToTheChart()
        {
            BothPathsChoose(App(new Dictionary<string, string> { ["image-list"] = "web=acme/web" },
                """[{"repoURL":"https://git.example.com/values.git","ref":"values"},{"repoURL":"https://charts.example.com","chart":"web","helm":{}}]"""), 1);
        }

        [Fact]
        public void GitRepositoryPicksAmongSeveralHelmSourcesAcrossHttpAndHttps()
        {
            // The git path compared schemes, so an http repoURL and an https git-repository did not match there (it took sources[0]).
            BothPathsChoose(App(new Dictionary<string, string> { ["image-list"] = "web=acme/web", ["web.helm.image-tag"] = "image.tag", ["git-repository"] = "https://git.example.com/second.git" },
                """[{"repoURL":"https://git.example.com/first.git","path":"chart","helm":{}},{"repoURL":"http://git.example.com/second","path":"chart","helm":{}}]"""), 1);
        }

        [Fact]
        public void TheKindTheKeysAskForWins()
        {
            // The git path took the first Helm/Kustomize source (the redis chart, 0); the argocd path the Kustomize one (1).
            BothPathsChoose(App(new Dictionary<string, string> { ["image-list"] = "api=acme/api", ["api.kustomize.image-name"] = "acme/api" },
                """[{"repoURL":"https://charts.example.com","chart":"redis","helm":{}},{"repoURL":"https://git.example.com/api.git","path":"overlays/prod","kustomize":{}}]"""), 1);
        }

        [Fact]
        public void TheSourceCarryingTheImageWins()
        {
            // The git path took the first Helm source (0); the argocd path the one already holding web.tag (1).
            BothPathsChoose(App(new Dictionary<string, string> { ["image-list"] = "web=acme/web", ["web.helm.image-tag"] = "web.tag", ["web.helm.image-name"] = "web.repo" },
                """[{"repoURL":"https://charts.example.com","chart":"redis","helm":{}},{"repoURL":"https://charts.example.com","chart":"web","helm":{"parameters":[{"name":"web.tag","value":"2.0.0"}]}}]"""), 1);
        }

        [Fact]
        public void AKustomizeImagesEntryCarriesTheImageUnderDockerHubSpellings()
        {
            BothPathsChoose(App(new Dictionary<string, string> { ["image-list"] = "nginx=registry-1.docker.io/library/nginx" },
                """[{"repoURL":"https://git.example.com/a.git","path":"a","kustomize":{"images":["redis:7"]}},{"repoURL":"https://git.example.com/b.git","path":"b","kustomize":{"images":["nginx:1.25"]}}]"""), 1);
        }

        [Fact]
        public void StatusSourceTypesCountAsKinds()
        {
            var app = App(new Dictionary<string, string> { ["image-list"] = "api=acme/api" },
                """[{"repoURL":"https://git.example.com/values.git","ref":"values"},{"repoURL":"https://git.example.com/api.git","path":"overlays/prod"}]""");
            app["status"] = new JsonObject { ["sourceTypes"] = new JsonArray("Directory", "Kustomize") };
            BothPathsChoose(app, 1);
            Assert.Equal(SourceKind.Kustomize, SourceSelector.KindOf(Model(app).AnnotatedSource!));
        }

        [Fact]
        public void AGitRepositoryWithoutAHelmOrKustomizeBlockIsChosenAndTheArgocdMethodSaysSo()
        {
            // The git path needs that source's path; the argocd path used to skip it and patch the chart. Now both see sources[0].
            var app = App(new Dictionary<string, string> { ["image-list"] = "web=acme/web", ["git-repository"] = "https://git.example.com/values" },
                """[{"repoURL":"https://git.example.com/values.git","ref":"values"},{"repoURL":"https://charts.example.com","chart":"web","helm":{}}]""");
            Assert.Equal(0, Model(app).AnnotatedSource!.Index);
            var ex = Assert.Throws<ImageUpdaterException>(() => ApplicationImagePatch.Build(app, ApplicationImagePatchTests.Candidates(app, "2.0.0")));
            Assert.Equal("ArgoSourceNotFound", ex.ErrorId);
            Assert.Contains("spec.sources[0]", ex.Message);
        }

        [Fact]
        public void ASingleSourceIsChosenAsItIs()
        {
            var app = ApplicationImagePatchTests.App("one", new Dictionary<string, string> { ["image-list"] = "web=acme/web" },
                JsonNode.Parse("""{"source":{"repoURL":"https://git.example.com/x.git","path":"manifests"}}""")!.AsObject());
            var model = Model(app);
            Assert.Equal(-1, model.AnnotatedSource!.Index);
            Assert.Null(SourceSelector.KindOf(model.AnnotatedSource));
        }

        [Fact]
        public void NoSourceNoChoice() => Assert.Null(new ArgoApplication("empty").AnnotatedSource);
    }
}
