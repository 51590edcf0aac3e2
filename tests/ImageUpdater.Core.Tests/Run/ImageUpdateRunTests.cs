using System;
using System.Collections.Concurrent;
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
using ImageUpdater.Core.WriteBack;
using Xunit;

namespace ImageUpdater.Core.Tests.Run
{
    public class ImageUpdateRunTests
    {
        private const string Host = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

        /// <summary>Tags 1.0.0 and 1.1.0 for every repository; a repository listed in <see cref="Gates"/> waits for its gate, one in <see cref="Missing"/> fails.</summary>
        private sealed class FakeRegistry : IRegistryClient, IPlannerSource
        {
            private readonly ImageUpdatePlanner planner;

            public FakeRegistry() => planner = new ImageUpdatePlanner(this);

            public ConcurrentDictionary<string, TaskCompletionSource<bool>> Gates { get; } = new ConcurrentDictionary<string, TaskCompletionSource<bool>>();

            public HashSet<string> Missing { get; } = new HashSet<string>();

            public bool Handles(string registry) => true;

            public ImageUpdatePlanner PlannerFor(ImageSpec spec) => planner;

            public async Task<IReadOnlyList<ImageTag>> ListTagsAsync(string? registry, string repository, TagListOptions options, CancellationToken cancellationToken = default)
            {
                if (Gates.TryGetValue(repository, out var gate))
                {
                    using (cancellationToken.Register(() => gate.TrySetCanceled()))
                    {
                        await gate.Task.ConfigureAwait(false);
                    }
                }

                if (Missing.Contains(repository))
                {
                    throw new ImageUpdaterException("EcrRepositoryNotFound", FailureKind.ObjectNotFound, $"The repository {repository} does not exist.", repository);
                }

                return new[] { new ImageTag("1.0.0"), new ImageTag("1.1.0") };
            }
        }

        /// <summary>A unit that records what it was asked and how many units ran at once.</summary>
        private sealed class FakeUnit : IWriteBackUnit
        {
            private static int running;

            public FakeUnit(string target, IReadOnlyList<ImageUpdateCandidate> candidates)
            {
                Target = target;
                Candidates = candidates;
            }

            public static int MostAtOnce;

            public string Target { get; }

            public string Action => "Write";

            public string Method => "git";

            public string? Repository => Target;

            public IReadOnlyList<ImageUpdateCandidate> Candidates { get; }

            public bool? AppliedWithWhatIf { get; private set; }

            public TimeSpan Takes { get; set; }

            public WriteBackOutcome Apply(bool whatIf, CancellationToken cancellationToken)
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(now);
                Thread.Sleep(Takes);
                Interlocked.Decrement(ref running);
                AppliedWithWhatIf = whatIf;
                var outcome = new WriteBackOutcome();
                outcome.Results.AddRange(Candidates.Select(c => ImageUpdateResult.For(c, Method, whatIf ? UpdateStatus.WhatIf : UpdateStatus.Updated, "written")));
                return outcome;
            }

            private static void InterlockedMax(int value)
            {
                int seen;
                while ((seen = MostAtOnce) < value && Interlocked.CompareExchange(ref MostAtOnce, value, seen) != seen)
                {
                }
            }
        }

        private readonly List<FakeUnit> units = new List<FakeUnit>();

        /// <summary>Fake units, one per repository of a complete group (the grouping under test is the run's).</summary>
        private WriteBackPlan Plan(IReadOnlyList<ImageUpdateCandidate> candidates)
        {
            var made = candidates.GroupBy(c => c.WriteBack.Repository).Select(g => new FakeUnit(g.Key!, g.ToList())).ToList();
            lock (units)
            {
                units.AddRange(made);
            }

            return new WriteBackPlan(made, new WriteBackOutcome());
        }

        private static ArgoApplication App(string name, string repository, string image = "team/web", IReadOnlyList<string>? live = null) => new ArgoApplication(name)
        {
            Namespace = "argocd",
            LiveImages = live,
            Images = new[] { new ImageSpec("web", ImageReference.Parse(Host + "/" + image)) { UpdateStrategy = UpdateStrategy.Semver } },
            WriteBack = new WriteBackSpec { Method = WriteBackMethod.Git, Repository = repository },
        };

        /// <summary>Enumerates a run on a worker (with a time limit), starting every ready unit unless <paramref name="onReady"/> says otherwise.</summary>
        private static List<RunEvent> Drive(ImageUpdateRun run, IEnumerable<RunEvent> events, Action<RunEvent.UnitReady>? onReady = null, Action<RunEvent>? onEvent = null)
        {
            var seen = new List<RunEvent>();
            var task = Task.Run(() =>
            {
                foreach (var e in events)
                {
                    seen.Add(e);
                    onEvent?.Invoke(e);
                    if (e is RunEvent.UnitReady ready)
                    {
                        if (onReady is null)
                        {
                            run.Start(ready.Unit, whatIf: false);
                        }
                        else
                        {
                            onReady(ready);
                        }
                    }
                }
            });
            Assert.True(task.Wait(TimeSpan.FromSeconds(30)), "the run did not end");
            return seen;
        }

