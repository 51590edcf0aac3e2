using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Updating;

namespace ImageUpdater.Core.Run
{
    /// <summary>
    /// The whole flow once: images are planned concurrently, grouped by write-back unit (a git repository, or an application for
    /// the argocd method), and a unit is ready as soon as its last image is planned, so writes overlap the look-ups still running.
    /// Everything is reported as events on the caller's thread; the caller confirms each ready unit and starts or declines it.
    /// </summary>
    public sealed class ImageUpdateRun
    {
        private readonly IPlannerSource? planners;
        private readonly Func<IReadOnlyList<ImageUpdateCandidate>, WriteBackPlan> plan;
        private readonly WriteBackServices? services;
        private readonly RunLog log;
        private readonly int maxConcurrentWrites;
        private readonly BlockingCollection<object> channel = new BlockingCollection<object>();
        private readonly Queue<RunEvent> immediate = new Queue<RunEvent>();
        private readonly HashSet<IWriteBackUnit> awaiting = new HashSet<IWriteBackUnit>();
        private readonly ProgressPace progress = new ProgressPace();
        private WriteBackUnitQueue? queue;
        private int outstanding;
        private bool used;

        /// <param name="planners">Gives the planner per image; null for <see cref="WriteBack"/> only.</param>
        /// <param name="maxConcurrentWrites">Units written at once.</param>
        public ImageUpdateRun(IPlannerSource? planners, WriteBackServices services, int maxConcurrentWrites, RunLog? log = null)
            : this(planners, candidates => WriteBackPlan.For(candidates, services), maxConcurrentWrites, log)
        {
            this.services = services ?? throw new ArgumentNullException(nameof(services));
        }

        /// <param name="plan">Turns a complete group of candidates into units (<see cref="WriteBackPlan.For"/>; tests give fake units).</param>
        public ImageUpdateRun(IPlannerSource? planners, Func<IReadOnlyList<ImageUpdateCandidate>, WriteBackPlan> plan, int maxConcurrentWrites, RunLog? log = null)
        {
            this.planners = planners;
            this.plan = plan ?? throw new ArgumentNullException(nameof(plan));
            this.maxConcurrentWrites = Math.Max(1, maxConcurrentWrites);
            this.log = log ?? new RunLog();
        }

        /// <summary>Counts of the run so far: every result of a <see cref="RunEvent.Finished"/> event is counted once.</summary>
        public ImageUpdateSummary Summary { get; } = new ImageUpdateSummary();

        /// <summary>Plans every annotated image of <paramref name="applications"/> and writes back each unit as soon as it is complete.</summary>
        /// <param name="scope">Only images naming a pushed image are planned, from the pushed tag where the strategy allows (null: every image).</param>
        public IEnumerable<RunEvent> Run(IReadOnlyList<ArgoApplication> applications, CancellationToken cancellationToken = default, ImageScope? scope = null)
        {
            if (planners is null)
            {
                throw new InvalidOperationException("This run has no planner source; give one to plan images.");
            }

            var slots = new Dictionary<string, Slot>(StringComparer.Ordinal);
            foreach (var app in applications)
            {
                foreach (var warning in app.KeyWarnings())
                {
                    log.Warning(warning);
                }

                var key = WriteBackPlan.KeyOf(app);
                if (!slots.TryGetValue(key, out var slot))
                {
                    slots[key] = slot = new Slot();
                }

                slot.Work.AddRange(app.Images.Where(s => scope is null || scope.Includes(s)).Select(s => (app, s)));
            }

            // Units in first-seen order, so the first repositories finish planning (and start writing) early.
            var work = slots.Values.SelectMany(u => u.Work.Select(w => (Slot: u, w.App, w.Spec))).ToList();
            Summary.Applications = scope is null ? applications.Count : work.Select(w => w.App).Distinct().Count();
            Summary.ImagesChecked = work.Count;
            var sources = planners;
            return Loop(() =>
            {
                // Every image starts at once: the registry clients bound the listings in flight, so images waiting for a repository
                // already being listed do not keep other repositories from being listed.
                foreach (var planned in BoundedConcurrency.Stream(work, Math.Max(1, work.Count), async (item, ct) => new PlanDone(item.Slot, await ImageUpdatePlanner.PlanOrFailAsync(sources, item.App, item.Spec, ct, scope?.CandidatesFor(item.App, item.Spec)).ConfigureAwait(false)), cancellationToken))
                {
                    channel.Add(planned);
                }
            }, work.Count, cancellationToken);
        }

