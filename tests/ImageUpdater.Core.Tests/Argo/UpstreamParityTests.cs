using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.WriteBack;
using Xunit;

namespace ImageUpdater.Core.Tests.Argo
{
    /// <summary>Issue 14 ("write what upstream writes"): the Core rules behind items 6, 7 and 8.</summary>
    public class UpstreamParityTests
    {
        private static JsonObject SingleSource(string source, string? sourceType, Dictionary<string, string>? annotations = null)
        {
            var app = ApplicationImagePatchTests.App("app", annotations ?? new Dictionary<string, string> { ["image-list"] = "api=gcr.io/library/foobar" },
                JsonNode.Parse("{\"source\":" + source + "}")!.AsObject());
            if (sourceType is not null)
            {
                app["status"] = new JsonObject { ["sourceType"] = sourceType };
            }

            return app;
        }

        private static ArgoApplication Model(JsonObject app)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(app.ToJsonString());
            return ApplicationMapper.FromJson(doc.RootElement, "test");
        }

        [Fact(DisplayName = "Issue14 item 6: status.sourceType Kustomize without a kustomize block writes kustomize.images")]
        public void StatusKustomizeWritesKustomizeImages()
        {
            var app = SingleSource("""{"repoURL":"https://git.example.com/r.git","path":"overlays/prod"}""", "Kustomize");
            var patch = ApplicationImagePatch.Build(app, ApplicationImagePatchTests.Candidates(app, "1.0.2"));
            Assert.Equal("spec.source.kustomize.images", patch.Targets.Values.Single());
            Assert.Contains("gcr.io/library/foobar:1.0.2", patch.ToJson());
            Assert.Equal(SourceKind.Kustomize, SourceSelector.KindOf(Model(app).AnnotatedSource!));
        }

        [Theory(DisplayName = "Issue14 item 6: Directory and Plugin sources are refused as unsupported application type")]
        [InlineData("Directory", "argocd")]
        [InlineData("Plugin", "argocd")]
        [InlineData("Directory", "git")]
        [InlineData("Plugin", "git")]
        public void DirectoryAndPluginAreRefused(string sourceType, string method)
        {
            var app = SingleSource("""{"repoURL":"https://git.example.com/r.git","path":"manifests"}""", sourceType,
                new Dictionary<string, string> { ["image-list"] = "api=gcr.io/library/foobar", ["write-back-method"] = method });
            var model = Model(app);
            Assert.StartsWith("unsupported application type", SourceSelector.UnsupportedType(model));
            Assert.Contains(model.Diagnostics, d => d.Severity == DiagnosticSeverity.Error && d.Message.Contains("nsupported application type"));
            if (method == "argocd")
            {
                var ex = Assert.Throws<ImageUpdaterException>(() => ApplicationImagePatch.Build(app, ApplicationImagePatchTests.Candidates(app, "1.0.2")));
                Assert.Equal("ApplicationTypeUnsupported", ex.ErrorId);
            }
        }

        [Theory(DisplayName = "Issue14 item 6: a helmvalues or kustomization git target is not refused on a Directory source")]
        [InlineData("helmvalues:values.yaml")]
        [InlineData("kustomization")]
        public void NamedFormatTargetsAreNotRefused(string target)
        {
            var app = SingleSource("""{"repoURL":"https://git.example.com/r.git","path":"manifests"}""", "Directory",
                new Dictionary<string, string> { ["image-list"] = "api=gcr.io/library/foobar", ["write-back-method"] = "git", ["write-back-target"] = target });
            Assert.Null(SourceSelector.UnsupportedType(Model(app)));
        }

