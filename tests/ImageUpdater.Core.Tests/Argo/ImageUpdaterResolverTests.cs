using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Tags;
using Xunit;

namespace ImageUpdater.Core.Tests.Argo
{
    public class ImageUpdaterResolverTests
    {
        /// <summary>tests/Upstream/ImageUpdaterCrd: upstream's CRD and samples (see its README).</summary>
        internal static string Upstream(string file)
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ImageUpdater.PS.sln")))
            {
                dir = dir.Parent;
            }

            return Path.Combine(dir!.FullName, "tests", "Upstream", "ImageUpdaterCrd", file);
        }

        private static ImageUpdaterResource Resource(string yaml) =>
            ImageUpdaterReader.ReadText(yaml, "test.yaml", ex => throw ex).Single();

        private static ArgoApplication App(string name, IDictionary<string, string>? labels = null, IDictionary<string, string>? annotations = null, string? ns = "argocd")
        {
            var yaml = $"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n" + (ns is null ? string.Empty : $"  namespace: {ns}\n")
                + Map("labels", labels) + Map("annotations", annotations)
                + "spec:\n  source:\n    repoURL: https://git.example.com/gitops.git\n    path: apps/" + name + "\n    helm: {}\n";
            return ApplicationManifestReader.ReadText(yaml, "app.yaml", ex => throw ex).Single();
        }

        private static string Map(string key, IDictionary<string, string>? values) =>
            values is null ? string.Empty : $"  {key}:\n" + string.Concat(values.Select(p => $"    {p.Key}: '{p.Value.Replace("'", "''")}'\n"));

        private static List<ArgoApplication> Configured(IEnumerable<ApplicationRead> reads) =>
            reads.Where(r => r.Kind == ApplicationReadKind.Application).Select(r => r.Application!).ToList();

        [Theory]
        [InlineData("app-*", "app-001", true)]
        [InlineData("app-*", "app", false)]
        [InlineData("app-00?", "app-001", true)]
        [InlineData("app-00?", "app-0012", false)]
        [InlineData("app-[0-9]*", "app-7x", true)]
        [InlineData("app-[^0-9]*", "app-7x", false)]
        [InlineData("App-*", "app-1", false)]
        [InlineData("app-\\*", "app-*", true)]
        [InlineData("*", "anything.at-all", true)]
        public void NamePatternIsGoFilepathMatch(string pattern, string name, bool expected)
        {
            var glob = GlobPattern.TryParse(pattern, out var problem);
            Assert.Null(problem);
            Assert.Equal(expected, glob!.IsMatch(name));
        }

        [Theory]
        [InlineData("app-[")]
        [InlineData("app-[a-")]
        [InlineData("app-\\")]
        [InlineData("app-[]")]
        [InlineData("app-[z-a]")]
        public void MalformedPatternIsRefusedAsGoDoes(string pattern)
        {
            Assert.Null(GlobPattern.TryParse(pattern, out var problem));
            Assert.False(string.IsNullOrEmpty(problem));
        }

        [Fact]
        public void LabelSelectorMatchesLabelsAndExpressions()
        {
            var selector = new LabelSelector
            {
                MatchLabels = new Dictionary<string, string> { ["app"] = "true" },
                MatchExpressions = new[] { new LabelRequirement("key", "In", new[] { "value1", "value2" }), new LabelRequirement("legacy", "DoesNotExist", Array.Empty<string>()) },
            };
            Assert.True(selector.Matches(new Dictionary<string, string> { ["app"] = "true", ["key"] = "value2" }));
            Assert.False(selector.Matches(new Dictionary<string, string> { ["app"] = "true", ["key"] = "value3" }));
            Assert.False(selector.Matches(new Dictionary<string, string> { ["app"] = "true", ["key"] = "value1", ["legacy"] = "x" }));
            var invalid = new LabelSelector { MatchExpressions = new[] { new LabelRequirement("key", "Gt", new[] { "1" }) } };
            Assert.NotNull(invalid.Problem());
            Assert.False(invalid.Matches(new Dictionary<string, string> { ["key"] = "2" }));
        }

        [Fact]
        public void SpecificityRanksExactNamesThenLiteralsThenSelectors()
        {
            Assert.Equal(1_000_007, ImageUpdaterResolver.Specificity(new ApplicationRef("app-001")));
            Assert.Equal(4, ImageUpdaterResolver.Specificity(new ApplicationRef("app-*")));
            Assert.Equal(4, ImageUpdaterResolver.Specificity(new ApplicationRef("app-[0-9]")));
            var withSelector = new ApplicationRef("*") { LabelSelectors = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["a"] = "b" } } };
            Assert.Equal(10_100, ImageUpdaterResolver.Specificity(withSelector));
        }

