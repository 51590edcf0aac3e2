using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Updating;
using Xunit;

namespace ImageUpdater.Core.Tests.Argo
{
    public class ApplicationImagePatchTests
    {
        private const string Prefix = "argocd-image-updater.argoproj.io/";

        /// <summary>An Application JSON with image-updater annotations and the given spec.</summary>
        internal static JsonObject App(string name, IDictionary<string, string> annotations, JsonObject spec, string project = "default")
        {
            var notes = new JsonObject();
            foreach (var pair in annotations)
            {
                notes[Prefix + pair.Key] = pair.Value;
            }

            spec["project"] = project;
            return new JsonObject
            {
                ["apiVersion"] = "argoproj.io/v1alpha1",
                ["kind"] = "Application",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "argocd", ["annotations"] = notes },
                ["spec"] = spec,
            };
        }

        /// <summary>The candidates of every image of the app, each with a new tag.</summary>
        internal static List<ImageUpdateCandidate> Candidates(JsonObject app, params string[] newTags)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(app.ToJsonString());
            var model = ApplicationMapper.FromJson(doc.RootElement, "test");
            return model.Images.Select((spec, i) => new ImageUpdateCandidate(model, spec) { CurrentTag = "1.0.0", NewTag = newTags[i], UpdateNeeded = true }).ToList();
        }

        private static JsonObject Apply(JsonObject app, ApplicationImagePatch patch) =>
            (JsonObject)ImageUpdater.Emulators.ArgoCD.JsonPatchDocument.Apply(app, (JsonArray)JsonNode.Parse(patch.ToJson())!);

        [Fact]
        public void HelmParametersAreReplacedUnderATestOfTheCurrentList()
        {
            var app = App("web", new Dictionary<string, string> { ["image-list"] = "web=ghcr.io/acme/web:~1.4", ["web.helm.image-name"] = "image.repository", ["web.helm.image-tag"] = "image.tag" },
                JsonNode.Parse("""{"source":{"repoURL":"https://git.example.com/web.git","path":"chart","helm":{"parameters":[{"name":"replicas","value":"2"},{"name":"image.tag","value":"1.4.0","forceString":true}]}}}""")!.AsObject());
            var patch = ApplicationImagePatch.Build(app, Candidates(app, "1.4.2"));

            Assert.Equal(new[] { "test /spec/source/helm/parameters", "replace /spec/source/helm/parameters" }, patch.Operations.Select(o => o.ToString()));
            var after = Apply(app, patch);
            var parameters = after["spec"]!["source"]!["helm"]!["parameters"]!.AsArray();
            Assert.Equal("""[{"name":"replicas","value":"2"},{"name":"image.tag","value":"1.4.2","forceString":true},{"name":"image.repository","value":"ghcr.io/acme/web","forceString":true}]""", parameters.ToJsonString());
            Assert.Equal("spec.source.helm.parameters", patch.Targets.Values.Single());
        }

        [Fact]
        public void HelmDefaultsAreImageNameAndImageTagAndAHelmBlockIsAddedUnderATestOfTheSource()
        {
            var app = App("web", new Dictionary<string, string> { ["image-list"] = "web=nginx" },
                JsonNode.Parse("""{"source":{"repoURL":"https://charts.example.com","chart":"web","targetRevision":"1.0.0"}}""")!.AsObject());
            var patch = ApplicationImagePatch.Build(app, Candidates(app, "1.27.1"));

            Assert.Equal(new[] { "test /spec/source", "add /spec/source/helm" }, patch.Operations.Select(o => o.ToString()));
            var after = Apply(app, patch);
            Assert.Equal("""{"parameters":[{"name":"image.name","value":"nginx","forceString":true},{"name":"image.tag","value":"1.27.1","forceString":true}]}""", after["spec"]!["source"]!["helm"]!.ToJsonString());
        }

        [Fact]
        public void HelmImageSpecIsOneParameterAndADigestIsAppendedToTheTag()
        {
            var app = App("web", new Dictionary<string, string> { ["image-list"] = "web=ghcr.io/acme/web:main", ["web.update-strategy"] = "digest", ["web.helm.image-spec"] = "web.image" },
                JsonNode.Parse("""{"source":{"repoURL":"https://git.example.com/web.git","path":"chart","helm":{"valueFiles":["values.yaml"]}}}""")!.AsObject());
            var candidates = Candidates(app, "main");
            candidates[0] = candidates[0] with { NewDigest = "sha256:" + new string('a', 64) };
            var patch = ApplicationImagePatch.Build(app, candidates);

            Assert.Equal(new[] { "test /spec/source/helm", "add /spec/source/helm/parameters" }, patch.Operations.Select(o => o.ToString()));
            var parameter = Apply(app, patch)["spec"]!["source"]!["helm"]!["parameters"]![0]!;
            Assert.Equal("web.image", (string?)parameter["name"]);
            Assert.Equal("ghcr.io/acme/web:main@sha256:" + new string('a', 64), (string?)parameter["value"]);
        }

        [Fact]
        public void KustomizeImagesAreMergedByNameAsOrigEqualsNewColonTag()
        {
            var app = App("api", new Dictionary<string, string> { ["image-list"] = "api=123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:~2", ["api.kustomize.image-name"] = "acme/api" },
                JsonNode.Parse("""{"source":{"repoURL":"https://git.example.com/api.git","path":"overlays/prod","kustomize":{"images":["redis:7.2","acme/api=123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:2.0.0"]}}}""")!.AsObject());
            var patch = ApplicationImagePatch.Build(app, Candidates(app, "2.1.0"));

            Assert.Equal(new[] { "test /spec/source/kustomize/images", "replace /spec/source/kustomize/images" }, patch.Operations.Select(o => o.ToString()));
            Assert.Equal("""["redis:7.2","acme/api=123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:2.1.0"]""", Apply(app, patch)["spec"]!["source"]!["kustomize"]!["images"]!.ToJsonString());
        }

        [Fact]
        public void ADigestWithoutATagIsLatestAtTheDigestInHelmAndKustomize()
        {
            var digest = "sha256:" + new string('b', 64);
            var helm = App("web", new Dictionary<string, string> { ["image-list"] = "web=ghcr.io/acme/web" },
                JsonNode.Parse("""{"source":{"repoURL":"https://charts.example.com","chart":"web","helm":{}}}""")!.AsObject());
            var candidates = Candidates(helm, "x");
            candidates[0] = candidates[0] with { NewTag = null, NewDigest = digest };
            Assert.Contains("\"value\":\"latest@" + digest + "\"", ApplicationImagePatch.Build(helm, candidates).ToJson());

            // The kustomize entry used to be 'ghcr.io/acme/web@sha256:…' while the Helm value was 'latest@sha256:…'; one rule now (TagText.Format).
            var kustomize = App("api", new Dictionary<string, string> { ["image-list"] = "web=ghcr.io/acme/web" },
                JsonNode.Parse("""{"source":{"repoURL":"https://git.example.com/api.git","path":"base","kustomize":{"images":["ghcr.io/acme/web:1.0"]}}}""")!.AsObject());
            candidates = Candidates(kustomize, "x");
            candidates[0] = candidates[0] with { NewTag = null, NewDigest = digest };
            Assert.Equal("[\"ghcr.io/acme/web:latest@" + digest + "\"]", Apply(kustomize, ApplicationImagePatch.Build(kustomize, candidates))["spec"]!["source"]!["kustomize"]!["images"]!.ToJsonString());
        }

        [Fact]
        public void AKustomizeImageNameEqualToTheImageIsNotWrittenTwice()
        {
            // The argocd path wrote 'acme/api=acme/api:2.1.0' here; the .argocd-source file target wrote 'acme/api:2.1.0'. Both write the latter now.
            var app = App("api", new Dictionary<string, string> { ["image-list"] = "api=acme/api", ["api.kustomize.image-name"] = "acme/api" },
                JsonNode.Parse("""{"source":{"repoURL":"https://git.example.com/api.git","path":"base","kustomize":{"images":["acme/api:2.0.0"]}}}""")!.AsObject());
            Assert.Equal("""["acme/api:2.1.0"]""", Apply(app, ApplicationImagePatch.Build(app, Candidates(app, "2.1.0")))["spec"]!["source"]!["kustomize"]!["images"]!.ToJsonString());
        }

        [Fact]
        public void KustomizeWithoutImageNameReplacesTheEntryOfTheSameImage()
        {
            var app = App("api", new Dictionary<string, string> { ["image-list"] = "nginx=docker.io/library/nginx:1.x" },
                JsonNode.Parse("""{"source":{"repoURL":"https://git.example.com/api.git","path":"base","kustomize":{"images":["nginx:1.25.0"]}}}""")!.AsObject());
            var patch = ApplicationImagePatch.Build(app, Candidates(app, "1.27.0"));
            Assert.Equal("""["docker.io/library/nginx:1.27.0"]""", Apply(app, patch)["spec"]!["source"]!["kustomize"]!["images"]!.ToJsonString());
        }

        [Fact]
        public void NothingToChangeGivesAnEmptyPatch()
        {
            var app = App("web", new Dictionary<string, string> { ["image-list"] = "web=nginx" },
                JsonNode.Parse("""{"source":{"repoURL":"https://charts.example.com","chart":"web","helm":{"parameters":[{"name":"image.name","value":"nginx","forceString":true},{"name":"image.tag","value":"1.27.1","forceString":true}]}}}""")!.AsObject());
            var patch = ApplicationImagePatch.Build(app, Candidates(app, "1.27.1"));
            Assert.True(patch.IsEmpty);
            Assert.Equal("[]", patch.ToJson());
        }

        [Fact]
        public void TwoImagesOfOneSourceGoInOneGuardedReplace()
        {
            var app = App("shop", new Dictionary<string, string> { ["image-list"] = "web=acme/web, api=acme/api", ["web.helm.image-tag"] = "web.tag", ["web.helm.image-name"] = "web.repo", ["api.helm.image-tag"] = "api.tag", ["api.helm.image-name"] = "api.repo" },
                JsonNode.Parse("""{"source":{"repoURL":"https://git.example.com/shop.git","path":"chart","helm":{"parameters":[]}}}""")!.AsObject());
            var patch = ApplicationImagePatch.Build(app, Candidates(app, "1.1.0", "2.2.0"));
            Assert.Equal(2, patch.Operations.Count);
            var names = Apply(app, patch)["spec"]!["source"]!["helm"]!["parameters"]!.AsArray().Select(p => (string?)p!["name"] + "=" + (string?)p["value"]);
            Assert.Equal(new[] { "web.repo=acme/web", "web.tag=1.1.0", "api.repo=acme/api", "api.tag=2.2.0" }, names);
        }

        [Fact]
        public void MultiSourceWritesTheHelmSourceNotTheFirstSource()
        {
            // Like the corpus' app-01: a values repository first (ref only), the chart second.
            var app = App("helm-multi", new Dictionary<string, string> { ["image-list"] = "nginx=docker.io/bitnami/nginx:1.27.x", ["nginx.helm.image-name"] = "image.repository", ["nginx.helm.image-tag"] = "image.tag" },
                JsonNode.Parse("""{"sources":[{"repoURL":"https://github.com/acme/values.git","targetRevision":"main","ref":"values"},{"repoURL":"https://charts.bitnami.com/bitnami","chart":"nginx","targetRevision":"18.2.3","helm":{"valueFiles":["$values/nginx/values.yaml"]}}]}""")!.AsObject());
            var patch = ApplicationImagePatch.Build(app, Candidates(app, "1.27.3"));
            Assert.All(patch.Operations, o => Assert.StartsWith("/spec/sources/1/", o.Path + "/"));
            Assert.Equal("spec.sources[1].helm.parameters", patch.Targets.Values.Single());
        }

        [Fact]
        public void MultiSourceGitRepositoryPicksAmongSeveralHelmSources()
        {
            var app = App("two-charts", new Dictionary<string, string> { ["image-list"] = "web=acme/web", ["web.helm.image-tag"] = "image.tag", ["git-repository"] = "https://git.example.com/second.git" },
                JsonNode.Parse("""{"sources":[{"repoURL":"https://git.example.com/first.git","path":"chart","helm":{}},{"repoURL":"https://git.example.com/second","path":"chart","helm":{}}]}""")!.AsObject());
            var patch = ApplicationImagePatch.Build(app, Candidates(app, "3.0.0"));
            Assert.Equal("spec.sources[1].helm.parameters", patch.Targets.Values.Single());
        }

        [Fact]
        public void MultiSourcePrefersTheSourceAlreadyCarryingTheParameter()
        {
            var app = App("two-charts", new Dictionary<string, string> { ["image-list"] = "web=acme/web", ["web.helm.image-tag"] = "web.tag", ["web.helm.image-name"] = "web.repo" },
                JsonNode.Parse("""{"sources":[{"repoURL":"https://charts.example.com","chart":"redis","helm":{}},{"repoURL":"https://charts.example.com","chart":"web","helm":{"parameters":[{"name":"web.tag","value":"2.0.0"}]}}]}""")!.AsObject());
            var patch = ApplicationImagePatch.Build(app, Candidates(app, "3.0.0"));
            Assert.Equal("spec.sources[1].helm.parameters", patch.Targets.Values.Single());
        }

        [Fact]
        public void MultiSourceKustomizeImageGoesToTheKustomizeSource()
        {
            var app = App("mixed", new Dictionary<string, string> { ["image-list"] = "api=acme/api", ["api.kustomize.image-name"] = "acme/api" },
                JsonNode.Parse("""{"sources":[{"repoURL":"https://charts.example.com","chart":"redis","helm":{}},{"repoURL":"https://git.example.com/api.git","path":"overlays/prod","kustomize":{}}]}""")!.AsObject());
            var patch = ApplicationImagePatch.Build(app, Candidates(app, "1.2.3"));
            Assert.Equal(new[] { "test /spec/sources/1/kustomize", "add /spec/sources/1/kustomize/images" }, patch.Operations.Select(o => o.ToString()));
        }

        [Fact]
        public void AMultiSourceAppWithoutAMatchingSourceIsAnErrorThatSaysWhatToDo()
        {
            var app = App("plain", new Dictionary<string, string> { ["image-list"] = "api=acme/api", ["api.kustomize.image-name"] = "acme/api" },
                JsonNode.Parse("""{"sources":[{"repoURL":"https://charts.example.com","chart":"redis"}]}""")!.AsObject());
            var ex = Assert.Throws<ImageUpdaterException>(() => ApplicationImagePatch.Build(app, Candidates(app, "1.2.3")));
            Assert.Equal("ArgoSourceNotFound", ex.ErrorId);
            Assert.Contains("no Kustomize source", ex.Message);
        }

        [Fact]
        public void ASingleSourceOfUnknownTypeIsAnError()
        {
            var app = App("dir", new Dictionary<string, string> { ["image-list"] = "api=acme/api" },
                JsonNode.Parse("""{"source":{"repoURL":"https://git.example.com/api.git","path":"manifests"}}""")!.AsObject());
            var ex = Assert.Throws<ImageUpdaterException>(() => ApplicationImagePatch.Build(app, Candidates(app, "1.2.3")));
            Assert.Equal("ArgoSourceTypeUnknown", ex.ErrorId);
        }

        [Fact]
        public void StatusSourceTypeDecidesForAGitSourceWithoutBlocks()
        {
            var app = App("dir", new Dictionary<string, string> { ["image-list"] = "api=acme/api" },
                JsonNode.Parse("""{"source":{"repoURL":"https://git.example.com/api.git","path":"overlays/prod"}}""")!.AsObject());
            app["status"] = new JsonObject { ["sourceType"] = "Kustomize" };
            var patch = ApplicationImagePatch.Build(app, Candidates(app, "1.2.3"));
            Assert.Equal("add /spec/source/kustomize", patch.Operations[1].ToString());
        }
    }
}
