using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Argo;
using Xunit;

namespace ImageUpdater.Core.Tests.Argo
{
    public class ApplicationQueryTests
    {
        private static JsonElement App(string name, string project = "default") =>
            JsonDocument.Parse($$$"""{"apiVersion":"argoproj.io/v1alpha1","kind":"Application","metadata":{"name":"{{{name}}}","namespace":"argocd"},"spec":{"project":"{{{project}}}"}}""").RootElement.Clone();

        /// <summary>An API with shop-web, shop-api (project shop) and billing (finance) that records its calls.</summary>
        private sealed class FakeApi
        {
            public List<string> Calls { get; } = new List<string>();

            public ImageUpdaterException? ListFailure { get; set; }

            private readonly Dictionary<string, JsonElement> apps = new Dictionary<string, JsonElement>
            {
                ["shop-web"] = App("shop-web", "shop"),
                ["shop-api"] = App("shop-api", "shop"),
                ["billing"] = App("billing", "finance"),
            };

            public ApplicationApi Api => new ApplicationApi(
                "https://argocd.test/",
                (name, _) =>
                {
                    Calls.Add("GET " + name);
                    return apps.TryGetValue(name, out var app)
                        ? Task.FromResult(app)
                        : Task.FromException<JsonElement>(new ImageUpdaterException("ArgoApplicationNotFound", FailureKind.ObjectNotFound, "no " + name, name));
                },
                _ =>
                {
                    Calls.Add("LIST");
                    return ListFailure is null ? Task.FromResult<IReadOnlyList<JsonElement>>(apps.Values.ToList()) : Task.FromException<IReadOnlyList<JsonElement>>(ListFailure);
                },
                name => "get " + name,
                "list",
                "https://argocd.test/",
                "at https://argocd.test/");
        }

        private static List<ApplicationRead> Fetch(ApplicationQuery query, FakeApi api) => query.Fetch(api.Api, CancellationToken.None).ToList();

        private static IEnumerable<string> Names(IEnumerable<ApplicationRead> reads) => reads.Where(r => r.Kind == ApplicationReadKind.Application).Select(r => r.Application!.Name);

        [Theory]
        [InlineData("shop-web", false)]
        [InlineData("shop-*", true)]
        [InlineData("shop-?eb", true)]
        [InlineData("shop-[aw]*", true)]
        [InlineData("shop`*", false)]
        public void WildcardsAreThoseOfPowerShell(string text, bool wildcard)
        {
            Assert.Equal(wildcard, NamePattern.HasWildcards(text));
        }

        [Fact]
        public void PatternsMatchCaseInsensitivelyAndWhole()
        {
            Assert.True(new NamePattern("SHOP-*").IsMatch("shop-web"));
            Assert.True(new NamePattern("shop-[a-c]pi").IsMatch("shop-api"));
            Assert.False(new NamePattern("shop-[a-c]pi").IsMatch("shop-xpi"));
            Assert.False(new NamePattern("shop").IsMatch("shop-web"));
            Assert.False(new NamePattern("shop.web").IsMatch("shopXweb"));
            Assert.True(new NamePattern("a`*b").IsMatch("a*b"));
            Assert.False(new NamePattern("a`*b").IsMatch("axb"));
        }

        [Fact]
        public void ExactNamesAreFetchedOneByOne_AMissingOneIsAnErrorForThatName()
        {
            var api = new FakeApi();
            var reads = Fetch(new ApplicationQuery(new[] { "shop-web", "nope", "billing" }), api);
            Assert.Equal(new[] { "GET shop-web", "GET nope", "GET billing" }, api.Calls);
            Assert.Equal(new[] { "shop-web", "billing" }, Names(reads));
            var error = Assert.Single(reads, r => r.Kind == ApplicationReadKind.Error);
            Assert.Equal("ArgoApplicationNotFound", error.Error!.ErrorId);
            Assert.Equal("nope", error.Target);
            Assert.Contains(reads, r => r.Kind == ApplicationReadKind.Verbose && r.Message == "get shop-web");
            Assert.DoesNotContain(reads, r => r.Kind == ApplicationReadKind.Warning);
        }

        [Fact]
        public void AnyWildcardMeansOneListingFilteredHere()
        {
            var api = new FakeApi();
            var reads = Fetch(new ApplicationQuery(new[] { "shop-web", "BILL*" }), api);
            Assert.Equal(new[] { "LIST" }, api.Calls);
            Assert.Equal(new[] { "shop-web", "billing" }, Names(reads).OrderByDescending(n => n));
        }

        [Fact]
        public void ProjectsFilterTheListing_AndAProjectThatMatchedNothingIsAWarning()
        {
            var api = new FakeApi();
            var reads = Fetch(new ApplicationQuery(projects: new[] { "shop", "nope" }), api);
            Assert.Equal(new[] { "shop-web", "shop-api" }, Names(reads));
            var warning = Assert.Single(reads, r => r.Kind == ApplicationReadKind.Warning);
            Assert.Equal("Project 'nope' matched no Application at https://argocd.test/.", warning.Message);
        }

        [Fact]
        public void AnEmptyAnswerSaysWhy()
        {
            var reads = Fetch(new ApplicationQuery(new[] { "zz*" }, new[] { "finance" }), new FakeApi());
            Assert.Empty(Names(reads));
            Assert.Equal("None of the 3 Application(s) at https://argocd.test/ matched name 'zz*', project 'finance'.", Assert.Single(reads, r => r.Kind == ApplicationReadKind.Warning).Message);
        }

        [Fact]
        public void AFailedListingIsOneErrorAndNoWarning()
        {
            var api = new FakeApi { ListFailure = new ImageUpdaterException("ArgoCDAuthenticationFailed", FailureKind.AuthenticationError, "expired") };
            var reads = Fetch(ApplicationQuery.All, api);
            var error = Assert.Single(reads, r => r.Kind == ApplicationReadKind.Error);
            Assert.Equal("https://argocd.test/", error.Target);
            Assert.DoesNotContain(reads, r => r.Kind == ApplicationReadKind.Warning);
        }

        [Fact]
        public void ASingleProjectIsNamedInAGet()
        {
            Assert.Equal("shop", new ApplicationQuery(projects: new[] { "shop" }).SingleProject);
            Assert.Null(new ApplicationQuery(projects: new[] { "shop", "x" }).SingleProject);
            Assert.Equal("argocd", ApplicationQuery.All.Namespace);
            Assert.False(ApplicationQuery.All.IsExactNames);
        }
    }
}
