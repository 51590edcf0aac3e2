using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Run;
using ImageUpdater.Core.Tags;
using ImageUpdater.Core.Updating;
using Xunit;

namespace ImageUpdater.Core.Tests.Run
{
    public class ImageScopeTests
    {
        private const string Host = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

        /// <summary>Tags 1.0.0 … 1.9.0 for any repository; counts listings per repository.</summary>
        private sealed class CountingRegistry : IRegistryClient, IPlannerSource
        {
            private readonly ImageUpdatePlanner planner;

            public CountingRegistry() => planner = new ImageUpdatePlanner(this);

            public List<string> Listed { get; } = new List<string>();

            public bool Handles(string registry) => true;

            public ImageUpdatePlanner PlannerFor(ImageSpec spec) => planner;

            public Task<IReadOnlyList<ImageTag>> ListTagsAsync(string? registry, string repository, TagListOptions options, CancellationToken cancellationToken = default)
            {
                lock (Listed)
                {
                    Listed.Add(repository);
                }

                return Task.FromResult<IReadOnlyList<ImageTag>>(Enumerable.Range(0, 10).Select(i => new ImageTag($"1.{i}.0")).ToArray());
            }
        }

        private static ImageSpec Spec(string image, UpdateStrategy strategy = UpdateStrategy.Semver) =>
            new ImageSpec(null, ImageReference.Parse(image)) { UpdateStrategy = strategy };

        private static ArgoApplication App(string name, string running, params ImageSpec[] specs) =>
            new ArgoApplication(name) { LiveImages = new[] { running }, Images = specs };

        private static ImageScope Scope(params string[] images) => ImageScope.For(images.Select(i => (i, (DateTimeOffset?)new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero))));

        [Fact]
        public void Only_images_naming_a_pushed_image_are_in_scope_docker_hub_names_as_the_registry_resolves_them()
        {
            var scope = Scope("docker.io/library/nginx:1.27.1", Host + "/team/web:1.5.0");

            Assert.True(scope.Includes(Spec("nginx:~1.27")));
            Assert.True(scope.Includes(Spec(Host + "/team/web")));
            Assert.False(scope.Includes(Spec(Host + "/team/api")));
            Assert.False(scope.Includes(Spec("ghcr.io/library/nginx")));
        }

        [Fact]
        public void Semver_takes_the_pushed_tag_with_the_running_one_so_an_older_push_never_moves_an_image_back()
        {
            var spec = Spec(Host + "/team/web:~1");
            var app = App("web", Host + "/team/web:1.5.0", spec);

            var older = ImageUpdatePlanner.Decide(app, spec, Scope(Host + "/team/web:1.4.9").CandidatesFor(app, spec)!);
            var newer = ImageUpdatePlanner.Decide(app, spec, Scope(Host + "/team/web:1.6.0").CandidatesFor(app, spec)!);
            var outside = ImageUpdatePlanner.Decide(app, spec, Scope(Host + "/team/web:2.0.0").CandidatesFor(app, spec)!);

            Assert.Equal((CandidateDecision.UpToDate, "1.5.0"), (older.Decision, older.NewTag));
            Assert.Equal((CandidateDecision.Update, "1.6.0"), (newer.Decision, newer.NewTag));
            Assert.Equal(CandidateDecision.UpToDate, outside.Decision);
        }

        [Fact]
        public void Strategies_that_rank_against_every_tag_or_lack_what_the_push_gives_list_the_repository()
        {
            var app = App("web", Host + "/team/web:1.5.0");
            var alphabetical = Spec(Host + "/team/web", UpdateStrategy.Alphabetical);
            var digest = Spec(Host + "/team/web:stable", UpdateStrategy.Digest);
            var platforms = new ImageSpec(null, ImageReference.Parse(Host + "/team/web")) { Platforms = new[] { "linux/amd64" } };

            Assert.Null(Scope(Host + "/team/web:1.6.0").CandidatesFor(app, alphabetical));
            Assert.Null(Scope(Host + "/team/web:1.6.0").CandidatesFor(app, platforms));
            Assert.Null(Scope(Host + "/team/web").CandidatesFor(app, Spec(Host + "/team/web")));
            Assert.Null(Scope(Host + "/team/web:stable").CandidatesFor(app, digest));
            Assert.Null(Scope(Host + "/team/web:other@sha256:" + new string('a', 64)).CandidatesFor(app, digest));
            Assert.Equal("stable", Assert.Single(Scope(Host + "/team/web:stable@sha256:" + new string('a', 64)).CandidatesFor(app, digest)!).Tag);
            Assert.Null(ImageScope.For(new[] { (Host + "/team/web:1.6.0", (DateTimeOffset?)null) }).CandidatesFor(app, Spec(Host + "/team/web", UpdateStrategy.NewestBuild)));
        }

