using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Http;
using ImageUpdater.Core.Updating;
using ImageUpdater.Emulators.ArgoCD;
using Xunit;
using ImageUpdater.Core.WriteBack.ArgoCD;

namespace ImageUpdater.Core.Tests.Argo
{
    /// <summary>The Argo CD client and the argocd write-back against the loopback emulator, serving the real documents of shared/data/api-models.</summary>
    public sealed class ArgoCDClientTests : IAsyncLifetime
    {
        private ArgoCDEmulator server = null!;

        public ValueTask InitializeAsync()
        {
            var options = new ArgoCDEmulatorOptions { Tls = true };
            options.DocumentFolders.Add(System.IO.Path.Combine(SharedData.Require(), "api-models"));
            options.Accounts["nobody"] = null;
            server = new ArgoCDEmulator(options);
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => server.DisposeAsync();

        private ArgoCDClient Client(string account = "image-updater") => new ArgoCDClient(new ArgoCDConnection(server.Url, server.Tokens[account]));

        [Fact]
        public async Task ListsTheRealDocumentsWithServerSideFilters()
        {
            using var client = Client();
            var all = (await client.ListApplicationsAsync(null, null, null, TestContext.Current.CancellationToken)).Select(a => ApplicationMapper.FromJson(a, client.Origin)).ToList();
            Assert.Equal(new[] { "argo-workflows", "velero-test" }, all.Select(a => a.Name).OrderBy(n => n));

            var sre = await client.ListApplicationsAsync(new[] { "sre" }, null, null, TestContext.Current.CancellationToken);
            var velero = ApplicationMapper.FromJson(Assert.Single(sre), client.Origin);
            Assert.Equal("velero-test", velero.Name);
            Assert.Equal(new[] { "nginx:latest" }, velero.LiveImages);
            Assert.Equal(server.Url, velero.Origin);
            Assert.NotNull(velero.ResourceVersion);

            Assert.Equal("velero-test", ApplicationMapper.FromJson(Assert.Single(await client.ListApplicationsAsync(null, "cloud_provider=gcp,preview in (true)", null, TestContext.Current.CancellationToken)), "x").Name);
            Assert.Equal("argo-workflows", ApplicationMapper.FromJson(Assert.Single(await client.ListApplicationsAsync(null, null, "argocd", TestContext.Current.CancellationToken)), "x").Name);
            Assert.Empty(await client.ListApplicationsAsync(new[] { "nope" }, null, null, TestContext.Current.CancellationToken));
        }

        [Fact]
        public void TheApiSourceGetsExactNamesAndListsOtherwise()
        {
            using var source = new ArgoCDApiSource(Client());
            var listed = source.Read(new ApplicationQuery(new[] { "VELERO*" }), TestContext.Current.CancellationToken).ToList();
            Assert.Equal("velero-test", Assert.Single(listed, r => r.Kind == ApplicationReadKind.Application).Application!.Name);
            Assert.Contains(listed, r => r.Kind == ApplicationReadKind.Verbose && r.Message == $"GET {server.Url}api/v1/applications.");

            var exact = source.Read(new ApplicationQuery(new[] { "argo-workflows", "nope" }, new[] { "default" }), TestContext.Current.CancellationToken).ToList();
            Assert.Equal("argo-workflows", Assert.Single(exact, r => r.Kind == ApplicationReadKind.Application).Application!.Name);
            Assert.Contains(exact, r => r.Kind == ApplicationReadKind.Verbose && r.Message == $"GET {server.Url}api/v1/applications/nope in project default");
            var missing = Assert.Single(exact, r => r.Kind == ApplicationReadKind.Error);
            Assert.Equal("ArgoApplicationNotFound", missing.Error!.ErrorId);
            Assert.Equal("nope", missing.Target);

            var none = source.Read(new ApplicationQuery(projects: new[] { "nope" }), TestContext.Current.CancellationToken).ToList();
            Assert.Equal($"No Applications at {server.Url}.", Assert.Single(none, r => r.Kind == ApplicationReadKind.Warning).Message);
        }

        [Fact]
        public async Task AnAccountWithoutGetSeesNothingAndIsDeniedAByNameRead()
        {
            using var client = Client("nobody");
            Assert.Empty(await client.ListApplicationsAsync(null, null, null, TestContext.Current.CancellationToken));
            var ex = await Assert.ThrowsAsync<ImageUpdaterException>(() => client.GetApplicationAsync("argo-workflows", null, null, TestContext.Current.CancellationToken));
            Assert.Equal(FailureKind.PermissionDenied, ex.Kind);
            Assert.Contains("applications, get, */argo-workflows", ex.Message);
        }

        [Fact]
        public async Task AMissingApplicationIsNotFoundWithAProjectAndAmbiguousWithout()
        {
            using var client = Client();
            var withProject = await Assert.ThrowsAsync<ImageUpdaterException>(() => client.GetApplicationAsync("missing", null, "default", TestContext.Current.CancellationToken));
            Assert.Equal(FailureKind.ObjectNotFound, withProject.Kind);
            var without = await Assert.ThrowsAsync<ImageUpdaterException>(() => client.GetApplicationAsync("missing", null, null, TestContext.Current.CancellationToken));
            Assert.Equal(FailureKind.PermissionDenied, without.Kind);
            Assert.Contains("pass -Project", without.Message);
        }

        [Fact]
        public async Task AnExpiredTokenIsAnAuthenticationErrorThatNeverShowsTheToken()
        {
            using var client = new ArgoCDClient(new ArgoCDConnection(server.Url, server.ExpiredToken));
            var ex = await Assert.ThrowsAsync<ImageUpdaterException>(() => client.ListApplicationsAsync(null, null, null, TestContext.Current.CancellationToken));
            Assert.Equal(FailureKind.AuthenticationError, ex.Kind);
            Assert.Contains("token expired or invalid", ex.Message);
            Assert.DoesNotContain(server.ExpiredToken, ex.ToString());
        }

        [Fact]
        public async Task ASessionLoginGivesAWorkingTokenAndAWrongPasswordIsAnAuthenticationError()
        {
            var token = await ArgoCDClient.CreateSessionAsync(server.Url, "admin", "password", false, null, TestContext.Current.CancellationToken);
            using (var client = new ArgoCDClient(new ArgoCDConnection(server.Url, token)))
            {
                Assert.Equal("admin", await client.GetUserNameAsync(TestContext.Current.CancellationToken));
            }

            var ex = await Assert.ThrowsAsync<ImageUpdaterException>(() => ArgoCDClient.CreateSessionAsync(server.Url, "admin", "wrong", false, null, TestContext.Current.CancellationToken));
            Assert.Equal(FailureKind.AuthenticationError, ex.Kind);
            Assert.DoesNotContain("wrong", ex.Message);
        }

        [Fact]
        public async Task AnUntrustedCertificateSaysSoAndNamesSkipCertificateCheckForTestServers()
        {
            var tlsUrl = (string)JsonNode.Parse(server.Describe())!["tlsUrl"]!;
            using var client = new ArgoCDClient(new ArgoCDConnection(tlsUrl, server.Tokens["admin"]));
            var ex = await Assert.ThrowsAsync<ImageUpdaterException>(() => client.ListApplicationsAsync(null, null, null, TestContext.Current.CancellationToken));
            Assert.Equal(FailureKind.SecurityError, ex.Kind);
            Assert.Contains("TLS", ex.Message);
            Assert.Contains("-SkipCertificateCheck", ex.Message);

            using var skipping = new ArgoCDClient(new ArgoCDConnection(tlsUrl, server.Tokens["admin"], skipCertificateCheck: true));
            var past = await Assert.ThrowsAsync<ImageUpdaterException>(() => skipping.ListApplicationsAsync(null, null, null, TestContext.Current.CancellationToken));
            Assert.NotEqual(FailureKind.SecurityError, past.Kind);
        }

        [Fact]
        public async Task ReadsAreRetriedWhenTheServerIsBrieflyUnavailable()
        {
            var options = new ArgoCDEmulatorOptions { FailFirst = 2 };
            options.DocumentFolders.Add(System.IO.Path.Combine(SharedData.Require(), "api-models"));
            await using var flaky = new ArgoCDEmulator(options);
            using var client = new ArgoCDClient(new ArgoCDConnection(flaky.Url, flaky.Tokens["admin"]), retryPolicy: new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(5) });
            Assert.Equal(2, (await client.ListApplicationsAsync(null, null, null, TestContext.Current.CancellationToken)).Count);
        }

