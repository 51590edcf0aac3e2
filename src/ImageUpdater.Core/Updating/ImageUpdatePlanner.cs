using System;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Tags;

namespace ImageUpdater.Core.Updating
{
    /// <summary>
    /// Decides, per image of an application, the tag it runs now, the best tag the registry offers and whether to update,
    /// with upstream's rules: an image not running in an Application that has a status is skipped unless force-update is set.
    /// Registry-agnostic: give it any <see cref="IRegistryClient"/> (ECR, OCI), or call <see cref="Decide"/> with a tag list.
    /// </summary>
    public sealed class ImageUpdatePlanner
    {
        private readonly IRegistryClient registry;
        private readonly Func<IReadOnlyList<ImageTag>, TagSelectionOptions, TagSelectionResult> select;

        // Applications sharing a repository and the same options share one selection, as they share one listing.
        private readonly ConditionalWeakTable<IReadOnlyList<ImageTag>, ConcurrentDictionary<string, Lazy<TagSelectionResult>>> selections =
            new ConditionalWeakTable<IReadOnlyList<ImageTag>, ConcurrentDictionary<string, Lazy<TagSelectionResult>>>();

        public ImageUpdatePlanner(IRegistryClient registry, Func<IReadOnlyList<ImageTag>, TagSelectionOptions, TagSelectionResult>? select = null)
        {
            this.registry = registry ?? throw new ArgumentNullException(nameof(registry));
            this.select = select ?? DefaultSelect;
        }

        /// <summary>How long one image waits for its listing (<see cref="TagListLimits.ImageTimeout"/>); the listing itself is bounded by the client.</summary>
        public TagListLimits Limits { get; set; } = TagListLimits.Default;

        /// <summary>Platforms for images without a platforms annotation (newest-build, digest); null = <see cref="PlatformFilter.DefaultPlatforms"/>.</summary>
        public IReadOnlyList<string>? DefaultPlatforms { get; set; }

        /// <summary>Reads the current tag of applications without live status from their write-back target (one per run); null = not read.</summary>
        public ICurrentTagSource? CurrentTags { get; set; }

        /// <summary>Selections computed, as opposed to reused for another application with the same repository and options.</summary>
        public int Selections => selectionCount;

        private int selectionCount;

        /// <summary>The tag selection used when none is given.</summary>
        public static Func<IReadOnlyList<ImageTag>, TagSelectionOptions, TagSelectionResult> DefaultSelect { get; } = TagSelector.Select;

        /// <summary>True when this planner's registry serves the image.</summary>
        public bool Handles(ImageSpec spec) => registry.Handles(spec.Registry);

        /// <summary>Lists the image's repository (unless it is skipped as not live) and decides.</summary>
        public async Task<ImageUpdateCandidate> PlanAsync(ArgoApplication app, ImageSpec spec, CancellationToken cancellationToken = default)
        {
            var skipped = SkipReason(app, spec);
            if (skipped is not null)
            {
                return new ImageUpdateCandidate(app, spec) { Decision = CandidateDecision.Skipped, Reason = skipped };
            }

            var platforms = PlatformFilter.Effective(spec.Platforms, DefaultPlatforms, spec.UpdateStrategy);
            var options = TagListOptions.For(spec.UpdateStrategy, spec.Constraint, platforms, spec.MinimumAge > TimeSpan.Zero);
            IReadOnlyList<ImageTag> tags;
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                if (Limits.ImageTimeout > TimeSpan.Zero)
                {
                    deadline.CancelAfter(Limits.ImageTimeout);
                }

                try
                {
                    tags = await registry.ListTagsAsync(spec.Reference.Registry, RegistryRouter.RepositoryNameFor(spec.Reference), options, deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    // The shared listing goes on for other images (bounded by TagListLimits); this image stops waiting.
                    throw Limits.TimedOut(spec.Image);
                }
            }

            return Decide(app, spec, tags, SelectOnce, CurrentTags, DefaultPlatforms);
        }

        private TagSelectionResult SelectOnce(IReadOnlyList<ImageTag> tags, TagSelectionOptions options)
        {
            var key = string.Join("\u0001", options.Strategy.ToString(), options.Constraint ?? string.Empty, options.AllowTags ?? string.Empty, string.Join(",", options.IgnoreTags), string.Join(",", options.Platforms), options.MinimumAge?.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);
            var perListing = selections.GetValue(tags, _ => new ConcurrentDictionary<string, Lazy<TagSelectionResult>>(StringComparer.Ordinal));
            return perListing.GetOrAdd(key, _ => new Lazy<TagSelectionResult>(() =>
            {
                Interlocked.Increment(ref selectionCount);
                return select(tags, options);
            }, LazyThreadSafetyMode.ExecutionAndPublication)).Value;
        }

        /// <summary>Why the image is not looked at, or null: upstream skips an image that the Application's status shows not running, unless force-update.</summary>
        public static string? SkipReason(ArgoApplication app, ImageSpec spec)
        {
            if (app.LiveImages is null || spec.ForceUpdate || CurrentImage.IsLive(app, spec))
            {
                return null;
            }

            var key = spec.KeyAlias + ".force-update";
            return $"skipped: {spec.Image} is not running in {app.Name} (status.summary.images does not list it); set the annotation {key}: \"true\" to update it anyway";
        }

