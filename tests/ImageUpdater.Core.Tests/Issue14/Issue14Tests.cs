using System;
using System.Collections.Generic;
using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Tags;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;
using Xunit;

namespace ImageUpdater.Core.Tests.Issue14
{
    /// <summary>The Core rules of issue 14: never silently wrong.</summary>
    public class Issue14Tests
    {
        private const string P = AnnotationKeys.Prefix;

        private static ParsedAnnotations Parse(params (string Key, string Value)[] keys) =>
            AnnotationParser.Parse("app", keys.ToDictionary(k => P + k.Key, k => k.Value));

        private static ImageUpdateCandidate Candidate(ImageSpec spec, string newTag = "1.1.0") =>
            new ImageUpdateCandidate(new ArgoApplication("web") { Images = new[] { spec } }, spec) { NewTag = newTag, UpdateNeeded = true };

        [Fact]
        public void Item1_OnlyImageName_WritesTheTagAtTheDefaultKeyOnEveryPath()
        {
            var spec = new ImageSpec("web", ImageReference.Parse("nginx")) { HelmImageName = "image.repository" };
            var update = ImageUpdate.From(Candidate(spec));
            Assert.Equal("image.repository", update.HelmImageNameKey);
            Assert.Equal(HelmImageKeys.DefaultTag, update.HelmImageTagKey);

            var api = ApplicationImagePatch.HelmParameters(Candidate(spec)).ToList();
            Assert.Contains(api, p => p.Key == "image.repository" && p.Value == "nginx");
            Assert.Contains(api, p => p.Key == HelmImageKeys.DefaultTag && p.Value == "1.1.0");

            var edit = new HelmValuesTarget().Apply("values.yaml", System.Text.Encoding.UTF8.GetBytes("image:\n  repository: nginx\n  tag: 1.0.0\n"), new[] { update });
            Assert.Equal("image:\n  repository: nginx\n  tag: 1.1.0\n", edit.NewText);
        }

        [Fact]
        public void Item1_OnlyImageTag_WritesImageNameWhereTheValuesFileHasItOrIsNew()
        {
            var spec = new ImageSpec("web", ImageReference.Parse("nginx")) { HelmImageTag = "image.version" };
            var update = ImageUpdate.From(Candidate(spec));
            Assert.Equal(HelmImageKeys.DefaultName, update.HelmImageNameKey);
            Assert.True(update.HelmImageNameIfPresent);
            Assert.Equal("image.version", update.HelmImageTagKey);

            // A chart that keeps the name elsewhere does not get an image.name it never reads (the documented difference from upstream v1).
            var edit = new HelmValuesTarget().Apply("values.yaml", System.Text.Encoding.UTF8.GetBytes("image:\n  repository: nginx\n  version: 1.0.0\n"), new[] { update });
            Assert.Equal("image:\n  repository: nginx\n  version: 1.1.0\n", edit.NewText);
            Assert.Empty(Assert.Single(edit.Results).CreatedKeys);

            // Where the file has image.name, it is written as upstream v1 writes it (here: the image moved registry).
            var moved = new HelmValuesTarget().Apply("values.yaml", System.Text.Encoding.UTF8.GetBytes("image:\n  name: old.example.com/nginx\n  version: 1.0.0\n"), new[] { update });
            Assert.Equal("image:\n  name: nginx\n  version: 1.1.0\n", moved.NewText);

            // A created file gets upstream's layout with the name.
            var created = new HelmValuesTarget { CreatesMissingFile = true }.Apply("values.yaml", null, new[] { update });
            Assert.Equal(HelmValuesTarget.CreatedFileHeader + "image:\n  version: 1.1.0\n  name: nginx\n", created.NewText);

            // helm.image-name given explicitly is written even where the file lacks it (and reported as created).
            var named = ImageUpdate.From(Candidate(new ImageSpec("web", ImageReference.Parse("nginx")) { HelmImageTag = "image.version", HelmImageName = "image.name" }));
            Assert.False(named.HelmImageNameIfPresent);
            Assert.Equal(new[] { "image.name" }, Assert.Single(new HelmValuesTarget().Apply("values.yaml", System.Text.Encoding.UTF8.GetBytes("image:\n  version: 1.0.0\n"), new[] { named }).Results).CreatedKeys);

            // A name already there for the same image (short or long form) is kept as written.
            var kept = new HelmValuesTarget().Apply("values.yaml", System.Text.Encoding.UTF8.GetBytes("image:\n  name: docker.io/library/nginx\n  version: 1.0.0\n"), new[] { update });
            Assert.Equal("image:\n  name: docker.io/library/nginx\n  version: 1.1.0\n", kept.NewText);
        }

