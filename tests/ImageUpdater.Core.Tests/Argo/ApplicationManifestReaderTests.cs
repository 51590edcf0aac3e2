using System.Collections.Generic;
using System.IO;
using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Tags;
using Xunit;

namespace ImageUpdater.Core.Tests.Argo
{
    public class ApplicationManifestReaderTests
    {
        private static IReadOnlyList<ArgoApplication> ReadCorpus(string file)
        {
            var errors = new List<ImageUpdaterException>();
            var apps = ApplicationManifestReader.ReadFile(SharedData.RealWorld(file), errors.Add);
            Assert.Empty(errors);
            return apps;
        }

        private static IEnumerable<AnnotationDiagnostic> Errors(ArgoApplication app) => app.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);

        [Fact]
        public void EveryCorpusManifestParses()
        {
            var files = Directory.GetFiles(Path.Combine(SharedData.Require(), "real-world"), "app-*.yaml");
            Assert.Equal(10, files.Length);
            foreach (var file in files)
            {
                var apps = ApplicationManifestReader.ReadFile(file, e => Assert.Fail(e.Message));
                Assert.NotEmpty(apps);
                Assert.All(apps, a => Assert.NotEmpty(a.Images));
            }
        }

        [Fact]
        public void App01_HelmValuesListMultiSource()
        {
            var app = Assert.Single(ReadCorpus("app-01-helmvalues-list-multisource.yaml"));
            Assert.Equal("helmvalues-list", app.Name);
            Assert.Equal("argocd", app.Namespace);
            Assert.Equal("default", app.Project);
            Assert.True(app.IsMultiSource);
            Assert.Equal(2, app.Sources.Count);
            Assert.Equal("nginx", app.Sources[0].Chart);
            Assert.Equal("values", app.Sources[1].Ref);
            var image = Assert.Single(app.Images);
            Assert.Equal("nginx", image.Alias);
            Assert.Equal("docker.io/bitnami/nginx", image.Image);
            Assert.Equal("bitnami/nginx", image.Repository);
            Assert.Equal("1.27.x", image.Constraint);
            Assert.Equal(UpdateStrategy.Semver, image.UpdateStrategy);
            Assert.Equal("images[0].repository", image.HelmImageName);
            Assert.Equal("images[0].tag", image.HelmImageTag);
            Assert.False(image.ForceUpdate);
            Assert.Equal(WriteBackMethod.Git, app.WriteBack.Method);
            Assert.Equal("secret:argocd/git-creds", app.WriteBack.Credentials);
            Assert.Equal(WriteBackTargetKind.HelmValues, app.WriteBack.Target.Kind);
            Assert.Equal("/helmvalues-list/source2/values.yaml", app.WriteBack.Target.Path);
            Assert.Equal("main", app.WriteBack.BaseBranch);
            Assert.Equal("https://github.com/chengfang/image-updater-examples.git", app.WriteBack.Repository);
            Assert.Same(app.Sources[1], app.AnnotatedSource);
            Assert.Null(app.LiveImages);
            Assert.Empty(Errors(app));
        }

        [Fact]
        public void App02_KustomizeDigestPlatforms()
        {
            var app = Assert.Single(ReadCorpus("app-02-kustomize-digest-platforms.yaml"));
            Assert.Equal(new[] { "nginx", "nginx2" }, app.Images.Select(i => i.Alias));
            Assert.All(app.Images, i => Assert.Equal(UpdateStrategy.Digest, i.UpdateStrategy));
            Assert.All(app.Images, i => Assert.Equal("latest", i.Constraint));
            Assert.All(app.Images, i => Assert.Equal(new[] { "linux/arm64", "linux/amd64" }, i.Platforms));
            Assert.Equal("bitnami/nginx", app.Images[1].Repository);
            Assert.Equal(WriteBackTargetKind.ArgoCDSource, app.WriteBack.Target.Kind);
            Assert.Equal("image-list-kustomize/source", app.Sources[0].Path);
            Assert.Empty(Errors(app));
        }

        [Fact]
        public void App03_PushBranch()
        {
            var app = Assert.Single(ReadCorpus("app-03-kustomize-push-branch.yaml"));
            Assert.Equal("1.16.x", app.Images[0].Constraint);
            Assert.Null(app.WriteBack.BaseBranch);
            Assert.Equal("push-branch", app.WriteBack.WriteBranch);
            Assert.Equal("main", app.Sources[0].TargetRevision);
        }