        [Fact(DisplayName = "Issue14 item 7: the argocd patch replaces the registry-less entry instead of appending a second one")]
        public void KustomizeEntryWithoutRegistryIsReplaced()
        {
            var app = SingleSource("""{"repoURL":"https://git.example.com/r.git","path":"k","kustomize":{"images":["redis:7.2","library/foobar:1.0.1"]}}""", null);
            var patch = ApplicationImagePatch.Build(app, ApplicationImagePatchTests.Candidates(app, "1.0.2"));
            var images = JsonNode.Parse(patch.ToJson())!.AsArray().Where(o => o!["op"]!.GetValue<string>() != "test").Select(o => o!["value"]!.ToJsonString()).Single();
            Assert.Equal("""["redis:7.2","gcr.io/library/foobar:1.0.2"]""", images);
        }

        // Upstream pkg/argocd/argocd_test.go Test_SetKustomizeImage, run as data: existing entries, kustomize.image-name, new image → entries after.
        [Theory(DisplayName = "Issue14 item 7: upstream Test_SetKustomizeImage")]
        [InlineData("Test set Kustomize image parameters on Kustomize app with param already set", "jannfis/foobar:1.0.0", null, "jannfis/foobar", "1.0.1", "jannfis/foobar:1.0.1")]
        [InlineData("Test set Kustomize image parameters with alias name on Kustomize app with param already set", "jannfis/foobar:1.0.0", "foobar", "jannfis/foobar", "1.0.1", "foobar=jannfis/foobar:1.0.1")]
        [InlineData("Test set Kustomize image parameters for two aliases sharing the same image name does not collide", "service-a=jannfis/foobar:tag-a|service-b=jannfis/foobar:tag-b", "service-b", "jannfis/foobar", "tag-b2", "service-a=jannfis/foobar:tag-a|service-b=jannfis/foobar:tag-b2")]
        public void UpstreamSetKustomizeImage(string upstreamCase, string existing, string? kustomizeName, string image, string tag, string expected)
        {
            Assert.NotEmpty(upstreamCase);
            var notes = new Dictionary<string, string> { ["image-list"] = "foo=" + image };
            if (kustomizeName is not null)
            {
                notes["foo.kustomize.image-name"] = kustomizeName;
            }

            var images = new JsonArray(existing.Split('|').Select(e => (JsonNode)JsonValue.Create(e)!).ToArray());
            var source = new JsonObject { ["repoURL"] = "https://git.example.com/r.git", ["path"] = "k", ["kustomize"] = new JsonObject { ["images"] = images } };
            var app = ApplicationImagePatchTests.App("test-app", notes, new JsonObject { ["source"] = source });
            app["status"] = new JsonObject { ["sourceType"] = "Kustomize" };
            var patch = ApplicationImagePatch.Build(app, ApplicationImagePatchTests.Candidates(app, tag));
            var written = JsonNode.Parse(patch.ToJson())!.AsArray().Where(o => o!["op"]!.GetValue<string>() != "test").Select(o => o!["value"]!.AsArray()).Single();
            Assert.Equal(expected, string.Join("|", written.Select(v => v!.GetValue<string>())));
        }

        [Theory(DisplayName = "Issue14 item 8: a write-back-target without a kind prefix is read from the repository root")]
        [InlineData("target/folder/app-parameters.yaml", "target/folder/app-parameters.yaml")]
        [InlineData("/target/app-parameters.yaml", "target/app-parameters.yaml")]
        public void BareTargetIsFromTheRepositoryRoot(string target, string relative)
        {
            var app = new ArgoApplication("a")
            {
                Namespace = "argocd",
                Sources = new[] { new ApplicationSource { RepoUrl = "https://git.example.com/r.git", Path = "apps/a", IsHelm = true } },
                WriteBack = new WriteBackSpec { Method = WriteBackMethod.Git, Target = new WriteBackTarget(WriteBackTargetKind.File, target) },
            };
            var root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "parity-" + System.Guid.NewGuid().ToString("N"));
            Assert.Equal(relative, GitTarget.Resolve(root, app, app.AnnotatedSource, RepositoryFiles.WorkingTree).RelativePath);
        }
    }
}