        [Fact]
        public void Item2_EntryWithoutAlias_IsKnownByItsImageName()
        {
            var parsed = Parse(("image-list", "nginx"), ("nginx.helm.image-name", "app.repo"), ("nginx.helm.image-tag", "app.version"));
            Assert.DoesNotContain(parsed.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
            Assert.Equal("app.repo", parsed.Images[0].HelmImageName);
            Assert.Equal("app.version", parsed.Images[0].HelmImageTag);
            Assert.Null(parsed.Images[0].Alias);
        }

        [Theory]
        [InlineData("ghcr.io/org/app", "org_app")]
        [InlineData("library/nginx", "nginx")]
        [InlineData("docker.io/library/nginx:1.2", "library_nginx")]
        [InlineData("nginx:~1.26", "nginx")]
        public void Item2_TheImplicitAliasIsTheRepositoryPath(string entry, string keyAlias)
        {
            Assert.Equal(keyAlias, new ImageSpec(null, ImageReference.Parse(entry)).KeyAlias);
        }

        [Theory]
        [InlineData("https://git.example.com/org/gitops.git", "1.0.0")]
        [InlineData("https://git.example.com/org/other.git", null)]
        public void Item3_WithoutStatus_TheCurrentTagIsReadFromTheTargetInTheManifestsCheckout(string remote, string? expected)
        {
            var root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "issue14-" + Guid.NewGuid().ToString("N"));
            try
            {
                System.IO.Directory.CreateDirectory(System.IO.Path.Combine(root, ".git"));
                System.IO.Directory.CreateDirectory(System.IO.Path.Combine(root, "apps", "web"));
                System.IO.Directory.CreateDirectory(System.IO.Path.Combine(root, "manifests"));
                System.IO.File.WriteAllText(System.IO.Path.Combine(root, ".git", "config"), "[remote \"origin\"]\n\turl = " + remote + "\n");
                System.IO.File.WriteAllText(System.IO.Path.Combine(root, "apps", "web", "values.yaml"), "image:\n  repository: nginx\n  tag: 1.0.0\n");
                var origin = System.IO.Path.Combine(root, "manifests", "web.yaml");
                System.IO.File.WriteAllText(origin, "kind: Application\n");
                var spec = new ImageSpec("web", ImageReference.Parse("nginx")) { HelmImageName = "image.repository" };
                var app = new ArgoApplication("web")
                {
                    Origin = origin,
                    Images = new[] { spec },
                    Sources = new[] { new ApplicationSource { IsHelm = true, RepoUrl = "https://git.example.com/org/gitops", Path = "apps/web" } },
                    WriteBack = new WriteBackSpec { Method = WriteBackMethod.Git, Target = new WriteBackTarget(WriteBackTargetKind.HelmValues, null) },
                };

                var run = new CheckoutCurrentTag();
                var candidate = ImageUpdatePlanner.Decide(app, spec, new[] { new ImageTag("1.0.0"), new ImageTag("1.1.0") }, currentTags: run);

                Assert.Equal(expected, candidate.CurrentTag);
                Assert.Equal(CandidateDecision.Update, candidate.Decision);
                // The file already holds the only tag: up to date when the checkout is the write-back repository, unknown (so update) otherwise.
                Assert.Equal(expected is null ? CandidateDecision.Update : CandidateDecision.UpToDate, ImageUpdatePlanner.Decide(app, spec, new[] { new ImageTag("1.0.0") }, currentTags: run).Decision);
                // Without a current-tag source (no run to read for) nothing is read.
                Assert.Null(ImageUpdatePlanner.Decide(app, spec, new[] { new ImageTag("1.0.0") }).CurrentTag);
            }
            finally
            {
                System.IO.Directory.Delete(root, true);
            }
        }