        [Fact]
        public void App04_OciChartHelmValuesSubchart()
        {
            var app = Assert.Single(ReadCorpus("app-04-oci-chart-helmvalues-subchart.yaml"));
            var image = Assert.Single(app.Images);
            Assert.Equal("web", image.Alias);
            Assert.Equal("ghcr.io/gvengelen/ready-changeset-argo-web", image.Image);
            Assert.Null(image.Constraint);
            Assert.Equal(UpdateStrategy.NewestBuild, image.UpdateStrategy);
            Assert.Equal("next-app.image.tag", image.HelmImageTag);
            Assert.Equal("next-app.image.repository", image.HelmImageName);
            Assert.Equal("/argocd/values/argocd-app-web.yaml", app.WriteBack.Target.Path);
            Assert.True(app.IsMultiSource);
            Assert.Equal("web", app.Sources[1].Chart);
            Assert.Same(app.Sources[0], app.AnnotatedSource);
            Assert.Empty(Errors(app));
        }

        [Fact]
        public void App05_MultiDocumentLiteralImageList()
        {
            var apps = ReadCorpus("app-05-multidoc-literal-image-list.yaml");
            Assert.Equal(new[] { "klnavi-prod", "klnavi-dev" }, apps.Select(a => a.Name));
            foreach (var app in apps)
            {
                var image = Assert.Single(app.Images);
                Assert.Equal("ui", image.Alias);
                Assert.Equal("ghcr.io/goat-community/digitransit-ui", image.Image);
                Assert.Equal(UpdateStrategy.NewestBuild, image.UpdateStrategy);
                Assert.Equal(new[] { "next", "latest" }, image.IgnoreTags);
                Assert.Equal(WriteBackMethod.Git, app.WriteBack.Method);
                Assert.Equal("HEAD", app.Sources[0].TargetRevision);
                Assert.Contains(app.Diagnostics, d => d.Key == "update-strategy" && d.Severity == DiagnosticSeverity.Warning);
            }

            Assert.Equal("argocd/apps/klnavi/overlays/dev", apps[1].Sources[0].Path);
        }

        [Fact]
        public void App06_TemplatedGitBranch()
        {
            var app = Assert.Single(ReadCorpus("app-06-templated-git-branch.yaml"));
            Assert.Equal("main", app.WriteBack.BaseBranch);
            Assert.Equal("image-updater{{range .Images}}-{{.Name}}-{{.NewTag}}{{end}}", app.WriteBack.WriteBranch);
            Assert.Equal(WriteBackTargetKind.Kustomization, app.WriteBack.Target.Kind);
            Assert.Equal("/kubernetes/argocd-image-updater/old-nginx", app.WriteBack.Target.Path);
            Assert.Equal("nginx", app.Images[0].Repository);
            Assert.Equal("docker.io", app.Images[0].Registry);
            Assert.True(app.Sources[0].IsKustomize);
        }

        [Fact]
        public void App07_EcrSemverAliases()
        {
            var app = Assert.Single(ReadCorpus("app-07-ecr-semver-aliases.yaml"));
            Assert.Equal(new[] { "frontend", "backend" }, app.Images.Select(i => i.Alias));
            Assert.Equal("${account_id}.dkr.ecr.${region}.amazonaws.com", app.Images[0].Registry);
            Assert.Equal("${frontend_repo}", app.Images[0].Repository);
            Assert.All(app.Images, i => Assert.Equal("1.0.x", i.Constraint));
            Assert.Equal("frontend-chart.image.tag", app.Images[0].HelmImageTag);
            Assert.Equal("backend-chart.image.repository", app.Images[1].HelmImageName);
            Assert.Equal("secret:argocd/github-credentials", app.WriteBack.Credentials);
            Assert.Equal("master", app.WriteBack.BaseBranch);
            Assert.Equal(new[] { "values.yaml" }, app.Sources[0].HelmValueFiles);
            Assert.Empty(Errors(app));
        }

        [Fact]
        public void App08_QuotedRegexpAllowTags()
        {
            var app = Assert.Single(ReadCorpus("app-08-quoted-regexp-allow-tags.yaml"));
            Assert.Equal("regexp:^sha-[0-9a-f]{40}$", app.Images[0].AllowTags);
            Assert.Equal("values.yaml", app.WriteBack.Target.Path);
            Assert.Equal("deploy/charts/ssuai-backend/values.yaml", RepositoryPath.Resolve(app.Sources[0].Path, app.WriteBack.Target.Path!));
            Assert.Empty(Errors(app));
        }