        [Fact]
        public void A_pushed_tag_is_still_checked_against_allow_and_ignore_tags()
        {
            var spec = new ImageSpec(null, ImageReference.Parse(Host + "/team/web")) { IgnoreTags = new[] { "1.6.*" } };
            var app = App("web", Host + "/team/web:1.5.0", spec);

            var candidate = ImageUpdatePlanner.Decide(app, spec, Scope(Host + "/team/web:1.6.0").CandidatesFor(app, spec)!);

            Assert.Equal(CandidateDecision.UpToDate, candidate.Decision);
        }

        [Fact]
        public void A_scoped_run_plans_only_the_pushed_image_of_the_applications_using_it_and_lists_nothing_for_semver()
        {
            var registry = new CountingRegistry();
            var web = Spec(Host + "/team/web");
            var api = Spec(Host + "/team/api");
            var apps = new[] { App("a", Host + "/team/web:1.0.0", web, api), App("b", Host + "/team/api:1.0.0", api), App("c", Host + "/team/web:1.0.0", web) };
            var run = new ImageUpdateRun(registry, NoWrites, 1);

            var planned = run.Run(apps, TestContext.Current.CancellationToken, Scope(Host + "/team/web:1.9.0")).OfType<RunEvent.Planned>().Select(e => e.Candidate).ToList();

            Assert.Equal(new[] { ("a", "1.9.0"), ("c", "1.9.0") }, planned.Select(c => (c.Application!, c.NewTag!)).OrderBy(p => p.Item1));
            Assert.Empty(registry.Listed);
            Assert.All(planned, c => Assert.StartsWith("no listing, the push decides", c.Reason));
            Assert.Equal((2, 2), (run.Summary.Applications, run.Summary.ImagesChecked));
        }

        [Fact]
        public void A_scoped_run_that_cannot_use_the_push_lists_just_that_repository()
        {
            var registry = new CountingRegistry();
            var web = Spec(Host + "/team/web", UpdateStrategy.Alphabetical);
            var apps = new[] { App("a", Host + "/team/web:1.0.0", web, Spec(Host + "/team/api")), App("b", Host + "/team/web:1.0.0", web) };
            var run = new ImageUpdateRun(registry, NoWrites, 1);

            var planned = run.Run(apps, TestContext.Current.CancellationToken, Scope(Host + "/team/web:1.2.0")).OfType<RunEvent.Planned>().ToList();

            Assert.Equal(2, planned.Count);
            Assert.Equal(new[] { "team/web", "team/web" }, registry.Listed);
        }

        private static WriteBackPlan NoWrites(IReadOnlyList<ImageUpdateCandidate> candidates)
        {
            var settled = new WriteBackOutcome();
            foreach (var candidate in candidates)
            {
                settled.Add(candidate, ImageUpdateResult.Settled(candidate));
            }

            return new WriteBackPlan(Array.Empty<IWriteBackUnit>(), settled);
        }

        [Theory]
        [InlineData("")]
        [InlineData("repo:bad tag")]
        public void A_reference_that_is_not_one_is_a_clear_error(string image)
        {
            var error = Assert.Throws<ImageUpdaterException>(() => ImageScope.For(new[] { (image, (DateTimeOffset?)null) }));

            Assert.Equal(("ImageScopeInvalid", FailureKind.InvalidArgument), (error.ErrorId, error.Kind));
        }
    }
}
