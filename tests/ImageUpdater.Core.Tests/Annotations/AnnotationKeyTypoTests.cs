using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using Xunit;

namespace ImageUpdater.Core.Tests.Annotations
{
    public class AnnotationKeyTypoTests
    {
        private const string P = "argocd-image-updater.argoproj.io/";

        private static ParsedAnnotations Parse(params (string Key, string Value)[] keys) =>
            AnnotationParser.Parse("app", keys.ToDictionary(k => P + k.Key, k => k.Value));

        [Theory]
        [InlineData("write-back-methd", "Did you mean 'write-back-method'?")]
        [InlineData("foo-image.allow-tag", "Did you mean 'foo-image.allow-tags'?")]
        [InlineData("fooimage.allow-tags", "Did you mean 'foo-image.allow-tags'?")]
        [InlineData("foo-image.helm.image-tagg", "Did you mean 'foo-image.helm.image-tag'?")]
        public void AMistypedKeySuggestsTheNearestKnownKey(string key, string suggestion)
        {
            var parsed = Parse(("image-list", "foo-image=nginx"), (key, "x"));

            var diagnostic = Assert.Single(parsed.Diagnostics, d => d.Key == key);
            Assert.True(diagnostic.UnknownKey);
            Assert.EndsWith(suggestion, diagnostic.Message);
        }

        [Fact]
        public void AKeyFarFromEveryKnownKeyGetsNoSuggestion()
        {
            var diagnostic = Assert.Single(Parse(("image-list", "nginx"), ("completely-unrelated", "x")).Diagnostics);
            Assert.True(diagnostic.UnknownKey);
            Assert.DoesNotContain("Did you mean", diagnostic.Message);
        }

        [Fact]
        public void OnlyKeyTyposBecomeRunTimeWarningsNamingTheApplication()
        {
            var parsed = AnnotationParser.Parse("shop", new System.Collections.Generic.Dictionary<string, string>
            {
                [P + "image-list"] = "web=nginx",
                [P + "web.update-strategy"] = "nonsense",
                [P + "web.allow-tag"] = "regexp:^1",
            });
            var app = new ArgoApplication("shop") { Diagnostics = parsed.Diagnostics };

            var warning = Assert.Single(app.KeyWarnings());
            Assert.Equal("shop: Unknown annotation key 'argocd-image-updater.argoproj.io/web.allow-tag'; Argo CD Image Updater ignores it. Did you mean 'web.allow-tags'?", warning);
        }
    }
}