        [Fact]
        public void ServerAddressesAreNormalized()
        {
            Assert.Equal("https://argocd.example.com/", ArgoCDConnection.NormalizeServer("argocd.example.com").ToString());
            Assert.Equal("https://argocd.example.com:8443/argo-cd/", ArgoCDConnection.NormalizeServer("argocd.example.com:8443/argo-cd").ToString());
            Assert.Equal("http://127.0.0.1:8080/", ArgoCDConnection.NormalizeServer("http://127.0.0.1:8080").ToString());
            Assert.Equal(FailureKind.InvalidArgument, Assert.Throws<ImageUpdaterException>(() => ArgoCDConnection.NormalizeServer("ftp://x")).Kind);
            Assert.Equal("image-updater:apiKey", new ArgoCDConnection(server.Url, server.Tokens["image-updater"]).Account);
        }

        private List<ImageUpdateCandidate> Seed(JsonObject app, params string[] tags)
        {
            server.Store.Put(app);
            return ApplicationImagePatchTests.Candidates(app, tags);
        }

        private static JsonObject HelmApp(string name) => ApplicationImagePatchTests.App(name,
            new Dictionary<string, string> { ["image-list"] = "web=ghcr.io/acme/web:~1.4", ["web.helm.image-name"] = "image.repository", ["web.helm.image-tag"] = "image.tag" },
            JsonNode.Parse("""{"source":{"repoURL":"https://git.example.com/web.git","path":"chart","helm":{"parameters":[{"name":"replicas","value":"2"}]}},"destination":{"name":"in-cluster","namespace":"web"}}""")!.AsObject());