        [Fact]
        public void Item3_TheReadCacheIsPerRun_ANewRunReadsTheFileAgain()
        {
            var root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "issue14-" + Guid.NewGuid().ToString("N"));
            try
            {
                System.IO.Directory.CreateDirectory(System.IO.Path.Combine(root, ".git"));
                System.IO.Directory.CreateDirectory(System.IO.Path.Combine(root, "apps", "web"));
                System.IO.File.WriteAllText(System.IO.Path.Combine(root, ".git", "config"), "[remote \"origin\"]\n\turl = https://git.example.com/org/gitops.git\n");
                var values = System.IO.Path.Combine(root, "apps", "web", "values.yaml");
                System.IO.File.WriteAllText(values, "image:\n  tag: 1.0.0\n");
                var stamp = System.IO.File.GetLastWriteTimeUtc(values);
                var origin = System.IO.Path.Combine(root, "web.yaml");
                System.IO.File.WriteAllText(origin, "kind: Application\n");
                var spec = new ImageSpec("web", ImageReference.Parse("nginx"));
                var app = new ArgoApplication("web")
                {
                    Origin = origin,
                    Images = new[] { spec },
                    Sources = new[] { new ApplicationSource { IsHelm = true, RepoUrl = "https://git.example.com/org/gitops", Path = "apps/web" } },
                    WriteBack = new WriteBackSpec { Method = WriteBackMethod.Git, Target = new WriteBackTarget(WriteBackTargetKind.HelmValues, null) },
                };

                var first = new CheckoutCurrentTag();
                Assert.Equal("1.0.0", first.Read(app, spec)!.Tag);

                // Rewritten with the same write time (a checkout, a coarse clock): one run keeps what it read, the next run reads the file again.
                System.IO.File.WriteAllText(values, "image:\n  tag: 1.1.0\n");
                System.IO.File.SetLastWriteTimeUtc(values, stamp);
                Assert.Equal("1.0.0", first.Read(app, spec)!.Tag);
                Assert.Equal("1.1.0", new CheckoutCurrentTag().Read(app, spec)!.Tag);
            }
            finally
            {
                System.IO.Directory.Delete(root, true);
            }
        }

        [Fact]
        public void Item9_AMissingValuesFileIsCreatedAsUpstreamWritesIt()
        {
            var spec = new ImageSpec("theme", ImageReference.Parse("docker.io/hello-world")) { HelmImageName = "theme.image.name", HelmImageTag = "theme.image.tag" };
            var update = ImageUpdate.From(Candidate(spec, "v1.0.0"));

            // Upstream's "Multi-source application with Kustomize first and Helm values write-back" (update_test.go): a new file.
            var edit = new HelmValuesTarget { CreatesMissingFile = true }.Apply("theme-version.yaml", null, new[] { update });
            Assert.Equal("# auto generated by argocd image updater\n\ntheme:\n  image:\n    tag: v1.0.0\n    name: docker.io/hello-world\n", edit.NewText);
            var result = Assert.Single(edit.Results);
            Assert.Equal(UpdateStatus.Updated, result.Status);
            Assert.Empty(result.CreatedKeys);

            // Default keys, two images: each gets tag then name, as upstream sets them.
            var two = new HelmValuesTarget { CreatesMissingFile = true }.Apply("values.yaml", null, new[]
            {
                ImageUpdate.From(Candidate(new ImageSpec("a", ImageReference.Parse("nginx")) { HelmImageName = "a.image.name", HelmImageTag = "a.image.tag" }, "1.2.0")),
                ImageUpdate.From(Candidate(new ImageSpec("b", ImageReference.Parse("redis")) { HelmImageName = "b.image.name", HelmImageTag = "b.image.tag" }, "7.0.0")),
            });
            Assert.Equal("# auto generated by argocd image updater\n\na:\n  image:\n    tag: 1.2.0\n    name: nginx\nb:\n  image:\n    tag: 7.0.0\n    name: redis\n", two.NewText);
        }

        [Fact]
        public void Item9_UpdateHelmImageTagPath_StillRefusesAMissingFile()
        {
            var ex = Assert.Throws<ImageUpdaterException>(() => new HelmValuesTarget().Apply("values.yaml", null, new[] { new ImageUpdate("nginx", "1.1.0") { HelmImageTagKey = "image.tag" } }));
            Assert.Equal(FailureKind.ObjectNotFound, ex.Kind);
        }