        [Fact]
        public void ReadsUpstreamSampleWithEveryLevel()
        {
            var resources = ImageUpdaterReader.ReadFiles(new[] { Upstream("argocd-image-updater_v1alpha1_imageupdater.yaml") }, false).ToList();
            var sample = Assert.Single(resources).Resource!;
            Assert.Equal("argocd/argocd-image-updater-sample", sample.QualifiedName);
            Assert.Equal("semver", sample.CommonUpdateSettings!.UpdateStrategy);
            Assert.Equal(new[] { "latest", "master" }, sample.CommonUpdateSettings.IgnoreTags);
            Assert.Equal("git:secret:git-creds", sample.WriteBackConfig!.Method);
            Assert.Equal(new[] { "*", "app-001", "app-002", "app-*", "app-003" }, sample.ApplicationRefs.Select(r => r.NamePattern));
            Assert.True(sample.ApplicationRefs[0].UseAnnotations);
            var nginx = sample.ApplicationRefs[2].Images.Single(i => i.Alias == "nginx");
            Assert.Equal("image/name:1.0", nginx.HelmSpec);
            Assert.Equal("In", sample.ApplicationRefs[3].LabelSelectors!.MatchExpressions.Single().Operator);
        }

        [Fact]
        public void ReadsEveryUpstreamSampleAndTheMigrationExample()
        {
            var files = Directory.GetFiles(Path.GetDirectoryName(Upstream("README.md"))!, "*.yaml");
            var reads = ImageUpdaterReader.ReadFiles(files, false).ToList();
            Assert.All(reads, r => Assert.Null(r.Error));
            Assert.Equal(7, reads.Count);
        }