        [Fact]
        public void WriteBackPatchesHelmParametersWithForceString()
        {
            var candidates = Seed(HelmApp("web"), "1.4.2");
            using var client = Client();
            var results = new ArgoCDApiWriteBack(client).Write(candidates, (_, _) => true, TestContext.Current.CancellationToken);

            var result = Assert.Single(results);
            Assert.Equal(UpdateStatus.Updated, result.Status);
            Assert.Equal("argocd", result.Method);
            Assert.Equal("spec.source.helm.parameters", result.Target);
            Assert.Equal("1.4.2", result.NewTag);
            Assert.Contains("\"op\": \"test\"", result.Diff);
            var parameters = server.Store.Get("argocd", "web")!["spec"]!["source"]!["helm"]!["parameters"]!.ToJsonString();
            Assert.Equal("""[{"name":"replicas","value":"2"},{"name":"image.repository","value":"ghcr.io/acme/web","forceString":true},{"name":"image.tag","value":"1.4.2","forceString":true}]""", parameters);
        }

        [Fact]
        public void HoldAnnotationHoldsTheArgoCDMethodUnlessIgnored()
        {
            var candidates = Seed(HelmApp("web"), "1.4.2");
            candidates[0].Spec.Hold = new HoldSetting { Until = DateTimeOffset.UtcNow.AddDays(3) };
            var before = server.Store.Get("argocd", "web")!.ToJsonString();
            using var client = Client();

            var held = Assert.Single(new ArgoCDApiWriteBack(client).Apply(candidates, whatIf: false, TestContext.Current.CancellationToken).Results);
            Assert.Equal(UpdateStatus.Held, held.Status);
            Assert.Contains("until", held.Message);
            Assert.Equal(before, server.Store.Get("argocd", "web")!.ToJsonString());

            var written = Assert.Single(new ArgoCDApiWriteBack(client) { IgnoreHold = true }.Apply(candidates, whatIf: false, TestContext.Current.CancellationToken).Results);
            Assert.Equal(UpdateStatus.Updated, written.Status);
        }

        [Fact]
        public void WhatIfShowsThePatchAndWritesNothing()
        {
            var candidates = Seed(HelmApp("web"), "1.4.2");
            var before = server.Store.Get("argocd", "web")!.ToJsonString();
            string? shown = null;
            using var client = Client();
            var result = Assert.Single(new ArgoCDApiWriteBack(client).Write(candidates, (_, patch) => { shown = patch; return false; }, TestContext.Current.CancellationToken));

            Assert.Equal(UpdateStatus.WhatIf, result.Status);
            Assert.StartsWith("PATCH [{\"op\":\"test\",\"path\":\"/spec/source/helm/parameters\"", shown);
            Assert.Equal(before, server.Store.Get("argocd", "web")!.ToJsonString());
        }