        [Fact]
        public void Item4_ACreatedValuesKeyIsNamedInTheResult()
        {
            var update = new ImageUpdate("nginx", "1.1.0") { HelmImageTagKey = "image.tagg" };
            var edit = new HelmValuesTarget().Apply("values.yaml", System.Text.Encoding.UTF8.GetBytes("image:\n  tag: 1.0.0\n"), new[] { update });
            var result = Assert.Single(edit.Results);
            Assert.Equal(new[] { "image.tagg" }, result.CreatedKeys);
            Assert.Contains("Created image.tagg", result.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Item4_AnExistingKeyIsNotReportedAsCreated()
        {
            var update = new ImageUpdate("nginx", "1.1.0") { HelmImageTagKey = "image.tag" };
            var edit = new HelmValuesTarget().Apply("values.yaml", System.Text.Encoding.UTF8.GetBytes("image:\n  tag: 1.0.0\n"), new[] { update });
            Assert.Empty(Assert.Single(edit.Results).CreatedKeys);
        }

        [Fact]
        public void Item4_NearestKeySuggestsTheTypoFix()
        {
            var paths = HelmKeyCheck.KeyPaths("image:\n  repository: nginx\n  tag: 1.0.0\nlist:\n- a: 1\n");
            Assert.Contains("list[0].a", paths);
            Assert.Equal("image.tag", HelmKeyCheck.Nearest("image.tagg", paths));
            Assert.Null(HelmKeyCheck.Nearest("something.else.entirely", paths));
        }

        [Fact]
        public void Item5_NoQualifyingTag_IsNoTagAndCountedApart()
        {
            var spec = new ImageSpec("web", ImageReference.Parse("nginx")) { AllowTags = "regexp:^9\\." };
            var app = new ArgoApplication("web") { Images = new[] { spec } };
            var candidate = ImageUpdatePlanner.Decide(app, spec, new[] { new ImageTag("1.0.0"), new ImageTag("1.1.0") });
            Assert.Equal(CandidateDecision.NoTag, candidate.Decision);

            var result = ImageUpdateResult.Settled(candidate);
            Assert.Equal(UpdateStatus.NoTag, result.Status);
            var summary = new ImageUpdateSummary();
            summary.Count(result);
            Assert.Equal(1, summary.NoTag);
            Assert.Equal(0, summary.Unchanged);
        }

        [Fact]
        public void Item12_DigestComparesEachAliasWithItsOwnContainer()
        {
            const string old = "sha256:aaaa", current = "sha256:bbbb";
            var a = new ImageSpec("a", ImageReference.Parse("ghcr.io/o/app:tag-a")) { UpdateStrategy = UpdateStrategy.Digest };
            var b = new ImageSpec("b", ImageReference.Parse("ghcr.io/o/app:tag-b")) { UpdateStrategy = UpdateStrategy.Digest };
            var app = new ArgoApplication("web") { Images = new[] { a, b }, LiveImages = new[] { "ghcr.io/o/app:tag-a@" + old, "ghcr.io/o/app:tag-b@" + current } };

            var forB = ImageUpdatePlanner.Decide(app, b, new[] { new ImageTag("tag-b") { Digest = current } });
            Assert.Equal(CandidateDecision.UpToDate, forB.Decision);
            Assert.Equal("tag-b", forB.CurrentTag);
            var forA = ImageUpdatePlanner.Decide(app, a, new[] { new ImageTag("tag-a") { Digest = current } });
            Assert.Equal(CandidateDecision.Update, forA.Decision);
        }

        [Fact]
        public void Item12_SameTagOnSeveralContainers_OneBehindIsNotMissed()
        {
            const string old = "sha256:aaaa", current = "sha256:bbbb";
            var spec = new ImageSpec("a", ImageReference.Parse("ghcr.io/o/app:develop")) { UpdateStrategy = UpdateStrategy.Digest };
            var behind = new ArgoApplication("web") { Images = new[] { spec }, LiveImages = new[] { "ghcr.io/o/app:develop@" + current, "ghcr.io/o/app:develop@" + old } };
            Assert.Equal(CandidateDecision.Update, ImageUpdatePlanner.Decide(behind, spec, new[] { new ImageTag("develop") { Digest = current } }).Decision);

            var done = new ArgoApplication("web") { Images = new[] { spec }, LiveImages = new[] { "ghcr.io/o/app:develop@" + current } };
            Assert.Equal(CandidateDecision.UpToDate, ImageUpdatePlanner.Decide(done, spec, new[] { new ImageTag("develop") { Digest = current } }).Decision);
        }

        [Fact]
        public void Item13_KustomizeImageNameRecognisesTheRunningImage()
        {
            var spec = new ImageSpec("web", ImageReference.Parse("ghcr.io/o/app")) { KustomizeImageName = "placeholder/app" };
            var app = new ArgoApplication("web") { Images = new[] { spec }, LiveImages = new[] { "placeholder/app:1.0.0" } };
            Assert.True(CurrentImage.IsLive(app, spec));
            Assert.Null(ImageUpdatePlanner.SkipReason(app, spec));
            Assert.Equal("1.0.0", CurrentImage.Find(app, spec)!.Tag);
        }
    }
}