        [Fact]
        public void ThreeLevelsMergeFieldByFieldAsUpstream()
        {
            var resource = Resource(@"apiVersion: argocd-image-updater.argoproj.io/v1alpha1
kind: ImageUpdater
metadata: {name: shop, namespace: argocd}
spec:
  commonUpdateSettings: {updateStrategy: digest, ignoreTags: [latest], allowTags: 'regexp:^v'}
  writeBackConfig:
    method: git
    gitConfig: {branch: main, writeBackTarget: 'helmvalues:values.yaml'}
  applicationRefs:
  - namePattern: 'shop-*'
    commonUpdateSettings: {updateStrategy: semver, platforms: [linux/arm64]}
    writeBackConfig:
      gitConfig: {branch: 'main:image-updates'}
    images:
    - alias: web
      imageName: ghcr.io/acme/web:~1.2
      commonUpdateSettings: {ignoreTags: [dev, rc]}
      manifestTargets: {helm: {name: web.image.repository, tag: web.image.tag}}
    - alias: api
      imageName: ghcr.io/acme/api
      commonUpdateSettings: {updateStrategy: newest-build, forceUpdate: true}
");
            var app = Assert.Single(Configured(ImageUpdaterResolver.Apply(new[] { resource }, new[] { App("shop-web") })));
            var web = app.Images.Single(i => i.Alias == "web");
            Assert.Equal(UpdateStrategy.Semver, web.UpdateStrategy);
            Assert.Equal(new[] { "dev", "rc" }, web.IgnoreTags);
            Assert.Equal("regexp:^v", web.AllowTags);
            Assert.Equal(new[] { "linux/arm64" }, web.Platforms);
            Assert.Equal("web.image.repository", web.HelmImageName);
            Assert.Equal("~1.2", web.Constraint);
            var api = app.Images.Single(i => i.Alias == "api");
            Assert.Equal(UpdateStrategy.NewestBuild, api.UpdateStrategy);
            Assert.True(api.ForceUpdate);
            Assert.Equal(new[] { "latest" }, api.IgnoreTags);
            Assert.Equal(WriteBackMethod.Git, app.WriteBack.Method);
            Assert.Equal("main", app.WriteBack.BaseBranch);
            Assert.Equal("image-updates", app.WriteBack.WriteBranch);
            Assert.Equal(WriteBackTargetKind.HelmValues, app.WriteBack.Target.Kind);
            Assert.StartsWith("argocd/shop applicationRefs[0]", app.ConfiguredBy);
        }

        [Fact]
        public void SameSpecsAsTheEquivalentAnnotations()
        {
            var resource = Resource(@"apiVersion: argocd-image-updater.argoproj.io/v1alpha1
kind: ImageUpdater
metadata: {name: shop, namespace: argocd}
spec:
  writeBackConfig: {method: 'git:secret:argocd/git-creds', gitConfig: {writeBackTarget: kustomization, repository: 'https://git.example.com/other.git'}}
  applicationRefs:
  - namePattern: shop-web
    images:
    - {alias: web, imageName: 'ghcr.io/acme/web:1.x', commonUpdateSettings: {allowTags: 'regexp:^1\.', pullSecret: 'secret:argocd/pull#creds'}, manifestTargets: {kustomize: {name: acme/web}}}
");
            var fromResource = Configured(ImageUpdaterResolver.Apply(new[] { resource }, new[] { App("shop-web") })).Single();
            var annotated = App("shop-web", annotations: new Dictionary<string, string>
            {
                [AnnotationKeys.Prefix + "image-list"] = "web=ghcr.io/acme/web:1.x",
                [AnnotationKeys.Prefix + "allow-tags"] = "regexp:^1\\.",
                [AnnotationKeys.Prefix + "pull-secret"] = "secret:argocd/pull#creds",
                [AnnotationKeys.Prefix + "web.kustomize.image-name"] = "acme/web",
                [AnnotationKeys.Prefix + "write-back-method"] = "git:secret:argocd/git-creds",
                [AnnotationKeys.Prefix + "write-back-target"] = "kustomization",
                [AnnotationKeys.Prefix + "git-repository"] = "https://git.example.com/other.git",
            });
            string Shape(ArgoApplication a) => string.Join("|", a.Images.Select(i => $"{i}/{i.UpdateStrategy}/{i.AllowTags}/{i.PullSecret}/{i.KustomizeImageName}/{string.Join(",", i.IgnoreTags)}/{i.ForceUpdate}"))
                + "|" + a.WriteBack + "|" + a.WriteBack.Credentials + "|" + a.WriteBack.Repository + "|" + a.WriteBack.BaseBranch;
            Assert.Equal(Shape(annotated), Shape(fromResource));
            Assert.Empty(fromResource.Diagnostics);
        }

        [Fact]
        public void MostSpecificReferenceWinsAndSelectorsFilter()
        {
            var resource = Resource(@"apiVersion: argocd-image-updater.argoproj.io/v1alpha1
kind: ImageUpdater
metadata: {name: shop, namespace: argocd}
spec:
  applicationRefs:
  - namePattern: 'app-*'
    images: [{alias: broad, imageName: nginx}]
  - namePattern: 'app-*'
    labelSelectors: {matchLabels: {tier: front}}
    images: [{alias: labelled, imageName: nginx}]
  - namePattern: app-001
    images: [{alias: exact, imageName: nginx}]
");
            var apps = new[] { App("app-001"), App("app-002", new Dictionary<string, string> { ["tier"] = "front" }), App("app-003"), App("other") };
            var configured = Configured(ImageUpdaterResolver.Apply(new[] { resource }, apps));
            Assert.Equal(new[] { "app-001:exact", "app-002:labelled", "app-003:broad" }, configured.Select(a => a.Name + ":" + a.Images.Single().Alias));
        }

        [Fact]
        public void UseAnnotationsKeepsTheApplicationsOwnAnnotationsAndOtherwiseTheyAreIgnored()
        {
            var resource = Resource(@"apiVersion: argocd-image-updater.argoproj.io/v1alpha1
kind: ImageUpdater
metadata: {name: shop, namespace: argocd}
spec:
  applicationRefs:
  - namePattern: legacy-*
    useAnnotations: true
  - namePattern: new-*
    images: [{alias: cr, imageName: nginx}]
");
            var own = new Dictionary<string, string> { [AnnotationKeys.Prefix + "image-list"] = "own=redis" };
            var reads = ImageUpdaterResolver.Apply(new[] { resource }, new[] { App("legacy-a", annotations: own), App("new-b", annotations: own), App("unselected", annotations: own) }).ToList();
            var configured = Configured(reads);
            Assert.Equal(new[] { "legacy-a:own", "new-b:cr" }, configured.Select(a => a.Name + ":" + a.Images.Single().Alias));
            Assert.Contains(reads, r => r.Kind == ApplicationReadKind.Warning && r.Message!.Contains("new-b") && r.Message.Contains("ignored"));
            Assert.Contains(reads, r => r.Kind == ApplicationReadKind.Verbose && r.Message!.Contains("unselected") && r.Message.Contains("useAnnotations: true"));
        }

        [Fact]
        public void OnlyApplicationsOfTheResourcesNamespace()
        {
            var resource = Resource("apiVersion: argocd-image-updater.argoproj.io/v1alpha1\nkind: ImageUpdater\nmetadata: {name: t, namespace: team-a}\nspec:\n  applicationRefs:\n  - namePattern: '*'\n    images: [{alias: x, imageName: nginx}]\n");
            var configured = Configured(ImageUpdaterResolver.Apply(new[] { resource }, new[] { App("one", ns: "team-a"), App("two", ns: "argocd"), App("three", ns: null) }));
            Assert.Equal(new[] { "one" }, configured.Select(a => a.Name));
        }

        [Fact]
        public void PullRequestsBecomeTheAnnotationVerificationAndPluginsAreRefusedNotSilentlyPushed()
        {
            var reads = ImageUpdaterResolver.Apply(
                ImageUpdaterReader.ReadFiles(new[] { Upstream("argocd-image-updater_v1alpha1_imageupdater-pull-request.yaml"), Upstream("argocd-image-updater_v1alpha1_imageupdater-verification.yaml"), Upstream("argocd-image-updater_v1alpha1_imageupdater-plugin.yaml") }, false).Select(r => r.Resource!).ToList(),
                new[] { App("app-001"), App("my-app"), App("my-plugin-app"), App("my-plugin-app-spec") }).ToList();

            // The pull-request application asks for a pull request (its labels are reported as not applied); only the image
            // that opts out of verification is left of the other; the plugin applications are not configured.
            var configured = Configured(reads).OrderBy(a => a.Name).ToList();
            Assert.Equal(new[] { "app-001:nginx", "my-app:no-signature" }, configured.Select(a => a.Name + ":" + a.Images.Single().Alias));
            Assert.True(configured[0].WriteBack.PullRequest);
            Assert.Null(configured[1].WriteBack.PullRequest);
            Assert.Contains(reads, r => r.Kind == ApplicationReadKind.Warning && r.Message!.Contains("app-001") && r.Message.Contains("labels (image-update) are not applied"));
            Assert.Contains(reads, r => r.Kind == ApplicationReadKind.Warning && r.Message!.Contains("'backend'") && r.Message.Contains("signature verification"));
            Assert.Contains(reads, r => r.Kind == ApplicationReadKind.Warning && r.Message!.Contains("my-plugin-app-spec") && r.Message.Contains("plugin"));
        }

        [Fact]
        public void InvalidNamePatternRefusesTheResource()
        {
            var resource = Resource("apiVersion: argocd-image-updater.argoproj.io/v1alpha1\nkind: ImageUpdater\nmetadata: {name: bad}\nspec:\n  applicationRefs:\n  - namePattern: 'app-['\n    images: [{alias: x, imageName: nginx}]\n");
            var reads = ImageUpdaterResolver.Apply(new[] { resource }, new[] { App("app-1") }).ToList();
            var error = Assert.Single(reads, r => r.Kind == ApplicationReadKind.Error);
            Assert.Equal("ImageUpdaterNamePatternInvalid", error.Error!.ErrorId);
            Assert.Empty(Configured(reads));
        }

        [Fact]
        public void MissingNamePatternIsAClearError()
        {
            var errors = new List<ImageUpdaterException>();
            ImageUpdaterReader.ReadText("apiVersion: argocd-image-updater.argoproj.io/v1alpha1\nkind: ImageUpdater\nmetadata: {name: bad}\nspec:\n  applicationRefs:\n  - images: []\n", "crs.yaml", errors.Add);
            var error = Assert.Single(errors);
            Assert.Contains("applicationRefs[0] has no namePattern", error.Message);
            Assert.Contains("crs.yaml", error.Message);
        }
    }
}
