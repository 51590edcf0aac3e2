using System.Collections.Generic;
using System.IO;
using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using Xunit;

namespace ImageUpdater.Core.Tests.Argo
{
    public class ImageUpdaterConversionTests
    {
        /// <summary>Everything the update reads from an Application's configuration, except the git author and message (no ImageUpdater field).</summary>
        internal static string Shape(ArgoApplication app) =>
            string.Join("\n", app.Images.Select(i => string.Join("|", i.KeyAlias, i.Reference.Original, i.UpdateStrategy, i.AllowTags, string.Join(",", i.IgnoreTags), string.Join(",", i.Platforms),
                i.ForceUpdate, i.PullSecret, i.HelmImageName, i.HelmImageTag, i.HelmImageSpec, i.KustomizeImageName, i.ApplicationNamespace)))
            + "\n" + string.Join("|", app.WriteBack.Method, app.WriteBack.Credentials, app.WriteBack.Target, app.WriteBack.BaseBranch, app.WriteBack.WriteBranch, app.WriteBack.Repository, app.AnnotatedSource?.Index);

        private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

        public static IEnumerable<TheoryDataRow<string>> RealWorld() =>
            new[] { "app-01-helmvalues-list-multisource.yaml", "app-02-kustomize-digest-platforms.yaml", "app-03-kustomize-push-branch.yaml", "app-04-oci-chart-helmvalues-subchart.yaml",
                "app-05-multidoc-literal-image-list.yaml", "app-06-templated-git-branch.yaml", "app-07-ecr-semver-aliases.yaml", "app-08-quoted-regexp-allow-tags.yaml",
                "app-09-upstream-e2e-multiple-images.yaml", "app-10-plain-regexp-backslashes.yaml" }.Select(f => new TheoryDataRow<string>(f));

        [Theory]
        [MemberData(nameof(RealWorld))]
        public void RealWorldApplicationsRoundTripThroughAResourceAndBack(string file)
        {
            var original = ApplicationManifestReader.ReadFile(SharedData.RealWorld(file), ex => throw ex).Where(a => a.Images.Count > 0).ToList();
            Assert.NotEmpty(original);

            var yaml = ImageUpdaterConversion.ToImageUpdaterYaml(original, "image-updater", onePerApplication: false);
            var resources = ImageUpdaterReader.ReadText(yaml, "converted.yaml", ex => throw ex);
            Assert.All(resources, r => Assert.DoesNotContain(ImageUpdaterSchema.Check(r.Manifest!), p => p.Severity == DiagnosticSeverity.Error));

            // Annotations → resource: the same specs for Applications that no longer carry annotations.
            var plain = original.Select(a => ApplicationMapper.Reconfigure(a, None, "none")).ToList();
            var configured = ImageUpdaterResolver.Apply(resources, plain).Where(r => r.Kind == ApplicationReadKind.Application).Select(r => r.Application!).ToList();
            Assert.Equal(original.Select(a => a.QualifiedName), configured.Select(a => a.QualifiedName));
            for (var i = 0; i < original.Count; i++)
            {
                Assert.Equal(Shape(original[i]), Shape(configured[i]));
            }

            // Resource → annotations: the metadata patch parses to the same specs again.
            foreach (var (app, back) in configured.Zip(original, (c, o) => (c, o)))
            {
                var patch = ImageUpdaterConversion.ToAnnotationYaml(app);
                var annotations = ApplicationManifestReader.ReadText(patch + "spec: {}\n", "patch.yaml", ex => throw ex).Single().Annotations;
                Assert.Equal(Shape(back), Shape(ApplicationMapper.Reconfigure(back, annotations, "patch")));
            }
        }