        private static IEnumerable<ImageUpdateResult> Results(IEnumerable<RunEvent> events) => events.OfType<RunEvent.Finished>().SelectMany(f => f.Outcome.Results);

        [Fact]
        public void ApplicationsWritingToOneRepositoryAreOneUnit()
        {
            var run = new ImageUpdateRun(new FakeRegistry(), Plan, 4);
            var events = Drive(run, run.Run(new[] { App("a", "repo1"), App("b", "repo2"), App("c", "repo1") }, TestContext.Current.CancellationToken));

            var ready = events.OfType<RunEvent.UnitReady>().Select(r => r.Unit).ToList();
            Assert.Equal(new[] { "repo1", "repo2" }, ready.Select(u => u.Target).OrderBy(t => t));
            Assert.Equal(new[] { "a", "c" }, ready.Single(u => u.Target == "repo1").Candidates.Select(c => c.Application).OrderBy(n => n));
            Assert.All(Results(events), r => Assert.Equal(UpdateStatus.Updated, r.Status));
        }

        [Fact]
        public void AUnitIsWrittenAsSoonAsItsLastImageIsPlannedWhileOtherLookUpsStillRun()
        {
            var registry = new FakeRegistry();
            var slow = registry.Gates["team/slow"] = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var run = new ImageUpdateRun(registry, Plan, 4);
            var order = new List<string>();

            var events = Drive(run, run.Run(new[] { App("fast", "repo1"), App("slow", "repo2", "team/slow") }, TestContext.Current.CancellationToken), onEvent: e =>
            {
                switch (e)
                {
                    case RunEvent.Planned p:
                        order.Add("planned " + p.Candidate.Application);
                        break;
                    case RunEvent.Finished f when f.Outcome.Results.Count > 0:
                        order.Add("written " + f.Outcome.Results[0].Application);
                        // The slow look-up ends only once the fast repository has been written.
                        slow.TrySetResult(true);
                        break;
                }
            });

            Assert.Equal(new[] { "planned fast", "written fast", "planned slow", "written slow" }, order);
            Assert.Equal(2, run.Summary.Updated);
        }

        [Fact]
        public void EveryResultIsCountedOnceAndEachDecisionKeepsItsStatus()
        {
            var registry = new FakeRegistry();
            registry.Missing.Add("team/gone");
            var run = new ImageUpdateRun(registry, Plan, 4);
            var apps = new[]
            {
                App("update", "repo1"),
                App("current", "repo2", live: new[] { Host + "/team/web:1.1.0" }),
                App("notlive", "repo3", live: new[] { "docker.io/library/redis:7" }),
                App("failed", "repo4", "team/gone"),
            };

            var events = Drive(run, run.Run(apps, TestContext.Current.CancellationToken));

            var results = Results(events).ToDictionary(r => r.Application!);
            Assert.Equal(UpdateStatus.Updated, results["update"].Status);
            Assert.Equal(UpdateStatus.Unchanged, results["current"].Status);
            Assert.Equal(UpdateStatus.Skipped, results["notlive"].Status);
            Assert.Matches("not running", results["notlive"].Message);
            Assert.Equal(UpdateStatus.Failed, results["failed"].Status);
            var error = Assert.Single(events.OfType<RunEvent.Finished>().SelectMany(f => f.Outcome.Errors));
            Assert.Equal(FailureKind.ObjectNotFound, error.Kind);
            Assert.StartsWith("failed: " + Host + "/team/gone: ", error.Message);
            var planned = events.OfType<RunEvent.Planned>().Select(p => p.Candidate).ToDictionary(c => c.Application);
            Assert.Equal(CandidateDecision.Failed, planned["failed"].Decision);
            Assert.Equal(CandidateDecision.Skipped, planned["notlive"].Decision);

            var summary = run.Summary;
            Assert.Equal((4, 4, 1, 1, 1, 1), (summary.Applications, summary.ImagesChecked, summary.Updated, summary.Unchanged, summary.Skipped, summary.Failed));
            Assert.Equal(4, events.OfType<RunEvent.Planned>().Count());
            Assert.Equal(4, events.OfType<RunEvent.Progress>().Last().PlannedCount);
        }

