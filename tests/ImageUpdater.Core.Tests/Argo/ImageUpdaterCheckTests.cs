using System.Collections.Generic;
using System.IO;
using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using Xunit;

namespace ImageUpdater.Core.Tests.Argo
{
    public class ImageUpdaterCheckTests
    {
        private static ImageUpdaterResource Resource(string yaml) => ImageUpdaterReader.ReadText(yaml, "test.yaml", ex => throw ex).Single();

        private static Dictionary<string, object?> Tree(string yaml) => (Dictionary<string, object?>)ImageUpdater.Core.Yaml.YamlObjectReader.Read(yaml, "t").Single()!;

        [Theory]
        [InlineData("has(self.spec) || has(self.name)", "{name: x}", true)]
        [InlineData("has(self.spec) || has(self.name)", "{tag: x}", false)]
        [InlineData("(has(self.helm) ? 1 : 0) + (has(self.kustomize) ? 1 : 0) + (has(self.plugin) ? 1 : 0) == 1", "{helm: {}, kustomize: {}}", false)]
        [InlineData("(has(self.helm) ? 1 : 0) + (has(self.kustomize) ? 1 : 0) + (has(self.plugin) ? 1 : 0) == 1", "{kustomize: {name: a}}", true)]
        [InlineData("self.enabled == false || has(self.cosignKey)", "{enabled: false}", true)]
        [InlineData("self.enabled == false || has(self.cosignKey)", "{enabled: true}", false)]
        [InlineData("!(has(self.useAnnotations) && self.useAnnotations == true) ? (has(self.images) && size(self.images) > 0) : true", "{namePattern: a}", false)]
        [InlineData("!(has(self.useAnnotations) && self.useAnnotations == true) ? (has(self.images) && size(self.images) > 0) : true", "{namePattern: a, useAnnotations: true}", true)]
        [InlineData("!(has(self.useAnnotations) && self.useAnnotations == true) ? (has(self.images) && size(self.images) > 0) : true", "{namePattern: a, images: [{}]}", true)]
        public void CelSubsetEvaluatesTheCrdsRules(string rule, string self, bool expected) => Assert.Equal(expected, CelRule.Holds(rule, Tree(self)));

        [Fact]
        public void CelOutsideTheSubsetIsNotGuessed() => Assert.Throws<System.FormatException>(() => CelRule.Holds("self.items.all(x, x > 1)", Tree("{items: [1]}")));

        [Fact]
        public void EveryUpstreamSamplePassesTheCrdSchema()
        {
            foreach (var file in Directory.GetFiles(Path.GetDirectoryName(ImageUpdaterResolverTests.Upstream("README.md"))!, "*imageupdater*.yaml"))
            {
                foreach (var (resource, _) in ImageUpdaterReader.ReadFiles(new[] { file }, false))
                {
                    Assert.DoesNotContain(ImageUpdaterSchema.Check(resource!.Manifest!), p => p.Severity == DiagnosticSeverity.Error);
                }
            }
        }

        [Fact]
        public void PlantedErrorsAreFoundAtTheirFields()
        {
            var resource = Resource(@"apiVersion: argocd-image-updater.argoproj.io/v1alpha1
kind: ImageUpdater
metadata: {name: planted, namespace: argocd}
spec:
  commonUpdateSettings: {updateStrategy: newest, allowTag: 'regexp:^v'}
  writeBackConfig: {method: 'github'}
  applicationRefs:
  - namePattern: 'app-['
    images:
    - alias: web
      imageName: ghcr.io/acme/web:~1.2
      commonUpdateSettings: {allowTags: 'regexp:^(v', forceUpdate: 'yes'}
      manifestTargets: {helm: {name: a}, kustomize: {name: b}}
    - alias: '-bad'
      imageName: nginx
  - namePattern: 'app-*'
    labelSelectors: {matchExpressions: [{key: tier, operator: Gt, values: ['1']}]}
  - namePattern: 'svc-*'
    images: [{alias: api, imageName: 'ghcr.io/acme/api:not-a-range', commonUpdateSettings: {updateStrategy: semver}}]
");
            var found = ImageUpdaterCheck.Check(resource, new ArgoApplication[0]);
            string At(string key) => string.Join(" | ", found.Where(d => d.Key == key).Select(d => d.Message));
            Assert.Contains("Unknown field 'allowTag'", At("spec.commonUpdateSettings.allowTag"));
            Assert.Contains("Did you mean 'allowTags'?", At("spec.commonUpdateSettings.allowTag"));
            Assert.Contains("does not match the CRD's pattern", At("spec.writeBackConfig.method"));
            Assert.Contains("Invalid write-back method 'github'", At("spec.writeBackConfig.method"));
            Assert.Contains("not a valid glob", At("spec.applicationRefs[0].namePattern"));
            Assert.Contains("Exactly one of helm, kustomize, or plugin", At("spec.applicationRefs[0].images[0].manifestTargets"));
            Assert.Contains("must be true or false", At("spec.applicationRefs[0].images[0].commonUpdateSettings.forceUpdate"));
            Assert.False(string.IsNullOrEmpty(At("spec.applicationRefs[0].images[0].commonUpdateSettings.allowTags")));
            Assert.Contains("Unknown update strategy 'newest'", At("spec.commonUpdateSettings.updateStrategy"));
            Assert.Contains("does not match the CRD's pattern", At("spec.applicationRefs[0].images[1].alias"));
            Assert.Contains("Either useAnnotations must be true, or images must be provided", At("spec.applicationRefs[1]"));
            Assert.Contains("label selector is invalid", At("spec.applicationRefs[1].labelSelectors"));
            Assert.Contains("not-a-range", At("spec.applicationRefs[2].images"));
            Assert.Contains("selects none of the 0 Application(s)", At("spec.applicationRefs[2]"));
            Assert.All(found.Where(d => d.Key.StartsWith("spec.applicationRefs[0].images[0].commonUpdateSettings.allowTags")), d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
        }

        [Fact]
        public void DuplicateNamePatternsAndAliasesAreRefusedAsTheApiServerDoes()
        {
            var resource = Resource("apiVersion: argocd-image-updater.argoproj.io/v1alpha1\nkind: ImageUpdater\nmetadata: {name: dup}\nspec:\n  applicationRefs:\n  - {namePattern: a, useAnnotations: true}\n  - namePattern: a\n    images: [{alias: x, imageName: nginx}, {alias: x, imageName: redis}]\n");
            var found = ImageUpdaterCheck.Check(resource, null);
            Assert.Contains(found, d => d.Key == "spec.applicationRefs[1]" && d.Message.Contains("repeats namePattern 'a'"));
            Assert.Contains(found, d => d.Key == "spec.applicationRefs[1].images[1]" && d.Message.Contains("repeats alias 'x'"));
        }
    }
}