        [Fact]
        public void App09_UpstreamE2E_ReportsOptionForUnknownAlias()
        {
            var app = Assert.Single(ReadCorpus("app-09-upstream-e2e-multiple-images.yaml"));
            Assert.Equal(new[] { "test1", "test2" }, app.Images.Select(i => i.Alias));
            Assert.Equal("10.42.0.1:30000", app.Images[0].Registry);
            Assert.Equal("1.X.X", app.Images[1].Constraint);
            Assert.Contains(Errors(app), d => d.Key == "test.update-strategy");
        }

        [Fact]
        public void App10_PlainRegexpWithBackslashes()
        {
            var app = Assert.Single(ReadCorpus("app-10-plain-regexp-backslashes.yaml"));
            Assert.Equal("regexp:^v[0-9]+\\.[0-9]+\\.[0-9]+$", app.Images[0].AllowTags);
            Assert.Equal(UpdateStrategy.NewestBuild, app.Images[0].UpdateStrategy);
            Assert.Equal(WriteBackMethod.Argocd, app.WriteBack.Method);
        }

        [Fact]
        public void InvalidYaml_NamesFileLineAndColumn()
        {
            var ex = Assert.Throws<ImageUpdaterException>(() =>
                ApplicationManifestReader.ReadText("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: [broken\n", "bad.yaml", _ => { }));
            Assert.Equal(FailureKind.InvalidData, ex.Kind);
            Assert.StartsWith("bad.yaml:", ex.Message);
            Assert.Matches(@"^bad\.yaml:\d+:\d+: ", ex.Message);
        }

        [Fact]
        public void OtherKindsAreIgnored_StatusGivesLiveImages()
        {
            const string text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n---\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: a\n  annotations:\n    argocd-image-updater.argoproj.io/image-list: web=ghcr.io/o/web\nspec:\n  source:\n    repoURL: https://x/y.git\n    path: p\n    helm:\n      parameters:\n      - name: image.tag\n        value: 1.2.3\n        forceString: true\nstatus:\n  summary:\n    images:\n    - ghcr.io/o/web:1.2.3\n";
            var app = Assert.Single(ApplicationManifestReader.ReadText(text, "x.yaml", _ => { }));
            Assert.Equal(new[] { "ghcr.io/o/web:1.2.3" }, app.LiveImages);
            var parameter = Assert.Single(app.Sources[0].HelmParameters);
            Assert.Equal("1.2.3", parameter.Value);
            Assert.True(parameter.ForceString);
        }

        [Fact]
        public void TargetEscapingTheRepository_IsAnError()
        {
            const string text = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: a\n  annotations:\n    argocd-image-updater.argoproj.io/image-list: web=ghcr.io/o/web\n    argocd-image-updater.argoproj.io/write-back-method: git\n    argocd-image-updater.argoproj.io/write-back-target: helmvalues:../../x/values.yaml\nspec:\n  source:\n    repoURL: https://x/y.git\n    path: apps\n";
            var app = Assert.Single(ApplicationManifestReader.ReadText(text, "x.yaml", _ => { }));
            Assert.Contains(Errors(app), d => d.Key == "write-back-target" && d.Message.Contains("outside the repository"));
        }

        [Fact]
        public void ApplicationWithoutName_IsReportedAndOthersStillRead()
        {
            const string text = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {}\n---\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ok\n";
            var errors = new List<ImageUpdaterException>();
            var apps = ApplicationManifestReader.ReadText(text, "x.yaml", errors.Add);
            Assert.Equal("ok", Assert.Single(apps).Name);
            Assert.Equal("ApplicationWithoutName", Assert.Single(errors).ErrorId);
        }

        private const string Head = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n";

        private static ImageUpdaterException ReadFails(string text)
        {
            var ex = Assert.Throws<ImageUpdaterException>(() => ApplicationManifestReader.ReadText(text, "bad.yaml", _ => { }));
            Assert.Equal(FailureKind.InvalidData, ex.Kind);
            Assert.StartsWith("bad.yaml:", ex.Message);
            return ex;
        }