        [Fact]
        public async Task AConcurrentChangeIsDetectedRetriedAndBothChangesAreKept()
        {
            var candidates = Seed(HelmApp("web"), "1.4.2");
            using var http = new HttpClient();
            // Someone else sets replicas=3 between our read and our PATCH.
            var interfere = new StringContent("""[{"op":"replace","path":"/spec/source/helm/parameters/0/value","value":"3"}]""");
            (await http.PostAsync(server.Url + "__emulator/applications/argocd/web/interfere", interfere, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

            var logged = new List<string>();
            using var client = Client();
            var result = Assert.Single(new ArgoCDApiWriteBack(client) { Log = logged.Add }.Write(candidates, (_, _) => true, TestContext.Current.CancellationToken));

            Assert.Equal(UpdateStatus.Updated, result.Status);
            Assert.Contains("concurrent change", result.Message);
            Assert.Single(logged, l => l.Contains("changed since it was read"));
            Assert.Equal(2, logged.Count(l => l.StartsWith("PATCH", StringComparison.Ordinal)));
            var parameters = server.Store.Get("argocd", "web")!["spec"]!["source"]!["helm"]!["parameters"]!.AsArray();
            Assert.Equal("3", (string?)parameters[0]!["value"]);
            Assert.Equal("1.4.2", (string?)parameters.Single(p => (string?)p!["name"] == "image.tag")!["value"]);
        }

        [Fact]
        public async Task RetriesAreBoundedAndNothingIsOverwritten()
        {
            var candidates = Seed(HelmApp("web"), "1.4.2");
            using var http = new HttpClient();
            (await http.PostAsync(server.Url + "__emulator/applications/argocd/web/interfere", new StringContent("""[{"op":"add","path":"/spec/source/helm/parameters/-","value":{"name":"other","value":"x"}}]"""), TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

            using var client = Client();
            var ex = Assert.Throws<ImageUpdaterException>(() => new ArgoCDApiWriteBack(client, maxAttempts: 1).Write(candidates, (_, _) => true, TestContext.Current.CancellationToken));
            Assert.Equal("ArgoApplicationBusy", ex.ErrorId);
            Assert.Contains("nothing was overwritten", ex.Message);
            var parameters = server.Store.Get("argocd", "web")!["spec"]!["source"]!["helm"]!["parameters"]!.AsArray();
            Assert.Equal(new[] { "replicas", "other" }, parameters.Select(p => (string?)p!["name"]));
        }

        [Fact]
        public void AReadOnlyTokenGetsPermissionDeniedNamingTheUpdatePermission()
        {
            var candidates = Seed(HelmApp("web"), "1.4.2");
            using var client = Client("readonly");
            var ex = Assert.Throws<ImageUpdaterException>(() => new ArgoCDApiWriteBack(client).Write(candidates, (_, _) => true, TestContext.Current.CancellationToken));
            Assert.Equal(FailureKind.PermissionDenied, ex.Kind);
            Assert.Contains("applications, update, default/web", ex.Message);
        }

        [Fact]
        public void ApplyWritesEachApplicationAndAFailedOneDoesNotStopTheOthers()
        {
            var web = Seed(HelmApp("web"), "1.4.2");
            var gone = ApplicationImagePatchTests.Candidates(HelmApp("gone"), "2.0.0");
            using var client = Client();
            var writer = new ArgoCDApiWriteBack(client);

            var whatIf = writer.Apply(gone.Concat(web).ToList(), whatIf: true, TestContext.Current.CancellationToken);
            Assert.Equal(new[] { UpdateStatus.Failed, UpdateStatus.WhatIf }, whatIf.Results.Select(r => r.Status));
            Assert.Contains("/spec/source/helm/parameters", whatIf.Results[1].Diff);
            Assert.Equal(FailureKind.ObjectNotFound, Assert.Single(whatIf.Errors).Kind);

            var applied = writer.Apply(web, whatIf: false, TestContext.Current.CancellationToken);
            Assert.Empty(applied.Errors);
            Assert.Equal(UpdateStatus.Updated, Assert.Single(applied.Results).Status);
        }

        [Fact]
        public void CandidatesWithoutAnUpdateAreUnchangedWithoutACall()
        {
            var candidates = Seed(HelmApp("web"), "1.4.2");
            candidates[0] = candidates[0] with { UpdateNeeded = false, Reason = "1.4.2 is already the newest" };
            using var client = new ArgoCDClient(new ArgoCDConnection("http://127.0.0.1:9/", "x"));
            var result = Assert.Single(new ArgoCDApiWriteBack(client).Write(candidates, (_, _) => throw new InvalidOperationException("no confirmation expected"), TestContext.Current.CancellationToken));
            Assert.Equal(UpdateStatus.Unchanged, result.Status);
            Assert.Equal("1.4.2 is already the newest", result.Message);
        }
    }
}