        /// <summary>Writes back candidates already planned (a pipeline of Find-EcrTag output): every unit is ready at once and written concurrently.</summary>
        public IEnumerable<RunEvent> WriteBack(IReadOnlyList<ImageUpdateCandidate> candidates, CancellationToken cancellationToken = default)
        {
            Summary.Applications = candidates.Select(c => c.ApplicationObject).Distinct().Count();
            Summary.ImagesChecked = candidates.Count;
            return Loop(() => channel.Add(new AllPlanned(candidates)), 0, cancellationToken);
        }

        /// <summary>Writes a unit of the last <see cref="RunEvent.UnitReady"/> (a what-if computes the change only); its results come as a Finished event.</summary>
        public void Start(IWriteBackUnit unit, bool whatIf)
        {
            if (queue is null || !awaiting.Remove(unit))
            {
                throw new InvalidOperationException("Start or decline a unit once, while its run is being enumerated.");
            }

            outstanding++;
            queue.Start(unit, whatIf);
        }

        /// <summary>Declines a ready unit: its candidates come back Skipped.</summary>
        public void Decline(IWriteBackUnit unit)
        {
            if (!awaiting.Remove(unit))
            {
                throw new InvalidOperationException("Start or decline a unit once, while its run is being enumerated.");
            }

            immediate.Enqueue(Finish(WriteBackOutcome.Declined(unit)));
        }

        private IEnumerable<RunEvent> Loop(Action produce, int total, CancellationToken cancellationToken)
        {
            if (used)
            {
                throw new InvalidOperationException("A run is enumerated once.");
            }

            used = true;
            var clock = Stopwatch.StartNew();
            queue = new WriteBackUnitQueue(maxConcurrentWrites, (unit, outcome) => channel.Add(new UnitDone(unit, outcome)), cancellationToken);
            outstanding = 1;
            // The producer waits for the look-ups the whole run: a thread of its own, not one of the pool's.
            _ = BoundedConcurrency.OnOwnThread(() =>
            {
                try
                {
                    produce();
                }
                catch (OperationCanceledException)
                {
                    // Stopped: the look-ups in flight end, nothing new starts.
                }
                catch (Exception ex)
                {
                    channel.Add(new Crash(ex));
                }
                finally
                {
                    channel.Add(Done.Instance);
                }
            });

            var planned = 0;
            foreach (var item in channel.GetConsumingEnumerable())
            {
                while (log.TryTake(out var line))
                {
                    yield return line;
                }

                switch (item)
                {
                    case PlanDone done:
                        planned++;
                        yield return new RunEvent.Planned(done.Candidate);
                        if (progress.Due(milestone: planned == total || 100 * planned / total != 100 * (planned - 1) / total))
                        {
                            yield return new RunEvent.Progress(planned, total, $"{done.Candidate.Application}: {done.Candidate.Image}");
                        }

                        if (done.Candidate.UpdateNeeded)
                        {
                            done.Slot.Pending.Add(done.Candidate);
                        }
                        else
                        {
                            var settled = new WriteBackOutcome();
                            settled.Add(done.Candidate, ImageUpdateResult.Settled(done.Candidate));
                            if (done.Candidate.Error is not null)
                            {
                                settled.Errors.Add(done.Candidate.Error);
                            }

                            yield return Finish(settled);
                        }

                        if (++done.Slot.Planned == done.Slot.Work.Count && done.Slot.Pending.Count > 0)
                        {
                            foreach (var e in Ready(done.Slot.Pending))
                            {
                                yield return e;
                            }
                        }

                        break;
                    case AllPlanned all:
                        foreach (var e in Ready(all.Candidates))
                        {
                            yield return e;
                        }

                        break;
                    case UnitDone unit:
                        outstanding--;
                        yield return Finish(unit.Outcome, unit.Unit);
                        break;
                    case Crash crash:
                        var failed = new WriteBackOutcome();
                        failed.Errors.Add(crash.Exception as ImageUpdaterException ?? new ImageUpdaterException("ImageUpdateRunFailed", FailureKind.NotSpecified, "The run failed: " + crash.Exception.Message, null, crash.Exception));
                        yield return Finish(failed);
                        break;
                    default:
                        outstanding--;
                        break;
                }

                if (outstanding == 0)
                {
                    channel.CompleteAdding();
                }
            }

            while (log.TryTake(out var line))
            {
                yield return line;
            }

            foreach (var statistics in services?.GitStatistics ?? Array.Empty<WriteBack.GitWriteBackStatistics>())
            {
                Summary.Commits += statistics.Commits;
                Summary.Pushes += statistics.Pushes;
                Summary.Fetches += statistics.Fetches;
                Summary.Retries += statistics.PushRetries;
                yield return new RunEvent.Log(RunLogLevel.Verbose, $"Git write-back: {statistics}.");
            }

            Summary.DurationSeconds = Math.Round(clock.Elapsed.TotalSeconds, 3);
        }