        [Fact]
        public void WhatIfReachesTheUnitAndADeclinedOrUnansweredUnitIsSkipped()
        {
            var run = new ImageUpdateRun(new FakeRegistry(), Plan, 4);
            var events = Drive(run, run.Run(new[] { App("dry", "repo1"), App("no", "repo2"), App("ignored", "repo3") }, TestContext.Current.CancellationToken), ready =>
            {
                switch (ready.Unit.Target)
                {
                    case "repo1":
                        run.Start(ready.Unit, whatIf: true);
                        break;
                    case "repo2":
                        run.Decline(ready.Unit);
                        break;
                }
            });

            var results = Results(events).ToDictionary(r => r.Application!);
            Assert.Equal(UpdateStatus.WhatIf, results["dry"].Status);
            Assert.True(units.Single(u => u.Target == "repo1").AppliedWithWhatIf);
            Assert.Equal(UpdateStatus.Skipped, results["no"].Status);
            Assert.Equal("Declined at the confirmation prompt.", results["no"].Message);
            Assert.Equal("repo2", results["no"].Repository);
            Assert.Equal(UpdateStatus.Skipped, results["ignored"].Status);
            Assert.Null(units.Single(u => u.Target == "repo2").AppliedWithWhatIf);
            Assert.Equal((1, 2), (run.Summary.WhatIf, run.Summary.Skipped));
        }

        [Fact]
        public void AUnitIsStartedOrDeclinedOnce()
        {
            var run = new ImageUpdateRun(new FakeRegistry(), Plan, 4);
            Exception? second = null;
            Drive(run, run.Run(new[] { App("a", "repo1") }, TestContext.Current.CancellationToken), ready =>
            {
                run.Start(ready.Unit, whatIf: false);
                second = Record.Exception(() => run.Decline(ready.Unit));
            });

            Assert.IsType<InvalidOperationException>(second);
        }

        [Fact]
        public void UnitsAreWrittenConcurrentlyUpToTheLimit()
        {
            FakeUnit.MostAtOnce = 0;
            var registry = new FakeRegistry();
            var run = new ImageUpdateRun(registry, candidates =>
            {
                var plan = Plan(candidates);
                foreach (var unit in plan.Units.Cast<FakeUnit>())
                {
                    unit.Takes = TimeSpan.FromMilliseconds(200);
                }

                return plan;
            }, 2);

            var events = Drive(run, run.Run(Enumerable.Range(1, 6).Select(i => App("app" + i, "repo" + i)).ToList(), TestContext.Current.CancellationToken));

            Assert.Equal(6, run.Summary.Updated);
            Assert.Equal(2, FakeUnit.MostAtOnce);
        }

        [Fact]
        public void StoppingEndsTheRunWithoutStartingLookUpsOrWrites()
        {
            var registry = new FakeRegistry();
            registry.Gates["team/web"] = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var stop = new CancellationTokenSource();
            var run = new ImageUpdateRun(registry, Plan, 4);
            stop.CancelAfter(TimeSpan.FromMilliseconds(200));

            var events = Drive(run, run.Run(new[] { App("a", "repo1"), App("b", "repo2") }, stop.Token));

            Assert.Empty(events.OfType<RunEvent.UnitReady>());
            Assert.Empty(units);
        }

        [Fact]
        public void PlannedCandidatesAreWrittenAsUnitsWithTheSameStatusRules()
        {
            var app = App("a", "repo1");
            var candidates = new[]
            {
                new ImageUpdateCandidate(app, app.Images[0]) { NewTag = "1.1.0", Decision = CandidateDecision.Update },
                new ImageUpdateCandidate(App("b", "repo2"), app.Images[0]) { Decision = CandidateDecision.Skipped, Reason = "skipped: not running" },
            };
            var run = new ImageUpdateRun(null, RealPlanFakeWrites, 4);

            var events = Drive(run, run.WriteBack(candidates, TestContext.Current.CancellationToken));

            var results = Results(events).ToDictionary(r => r.Application!);
            Assert.Equal(UpdateStatus.Updated, results["a"].Status);
            Assert.Equal("1.1.0", results["a"].NewTag);
            Assert.Equal(UpdateStatus.Skipped, results["b"].Status);
            Assert.Equal("skipped: not running", results["b"].Message);
        }

        /// <summary>The real plan (what is settled, what is a unit), with fake units in place of the real ones.</summary>
        private WriteBackPlan RealPlanFakeWrites(IReadOnlyList<ImageUpdateCandidate> candidates)
        {
            var real = WriteBackPlan.For(candidates, Services());
            return new WriteBackPlan(Plan(real.Units.SelectMany(u => u.Candidates).ToList()).Units, real.Settled);
        }

        private static WriteBackServices Services() =>
            new WriteBackServices(_ => new GitWriteBackOptions(), () => throw new InvalidOperationException("no Argo CD in this test"));
    }
}