        /// <summary>The decision for one image given the repository's tags: pure, no I/O.</summary>
        public static ImageUpdateCandidate Decide(ArgoApplication app, ImageSpec spec, IReadOnlyList<ImageTag> tags, Func<IReadOnlyList<ImageTag>, TagSelectionOptions, TagSelectionResult>? select = null, ICurrentTagSource? currentTags = null, IReadOnlyList<string>? defaultPlatforms = null)
        {
            var selection = TagSelectionOptions.FromSpec(spec);
            selection.Platforms = PlatformFilter.Effective(spec.Platforms, defaultPlatforms, spec.UpdateStrategy);
            var result = (select ?? DefaultSelect)(tags, selection);
            var winner = result.Winner;
            var current = CurrentImage.Find(app, spec, winner, currentTags);
            var now = current is null ? "current tag unknown" : "running " + current;
            if (winner is null)
            {
                return new ImageUpdateCandidate(app, spec) { CurrentTag = current?.Tag, Decision = CandidateDecision.NoTag, Reason = result.Reason + "; " + now + ": no update" };
            }

            var strategy = TagSelector.For(spec.UpdateStrategy);
            // Nothing to compare with: upstream's force-update treats the image as never updated; otherwise writing is the only way to know.
            var moved = MovedFrom(app, spec);
            var needed = current is null || moved is not null || strategy.IsUpdate(current.Tag, current.Digest, winner);

            return new ImageUpdateCandidate(app, spec)
            {
                CurrentTag = current?.Tag,
                CurrentDigest = current?.Digest,
                NewTag = winner.Tag,
                // Only the digest strategy writes tag@sha256:…; upstream writes the bare tag for the others.
                NewDigest = strategy.DigestToWrite(winner),
                NewLabels = winner.Labels,
                Decision = needed ? CandidateDecision.Update : CandidateDecision.UpToDate,
                Reason = result.Reason + "; " + now + (needed ? ": update to " + (result.WinnerText ?? winner.Tag) + (moved is null ? string.Empty : " (image moves from " + moved + " to " + spec.Image + ")") : ": up to date"),
            };
        }

        /// <summary>
        /// The live image the kustomize image name finds when it is another name than the annotated image (a registry move,
        /// <c>library/foobar</c> running, <c>gcr.io/library/foobar</c> wanted), else null: upstream updates it even when the tag is unchanged.
        /// </summary>
        public static string? MovedFrom(ArgoApplication app, ImageSpec spec)
        {
            if (string.IsNullOrEmpty(spec.KustomizeImageName) || app.LiveImages is null)
            {
                return null;
            }

            var names = app.LiveImages.Select(text => ImageReference.TryParse(text, out var live, out _) ? live.Name : null).Where(n => n is not null).ToList();
            if (names.Any(n => ImageName.SameImage(n, spec.Image)))
            {
                return null;
            }

            return names.FirstOrDefault(n => ImageName.SameImage(n, spec.KustomizeImageName));
        }

        /// <summary>
        /// Plans one image with the planner <paramref name="planners"/> gives; a failure (of the look-up or of choosing a registry)
        /// becomes a candidate with Decision Failed and an error naming the application and image, so a run goes on with the others.
        /// </summary>
        /// <param name="pushed">Tags that stand for the listing (a scoped run's pushed tags, <c>Run/ImageScope</c>), or null to list the repository.</param>
        public static async Task<ImageUpdateCandidate> PlanOrFailAsync(IPlannerSource planners, ArgoApplication app, ImageSpec spec, CancellationToken cancellationToken, IReadOnlyList<ImageTag>? pushed = null)
        {
            try
            {
                var planner = planners.PlannerFor(spec);

                // A push says nothing of its platforms: an image checked against platforms (its own, or the run's default) lists.
                if (pushed is not null && PlatformFilter.Effective(spec.Platforms, planner.DefaultPlatforms, spec.UpdateStrategy).Count == 0)
                {
                    var skipped = SkipReason(app, spec);
                    if (skipped is not null)
                    {
                        return new ImageUpdateCandidate(app, spec) { Decision = CandidateDecision.Skipped, Reason = skipped };
                    }

                    var decided = Decide(app, spec, pushed, null, planner.CurrentTags, planner.DefaultPlatforms);
                    return decided with { Reason = "no listing, the push decides (" + string.Join(", ", pushed.Select(t => t.Tag)) + "): " + decided.Reason };
                }

                return await planner.PlanAsync(app, spec, cancellationToken).ConfigureAwait(false);
            }
            catch (ImageUpdaterException ex)
            {
                return Failed(app, spec, ex.ErrorId, ex.Kind, ex);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return Failed(app, spec, "ImageLookupFailed", FailureKind.NotSpecified, ex);
            }
        }

        private static ImageUpdateCandidate Failed(ArgoApplication app, ImageSpec spec, string errorId, FailureKind kind, Exception ex) => new ImageUpdateCandidate(app, spec)
        {
            Decision = CandidateDecision.Failed,
            Reason = ex.Message,
            Error = new ImageUpdaterException(errorId, kind, $"{app.Name}: {spec.Image}: {ex.Message}", app, ex),
        };
    }
}