        /// <summary>The units of a complete group, each handed to the caller to confirm; one left neither started nor declined is declined.</summary>
        private IEnumerable<RunEvent> Ready(IReadOnlyList<ImageUpdateCandidate> candidates)
        {
            var units = plan(candidates);
            if (units.Settled.Results.Count > 0 || units.Settled.Errors.Count > 0)
            {
                yield return Finish(units.Settled);
            }

            foreach (var unit in units.Units)
            {
                awaiting.Add(unit);
                yield return new RunEvent.UnitReady(unit);
                if (awaiting.Contains(unit))
                {
                    Decline(unit);
                }

                while (immediate.Count > 0)
                {
                    yield return immediate.Dequeue();
                }
            }
        }

        private RunEvent.Finished Finish(WriteBackOutcome outcome, IWriteBackUnit? unit = null)
        {
            foreach (var result in outcome.Results)
            {
                Summary.Count(result);
            }

            return new RunEvent.Finished(outcome, unit);
        }

        /// <summary>The images of one write-back unit, and how far their look-ups have come (touched on the caller's thread only).</summary>
        private sealed class Slot
        {
            public List<(ArgoApplication App, ImageSpec Spec)> Work { get; } = new List<(ArgoApplication, ImageSpec)>();

            public List<ImageUpdateCandidate> Pending { get; } = new List<ImageUpdateCandidate>();

            public int Planned { get; set; }
        }

        private sealed class PlanDone
        {
            public PlanDone(Slot slot, ImageUpdateCandidate candidate)
            {
                Slot = slot;
                Candidate = candidate;
            }

            public Slot Slot { get; }

            public ImageUpdateCandidate Candidate { get; }
        }

        private sealed class AllPlanned
        {
            public AllPlanned(IReadOnlyList<ImageUpdateCandidate> candidates) => Candidates = candidates;

            public IReadOnlyList<ImageUpdateCandidate> Candidates { get; }
        }

        private sealed class UnitDone
        {
            public UnitDone(IWriteBackUnit unit, WriteBackOutcome outcome)
            {
                Unit = unit;
                Outcome = outcome;
            }

            public IWriteBackUnit Unit { get; }

            public WriteBackOutcome Outcome { get; }
        }

        private sealed class Crash
        {
            public Crash(Exception exception) => Exception = exception;

            public Exception Exception { get; }
        }

        private sealed class Done
        {
            public static readonly Done Instance = new Done();
        }
    }
}