        [Fact]
        public void ConvertedYamlIsWhatAPersonWouldCommit()
        {
            var apps = ApplicationManifestReader.ReadText(@"apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: production-app
  namespace: argocd
  annotations:
    argocd-image-updater.argoproj.io/image-list: nginx=nginx:1.20,redis=redis:6.2
    argocd-image-updater.argoproj.io/write-back-method: git
    argocd-image-updater.argoproj.io/git-branch: main
    argocd-image-updater.argoproj.io/update-strategy: semver
    argocd-image-updater.argoproj.io/nginx.allow-tags: regexp:^[0-9]+\.[0-9]+$
    argocd-image-updater.argoproj.io/nginx.ignore-tags: latest, dev
    argocd-image-updater.argoproj.io/redis.update-strategy: latest
    argocd-image-updater.argoproj.io/git.user: bot
spec:
  source: {repoURL: 'https://git.example.com/a.git', path: app, helm: {}}
", "a.yaml", ex => throw ex);
            var yaml = ImageUpdaterConversion.ToImageUpdaterYaml(apps, "image-updater", false);
            Assert.Equal(@"apiVersion: argocd-image-updater.argoproj.io/v1alpha1
kind: ImageUpdater
metadata:
  name: ""image-updater""
  namespace: ""argocd""
spec:
  applicationRefs:
    # git.user: ""bot"" (no ImageUpdater field: upstream takes it from the controller's settings; use -AuthorName, -AuthorEmail or the default message)
    - namePattern: ""production-app""
      commonUpdateSettings:
        updateStrategy: ""semver""
      writeBackConfig:
        method: ""git""
        gitConfig:
          branch: ""main""
      images:
        - alias: ""nginx""
          imageName: ""nginx:1.20""
          commonUpdateSettings:
            allowTags: ""regexp:^[0-9]+\\.[0-9]+$""
            ignoreTags:
              - ""latest""
              - ""dev""
        - alias: ""redis""
          imageName: ""redis:6.2""
          commonUpdateSettings:
            updateStrategy: ""latest""
".Replace("\r\n", "\n"), yaml);
        }

        [Theory]
        [InlineData("https://github.com/org/a.git", "github")]
        [InlineData("https://gitlab.example.com/org/a.git", "gitlab")]
        public void GitPullRequestBecomesThePullRequestFieldAndComesBack(string repoUrl, string provider)
        {
            var apps = ApplicationManifestReader.ReadText(
                $"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web\n  annotations:\n    argocd-image-updater.argoproj.io/image-list: web=nginx\n    argocd-image-updater.argoproj.io/write-back-method: git\n    argocd-image-updater.argoproj.io/git-branch: main:image-updater-web\n    argocd-image-updater.argoproj.io/git.pull-request: \"true\"\nspec:\n  source: {{repoURL: '{repoUrl}', path: app, helm: {{}}}}\n",
                "a.yaml", ex => throw ex);
            var yaml = ImageUpdaterConversion.ToImageUpdaterYaml(apps, "fleet", true);
            var resource = ImageUpdaterReader.ReadText(yaml, "r.yaml", ex => throw ex).Single();

            Assert.DoesNotContain("# git.pull-request", yaml, System.StringComparison.Ordinal);
            Assert.Equal(provider, (resource.WriteBackConfig ?? resource.ApplicationRefs[0].WriteBackConfig)!.PullRequest);
            var back = ImageUpdaterAnnotations.ForReference(resource, resource.ApplicationRefs[0]);
            Assert.Equal("true", back.Annotations["argocd-image-updater.argoproj.io/git.pull-request"]);
        }

        [Fact]
        public void SharedWriteBackMovesToSpecAndOnePerApplicationNamesEachAfterItsApplication()
        {
            var apps = Enumerable.Range(1, 2).Select(i => ApplicationManifestReader.ReadText(
                $"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web-{i}\n  annotations:\n    argocd-image-updater.argoproj.io/image-list: web=nginx\n    argocd-image-updater.argoproj.io/write-back-method: git\nspec:\n  source: {{repoURL: 'https://git.example.com/a.git', path: app, helm: {{}}}}\n",
                "a.yaml", ex => throw ex).Single()).ToList();
            var grouped = ImageUpdaterReader.ReadText(ImageUpdaterConversion.ToImageUpdaterYaml(apps, "fleet", false), "g.yaml", ex => throw ex).Single();
            Assert.Equal("git", grouped.WriteBackConfig!.Method);
            Assert.All(grouped.ApplicationRefs, r => Assert.Null(r.WriteBackConfig));
            var single = ImageUpdaterReader.ReadText(ImageUpdaterConversion.ToImageUpdaterYaml(apps, "fleet", true), "s.yaml", ex => throw ex);
            Assert.Equal(new[] { "argocd/web-1", "argocd/web-2" }, single.Select(r => r.QualifiedName));
        }
    }
}