        [Fact]
        public void DeepNesting_IsRefusedWithoutOverflowingTheStack()
        {
            var ex = ReadFails(Head + "  name: a\nspec: " + new string('[', 10_000));
            Assert.Equal("YamlTooDeep", ex.ErrorId);
            Assert.Equal("YamlTooDeep", ReadFails(Head + "  name: a\nspec: " + new string('{', 100_000)).ErrorId);
        }

        [Fact]
        public void AliasBomb_IsRefusedInBoundedTime()
        {
            // 9^8 expanded nodes from about 1 KB: 65 s and 8 GB with a plain deserializer.
            var text = new System.Text.StringBuilder(Head + "  name: a\nx: &a0 [lol]\n");
            for (var i = 1; i <= 9; i++)
            {
                text.Append($"x{i}: &a{i} [" + string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9)) + "]\n");
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal("YamlAliasBomb", ReadFails(text.ToString()).ErrorId);
            Assert.True(clock.Elapsed < System.TimeSpan.FromSeconds(5), clock.Elapsed.ToString());
        }

        [Fact]
        public void OrdinaryAnchorsAndAliasesStillWork()
        {
            const string text = Head + "  name: a\n  annotations: &notes\n    argocd-image-updater.argoproj.io/image-list: web=ghcr.io/o/web\n  labels: *notes\nspec:\n  project: ~\n";
            var app = Assert.Single(ApplicationManifestReader.ReadText(text, "x.yaml", _ => { }));
            Assert.Equal("ghcr.io/o/web", Assert.Single(app.Images).Image);
            Assert.Equal("web=ghcr.io/o/web", app.Labels["argocd-image-updater.argoproj.io/image-list"]);
            Assert.Null(app.Project);
        }

        [Fact]
        public void RecursiveAliasesAndUnknownAliasesAreInvalid()
        {
            Assert.Equal("InvalidYaml", ReadFails(Head + "  name: a\nspec: &s\n  self: *s\n").ErrorId);
            Assert.Equal("InvalidYaml", ReadFails(Head + "  name: *nothing\n").ErrorId);
        }

        [Fact]
        public void AnUnclosedFlowCollection_IsInvalidYamlNotACrash()
        {
            Assert.Equal("InvalidYaml", ReadFails("x: [a\nb: c\n").ErrorId);
        }

        [Fact]
        public void AFileOverTheSizeLimitIsRefused()
        {
            var text = Head + "  name: a\n#" + new string('x', ImageUpdater.Core.Yaml.YamlTreeReader.MaxChars);
            Assert.Equal("YamlFileTooLarge", ReadFails(text).ErrorId);
        }

        [Theory]
        [InlineData("x/../../../.github/workflows/evil")]
        [InlineData("Web")]
        [InlineData("web-")]
        [InlineData("web app")]
        [InlineData("web\nx")]
        [InlineData("..")]
        public void ANameThatIsNotAKubernetesName_IsRefusedAndOthersStillRead(string name)
        {
            var text = Head + "  name: \"" + name.Replace("\n", "\\n") + "\"\n---\n" + Head + "  name: ok\n";
            var errors = new List<ImageUpdaterException>();
            var apps = ApplicationManifestReader.ReadText(text, "x.yaml", errors.Add);
            Assert.Equal("ok", Assert.Single(apps).Name);
            var error = Assert.Single(errors);
            Assert.Equal("ApplicationNameInvalid", error.ErrorId);
            Assert.Equal(FailureKind.InvalidData, error.Kind);
            Assert.StartsWith("x.yaml: ", error.Message);
            Assert.DoesNotContain("\n", error.Message);
        }

        [Fact]
        public void NamesAndNamespacesFollowKubernetes()
        {
            Assert.True(ApplicationMapper.IsName("web.example-1"));
            Assert.True(ApplicationMapper.IsName(new string('a', 253)));
            Assert.False(ApplicationMapper.IsName(new string('a', 254)));
            Assert.False(ApplicationMapper.IsName("web\n"));
            Assert.True(ApplicationMapper.IsNamespace("argo-cd"));
            Assert.False(ApplicationMapper.IsNamespace("argo.cd"));
            Assert.False(ApplicationMapper.IsNamespace(new string('a', 64)));

            var error = Assert.Throws<ImageUpdaterException>(() => ApplicationMapper.FromJson(
                System.Text.Json.JsonDocument.Parse("{\"metadata\":{\"name\":\"web\",\"namespace\":\"../etc\"}}").RootElement, "https://argocd/"));
            Assert.Equal("ApplicationNamespaceInvalid", error.ErrorId);
        }
    }
}
