using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Tags.Strategies;

namespace ImageUpdater.Core.Tags
{
    /// <summary>
    /// Picks the best tag the way Argo CD Image Updater does: allow-tags, ignore-tags and platforms filter the list,
    /// then the strategy orders what is left. Pure: no I/O, the same input gives the same result.
    /// </summary>
    public static class TagSelector
    {
        // The strategies, in the order names are offered; a new one is a class implementing ITagStrategy plus one line here.
        internal static readonly IReadOnlyList<ITagStrategy> All = new ITagStrategy[]
        {
            new SemverStrategy(),
            new NewestBuildStrategy(),
            new AlphabeticalStrategy(),
            new DigestStrategy(),
        };

        private static readonly Dictionary<UpdateStrategy, ITagStrategy> Strategies = All.ToDictionary(s => s.Strategy);

        /// <summary>The strategy behind an <see cref="UpdateStrategy"/> value.</summary>
        internal static ITagStrategy For(UpdateStrategy strategy) =>
            Strategies.TryGetValue(strategy, out var found)
                ? found
                : throw new ImageUpdaterException("UnknownUpdateStrategy", FailureKind.InvalidArgument, $"No tag selection is implemented for the strategy '{strategy}'.", strategy);

        /// <summary>
        /// Filters and orders <paramref name="tags"/>; the result's Reason says which tag won and why, or why none did.
        /// Throws <see cref="ImageUpdaterException"/> (InvalidConstraint, DigestNeedsTag) when the constraint cannot be used,
        /// as upstream reports an error for that image. An invalid allow-tags or platform does not throw: it admits nothing, and the Reason says so.
        /// </summary>
        public static TagSelectionResult Select(IReadOnlyList<ImageTag> tags, TagSelectionOptions options)
        {
            if (tags is null)
            {
                throw new ArgumentNullException(nameof(tags));
            }

            if (options is null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            var strategy = For(options.Strategy);

            AllowTagsFilter.TryParse(options.AllowTags, out var allow, out _);
            var globs = new List<TagGlob>();
            string? globProblem = null;
            foreach (var pattern in options.IgnoreTags ?? Array.Empty<string>())
            {
                var trimmed = pattern?.Trim();
                if (!string.IsNullOrEmpty(trimmed))
                {
                    if (!TagGlob.TryParse(trimmed!, out var glob, out var globError))
                    {
                        globProblem ??= globError;
                    }

                    globs.Add(glob);
                }
            }

            PlatformFilter.TryParse(options.Platforms, out var platforms, out var platformError);

            int invalid = 0, notAllowed = 0, ignored = 0, wrongPlatform = 0;
            // Pooled: a fresh 100 000-entry array per call lands on the large object heap and costs a full GC.
            var kept = ArrayPool<ImageTag>.Shared.Rent(Math.Max(tags.Count, 1));
            int keptCount = 0;
            bool allowAll = allow.AdmitsAll;
            bool anyPlatform = platforms.IsEmpty;
            foreach (var tag in tags)
            {
                var name = tag.Tag;
                if (!OciName.IsValidTag(name) || (tag.Digest is not null && !OciName.IsValidDigest(tag.Digest)))
                {
                    // Every registry client's list passes here, so text that is no OCI tag never reaches a strategy or a file.
                    invalid++;
                }
                else if (!allowAll && !allow.IsMatch(name))
                {
                    notAllowed++;
                }
                else if (globs.Count > 0 && IsIgnored(globs, name))
                {
                    ignored++;
                }
                else if (!anyPlatform && !platforms.Admits(tag.Platforms))
                {
                    wrongPlatform++;
                }
                else
                {
                    kept[keptCount++] = tag;
                }
            }

            StrategyOutcome outcome;
            try
            {
                outcome = strategy.Rank(kept, keptCount, options);
            }
            finally
            {
                Array.Clear(kept, 0, keptCount);
                ArrayPool<ImageTag>.Shared.Return(kept);
            }

            var young = options.MinimumAge is { } minimum && minimum > TimeSpan.Zero ? HoldYoung(outcome, minimum, options.Now ?? DateTimeOffset.UtcNow) : null;

            var parts = new List<string>();
            if (invalid > 0)
            {
                parts.Add(invalid + (invalid == 1 ? " invalid tag ignored" : " invalid tags ignored"));
            }

            if (notAllowed > 0)
            {
                parts.Add(notAllowed + " rejected by allow-tags" + (allow.Problem is null ? string.Empty : " (" + allow.Problem + ")"));
            }

            if (ignored > 0)
            {
                parts.Add(ignored + " ignored by ignore-tags");
            }

            if (wrongPlatform > 0)
            {
                parts.Add(wrongPlatform + " not built for " + platforms.Text + (platformError is null ? string.Empty : " (" + platformError + ")"));
            }

            parts.AddRange(outcome.Rejections);
            if (young is not null)
            {
                parts.Add(young);
            }

            parts.Add(outcome.Ordered.Count > 0 ? outcome.WinnerPhrase ?? ("chose " + outcome.Ordered[0].Tag) : "none left");

            var reason = tags.Count == 0
                ? "no tags to choose from"
                : (tags.Count == 1 ? "1 tag: " : tags.Count + " tags: ") + string.Join(", ", parts);
            if (globProblem is not null)
            {
                outcome.AddNote(globProblem);
            }

            if (outcome.Note is not null)
            {
                reason += " (" + outcome.Note + ")";
            }

            return new TagSelectionResult(outcome.Ordered, reason)
            {
                WinnerText = outcome.Ordered.Count > 0 ? outcome.WinnerText ?? outcome.Ordered[0].Tag : null,
            };
        }

        /// <summary>
        /// Drops the ranked tags younger than <paramref name="minimum"/> (or of unknown age), so the best old-enough one wins; returns the
        /// Reason part naming the best held-back tag and when it may be chosen, or null when none was held back.
        /// </summary>
        private static string? HoldYoung(StrategyOutcome outcome, TimeSpan minimum, DateTimeOffset now)
        {
            var best = outcome.Ordered.Count > 0 ? outcome.Ordered[0] : null;
            var held = outcome.Ordered.Where(t => !(MinimumAge.TimeOf(t) is { } at && now - at >= minimum)).ToList();
            if (held.Count == 0)
            {
                return null;
            }

            outcome.Ordered.RemoveAll(held.Contains);
            if (!ReferenceEquals(best, outcome.Ordered.FirstOrDefault()))
            {
                outcome.WinnerPhrase = outcome.Ordered.Count > 0 ? "newest old enough " + outcome.Ordered[0].Tag : null;
                outcome.WinnerText = null;
            }

            var age = MinimumAge.Format(minimum);
            var first = held[0];
            var when = MinimumAge.TimeOf(first) is { } pushed
                ? $"{first.Tag} can be chosen from {(pushed + minimum).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)}"
                : $"{first.Tag} has no push or build time, so it is never old enough";
            return $"{held.Count} younger than min-age {age} ({when})";
        }

        private static bool IsIgnored(List<TagGlob> globs, string tag)
        {
            foreach (var glob in globs)
            {
                if (glob.IsMatch(tag))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>What to select: a strategy and the filters of one image (from its ImageSpec or from cmdlet parameters).</summary>
    public sealed class TagSelectionOptions
    {
        public UpdateStrategy Strategy { get; set; } = UpdateStrategy.Semver;

        /// <summary>semver: a Masterminds constraint; digest: the tag to track; ignored by the others.</summary>
        public string? Constraint { get; set; }

        /// <summary><c>any</c>, <c>regexp:…</c>, or null.</summary>
        public string? AllowTags { get; set; }

        public IReadOnlyList<string> IgnoreTags { get; set; } = Array.Empty<string>();

        /// <summary><c>os/arch[/variant]</c>; only applied to tags whose Platforms are known.</summary>
        public IReadOnlyList<string> Platforms { get; set; } = Array.Empty<string>();

        /// <summary>Tags younger than this (push, else build time) are not chosen yet; null or zero: any age.</summary>
        public TimeSpan? MinimumAge { get; set; }

        /// <summary>The time ages are measured at; null: the current time.</summary>
        public DateTimeOffset? Now { get; set; }

        public static TagSelectionOptions FromSpec(ImageSpec spec) => new TagSelectionOptions
        {
            MinimumAge = spec.MinimumAge,
            Strategy = spec.UpdateStrategy,
            Constraint = spec.Constraint,
            AllowTags = spec.AllowTags,
            IgnoreTags = spec.IgnoreTags,
            Platforms = spec.Platforms,
        };
    }

    /// <summary>The outcome of a selection: the allowed tags best first, the winner, and why.</summary>
    public sealed class TagSelectionResult
    {
        public TagSelectionResult(IReadOnlyList<ImageTag> ordered, string reason)
        {
            Ordered = ordered;
            Reason = reason;
        }

        /// <summary>Tags that passed every filter, best first.</summary>
        public IReadOnlyList<ImageTag> Ordered { get; }

        public ImageTag? Winner => Ordered.Count > 0 ? Ordered[0] : null;

        /// <summary>Which tag won and why, or why none did (counts per filter).</summary>
        public string Reason { get; }

        /// <summary>The text to write for the winner: the tag, or <c>tag@sha256:…</c> for the digest strategy.</summary>
        public string? WinnerText { get; set; }
    }
}
