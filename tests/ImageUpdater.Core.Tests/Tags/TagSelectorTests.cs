using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Tags;
using Xunit;

namespace ImageUpdater.Core.Tests.Tags
{
    /// <summary>
    /// Selection cases from upstream (registry-scanner version_test.go, tag_test.go, docs) as listed in §1.6/§6 of
    /// the research, with upstream v1 behaviour where v0 and v1 differ (no constraint excludes pre-releases,
    /// nothing left → no winner), plus our own edges.
    /// </summary>
    public class TagSelectorTests
    {
        private static readonly string[] UpstreamTags = { "0.1", "0.5.1", "0.9", "1.0", "1.0.1", "1.1.2", "2.0.3" };

        public static TheoryData<string, string?, string[], string?> SemverCases => new TheoryData<string, string?, string[], string?>
        {
            // version_test.go Test_LatestVersion
            { "latest version without any constraint", null, UpstreamTags, "2.0.3" },
            { "semver constraint on major", "^1.0", UpstreamTags, "1.1.2" },
            { "semver constraint on patch", "~1.0", UpstreamTags, "1.0.1" },
            { "constraint that has no match", "~1.0", new[] { "0.1", "0.5.1", "0.9", "2.0.3" }, null },
            { "no tags", "~1.0", new string[0], null },
            { "only tags that are not versions", null, new[] { "zz", "bb", "yy", "cc", "aa", "ll" }, null },
            // §1.6: lenient parsing, ties, wildcards, ranges, pre-releases
            { "v-prefixed and plain mixed", "^1", new[] { "v1.0.0", "1.2.0", "v1.10.0", "1.9.9" }, "v1.10.0" },
            { "v-prefix tie goes to the ordinally greater text", null, new[] { "v2.0", "v2.0.0", "2.0.0" }, "v2.0.0" },
            { "1.2 is 1.2.0", "~1.2", new[] { "1.2", "1.3", "1.1.9" }, "1.2" },
            { "wildcard minor", "1.2.x", new[] { "1.2.0", "1.2.9", "1.3.0" }, "1.2.9" },
            { "hyphen range", "1.2 - 1.4.5", new[] { "1.2.0", "1.4.5", "1.4.6", "1.5.0" }, "1.4.5" },
            { "AND by space", ">=1.2 <2.0", new[] { "1.1.0", "1.9.9", "2.0.0" }, "1.9.9" },
            { "OR", "~1.4 || ^3", new[] { "1.4.2", "2.9.0", "3.1.0", "4.0.0" }, "3.1.0" },
            { "caret on 0.x", "^0.2.3", new[] { "0.2.3", "0.2.9", "0.3.0" }, "0.2.9" },
            { "caret on 0.0.x", "^0.0.3", new[] { "0.0.3", "0.0.4" }, "0.0.3" },
            { "tilde major", "~1", new[] { "1.0.0", "1.99.0", "2.0.0" }, "1.99.0" },
            { "no constraint excludes pre-releases (upstream v1)", null, new[] { "1.0.0", "1.1.0-rc.1" }, "1.0.0" },
            { "constraint without pre-release part excludes them", "~1.1", new[] { "1.1.0", "1.1.1-rc.1" }, "1.1.0" },
            { "pre-release opt-in with -0", "2.x-0", new[] { "2.0.0", "2.1.0-rc.1", "2.1.0-beta.2" }, "2.1.0-rc.1" },
            { "release outranks its pre-releases", ">=2.0.0-0", new[] { "2.1.0-rc.1", "2.1.0" }, "2.1.0" },
            { "pre-release identifiers compare numerically", ">=1.0.0-0", new[] { "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-alpha" }, "1.0.0-beta.11" },
            { "'+' is not in an OCI tag: build metadata tags are dropped", null, new[] { "1.0.0+b", "1.0.0+a", "0.9.0" }, "0.9.0" },
            { "calver dates read as major versions", ">=20240101", new[] { "20231231", "20240101", "20240315" }, "20240315" },
            { "dotted calver", "^2024", new[] { "2024.01.15", "2024.3.1", "2023.12.31", "2025.1.1" }, "2024.3.1" },
            { "four-part tags are not versions", null, new[] { "1.2.3.4", "1.2.3" }, "1.2.3" },
            { "sha tags are skipped", null, new[] { "f33bacd", "1.0.0", "latest" }, "1.0.0" },
        };

        [Theory]
        [MemberData(nameof(SemverCases))]
        public void Semver_picks_the_highest_version_within_the_constraint(string name, string? constraint, string[] tags, string? expected)
        {
            var result = TagSelector.Select(Tags(tags), new TagSelectionOptions { Constraint = constraint });
            Assert.True(expected == result.Winner?.Tag, $"{name}: expected {expected ?? "none"}, got {result.Winner?.Tag ?? "none"} ({result.Reason})");
            Assert.Equal(expected, result.WinnerText);
        }

        [Fact]
        public void Semver_orders_best_first_like_upstream_SortBySemVer_reversed()
        {
            // tag_test.go "Sort by semver": ascending v1.0, v1.0.1, v2.0, v2.0.0, v2.0.2, v2.0.3.
            var result = TagSelector.Select(Tags("v2.0.2", "v1.0", "v2.0.0", "v1.0.1", "v2.0.3", "v2.0"), new TagSelectionOptions());
            Assert.Equal(new[] { "v2.0.3", "v2.0.2", "v2.0.0", "v2.0", "v1.0.1", "v1.0" }, Names(result));
        }

        [Fact]
        public void Semver_with_an_invalid_constraint_is_an_error_for_that_image()
        {
            // version_test.go: constraint "latest" is invalid.
            var ex = Assert.Throws<ImageUpdaterException>(() =>
                TagSelector.Select(Tags("0.1", "2.0.3"), new TagSelectionOptions { Constraint = "latest" }));
            Assert.Equal("InvalidConstraint", ex.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, ex.Kind);
            Assert.Contains("latest", ex.Message);
        }

        [Fact]
        public void Newest_build_picks_the_latest_push()
        {
            // version_test.go "latest sortmode": dates 0,5,10,... seconds in list order; the repeated yy keeps its later date.
            var names = new[] { "zz", "bb", "yy", "cc", "yy", "aa", "ll" };
            var tags = names.Select((n, i) => new ImageTag(n) { CreatedAt = DateTimeOffset.FromUnixTimeSeconds(i * 5) }).ToList();
            var result = TagSelector.Select(tags, new TagSelectionOptions { Strategy = UpdateStrategy.NewestBuild });
            Assert.Equal("ll", result.Winner!.Tag);
            Assert.StartsWith("7 tags: newest build ll (built 1970-01-01 00:00:30Z)", result.Reason);
        }

        [Fact]
        public void Newest_build_orders_by_date_then_name_and_prefers_push_time()
        {
            // tag_test.go "Sort by date": dates 4,1,0,3,2.
            var names = new[] { "v2.0.2", "v1.0", "v1.0.1", "v2.0.3", "v2.0" };
            var dates = new[] { 4, 1, 0, 3, 2 };
            var tags = names.Select((n, i) => new ImageTag(n) { PushedAt = DateTimeOffset.FromUnixTimeSeconds(dates[i]) }).ToList();
            var result = TagSelector.Select(tags, new TagSelectionOptions { Strategy = UpdateStrategy.NewestBuild });
            Assert.Equal(new[] { "v2.0.2", "v2.0.3", "v2.0", "v1.0", "v1.0.1" }, Names(result));

            // Same dates: by name, the greatest first (tag_test.go "Sort by date with same dates", reversed).
            var same = names.Select(n => new ImageTag(n) { PushedAt = DateTimeOffset.FromUnixTimeSeconds(0) }).ToList();
            Assert.Equal(new[] { "v2.0.3", "v2.0.2", "v2.0", "v1.0.1", "v1.0" }, Names(TagSelector.Select(same, new TagSelectionOptions { Strategy = UpdateStrategy.NewestBuild })));

            // Docs: f33bacd, dev and latest built together → latest.
            var docs = new[] { "f33bacd", "dev", "latest" }.Select(n => new ImageTag(n) { CreatedAt = new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero) }).ToList();
            Assert.Equal("latest", TagSelector.Select(docs, new TagSelectionOptions { Strategy = UpdateStrategy.NewestBuild }).Winner!.Tag);

            // ECR's push time wins over the build time; a tag without either ranks oldest and the Reason says so.
            var mixed = new List<ImageTag>
            {
                new ImageTag("old-build-new-push") { CreatedAt = DateTimeOffset.FromUnixTimeSeconds(1), PushedAt = DateTimeOffset.FromUnixTimeSeconds(100) },
                new ImageTag("new-build") { CreatedAt = DateTimeOffset.FromUnixTimeSeconds(50) },
                new ImageTag("undated"),
            };
            var r = TagSelector.Select(mixed, new TagSelectionOptions { Strategy = UpdateStrategy.NewestBuild, Constraint = "~1" });
            Assert.Equal(new[] { "old-build-new-push", "new-build", "undated" }, Names(r));
            Assert.Contains("1 tag has no push or build time and ranks as oldest", r.Reason);
            Assert.Contains("the constraint ~1 is ignored by newest-build", r.Reason);
        }

        [Fact]
        public void Alphabetical_picks_the_last_name_and_ignores_the_constraint()
        {
            // version_test.go StrategyAlphabetical → zz; tag_test.go "Sort by name".
            var result = TagSelector.Select(Tags("zz", "bb", "yy", "cc", "aa", "ll"), new TagSelectionOptions { Strategy = UpdateStrategy.Alphabetical, Constraint = "~1.0" });
            Assert.Equal("zz", result.Winner!.Tag);
            Assert.Contains("constraint ~1.0 is ignored by alphabetical", result.Reason);
            Assert.Equal(new[] { "zebra", "wohoo", "jesus", "bazar", "alpha" },
                Names(TagSelector.Select(Tags("wohoo", "bazar", "alpha", "jesus", "zebra"), new TagSelectionOptions { Strategy = UpdateStrategy.Alphabetical })));
        }

        [Fact]
        public void Alphabetical_suits_calver_with_allow_tags_and_compares_bytes()
        {
            var tags = Tags("2024-01-15", "2024-03-01", "2023-12-31", "latest", "2024-03-01-hotfix", "Z-upper");
            var result = TagSelector.Select(tags, new TagSelectionOptions { Strategy = UpdateStrategy.Alphabetical, AllowTags = @"regexp:^\d{4}-\d{2}-\d{2}$" });
            Assert.Equal("2024-03-01", result.Winner!.Tag);
            Assert.Equal("6 tags: 3 rejected by allow-tags, last alphabetically 2024-03-01", result.Reason);

            // Ordinal: lowercase sorts after uppercase, as Go compares strings.
            Assert.Equal("a", TagSelector.Select(Tags("Z", "a"), new TagSelectionOptions { Strategy = UpdateStrategy.Alphabetical }).Winner!.Tag);
        }

        [Fact]
        public void Digest_tracks_the_constraint_tag_and_writes_tag_at_digest()
        {
            // version_test.go StrategyDigest.
            const string digest = "sha256:7b8f2d2f0a5b6c1e9d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c";
            var tags = new List<ImageTag> { new ImageTag("latest") { Digest = digest }, new ImageTag("1.0.0") { Digest = "sha256:00" }, new ImageTag("stable") };
            var result = TagSelector.Select(tags, new TagSelectionOptions { Strategy = UpdateStrategy.Digest, Constraint = "latest" });
            Assert.Equal("latest", result.Winner!.Tag);
            Assert.Equal("latest@" + digest, result.WinnerText);
            Assert.Equal("3 tags: 2 not the tracked tag latest, tracking latest at " + digest, result.Reason);
        }

        [Fact]
        public void Digest_without_a_constraint_is_an_error_and_a_missing_tag_is_explained()
        {
            var ex = Assert.Throws<ImageUpdaterException>(() => TagSelector.Select(Tags("latest"), new TagSelectionOptions { Strategy = UpdateStrategy.Digest }));
            Assert.Equal("DigestNeedsTag", ex.ErrorId);
            Assert.Contains("needs the tag to track", ex.Message);

            var none = TagSelector.Select(Tags("1.0", "2.0"), new TagSelectionOptions { Strategy = UpdateStrategy.Digest, Constraint = "latest" });
            Assert.Null(none.Winner);
            Assert.Null(none.WinnerText);
            Assert.Equal("2 tags: 2 not the tracked tag latest, none left", none.Reason);

            var noDigest = TagSelector.Select(Tags("latest"), new TagSelectionOptions { Strategy = UpdateStrategy.Digest, Constraint = "latest" });
            Assert.Equal("latest", noDigest.WinnerText);
            Assert.Contains("gave no digest", noDigest.Reason);
        }

        [Fact]
        public void Reason_counts_every_filter_like_the_example_in_the_issue()
        {
            // 212 tags: 190 rejected by allow-tags, 19 outside ~1.4, newest 1.4.7
            var names = new List<string>();
            for (int i = 0; i < 190; i++)
            {
                names.Add("sha-" + i.ToString("x7", CultureInfo.InvariantCulture));
            }

            for (int minor = 0; minor < 19; minor++)
            {
                names.Add("1." + (minor < 4 ? minor : minor + 1) + ".0");
            }

            names.AddRange(new[] { "1.4.0", "1.4.7", "1.4.3" });
            var result = TagSelector.Select(Tags(names.ToArray()), new TagSelectionOptions { Constraint = "~1.4", AllowTags = @"regexp:^\d+\.\d+\.\d+$" });
            Assert.Equal("212 tags: 190 rejected by allow-tags, 19 outside ~1.4, newest 1.4.7", result.Reason);
            Assert.Equal(new[] { "1.4.7", "1.4.3", "1.4.0" }, Names(result));
        }

        [Fact]
        public void Reason_explains_why_none_won()
        {
            var tags = Tags("latest", "1.0.0", "1.1.0-rc.1", "2.0.0", "1.0.1-debug", "x");
            var result = TagSelector.Select(tags, new TagSelectionOptions { Constraint = "~1.0", AllowTags = "regexp:^[0-9]", IgnoreTags = new[] { "1.0.0", "*-debug" } });
            Assert.Null(result.Winner);
            Assert.Equal("6 tags: 2 rejected by allow-tags, 2 ignored by ignore-tags, 1 pre-release (the constraint has no pre-release part), 1 outside ~1.0, none left", result.Reason);

            Assert.Equal("no tags to choose from", TagSelector.Select(new ImageTag[0], new TagSelectionOptions()).Reason);
        }

        [Fact]
        public void Invalid_allow_tags_rejects_everything_and_the_reason_says_why()
        {
            var result = TagSelector.Select(Tags("1.0.0", "1.1.0"), new TagSelectionOptions { AllowTags = "regexp:[" });
            Assert.Null(result.Winner);
            Assert.StartsWith("2 tags: 2 rejected by allow-tags (allow-tags 'regexp:[' is not a valid regular expression (", result.Reason);
            Assert.EndsWith("), so it admits no tag), none left", result.Reason);
        }

        [Fact]
        public void Ignore_tags_star_disables_updates_and_blank_entries_are_dropped()
        {
            Assert.Null(TagSelector.Select(Tags("1.0.0", "2.0.0"), new TagSelectionOptions { IgnoreTags = new[] { "*" } }).Winner);
            Assert.Equal("2.0.0", TagSelector.Select(Tags("1.0.0", "2.0.0"), new TagSelectionOptions { IgnoreTags = new[] { " ", "" } }).Winner!.Tag);
            Assert.Equal("1.0.0", TagSelector.Select(Tags("1.0.0", "2.0.0"), new TagSelectionOptions { IgnoreTags = new[] { " 2.* " } }).Winner!.Tag);

            var malformed = TagSelector.Select(Tags("1.0.0", "2.0.0"), new TagSelectionOptions { IgnoreTags = new[] { "[2", "1.*" } });
            Assert.Equal("2 tags: 1 ignored by ignore-tags, newest 2.0.0 (ignore-tags pattern '[2' is malformed (an unclosed or empty [...] class or a trailing '\\'), so it ignores nothing)", malformed.Reason);
        }

        [Fact]
        public void Platforms_filter_only_tags_whose_platforms_are_known()
        {
            var tags = new List<ImageTag>
            {
                new ImageTag("1.3.0") { Platforms = new[] { "linux/amd64", "linux/arm64/v8" } },
                new ImageTag("1.4.0") { Platforms = new[] { "linux/arm/v7" } },
                new ImageTag("1.2.0"),
            };
            var amd = TagSelector.Select(tags, new TagSelectionOptions { Platforms = new[] { "linux/amd64" } });
            Assert.Equal(new[] { "1.3.0", "1.2.0" }, Names(amd));
            Assert.Equal("3 tags: 1 not built for linux/amd64, newest 1.3.0", amd.Reason);

            var arm = TagSelector.Select(tags, new TagSelectionOptions { Platforms = new[] { "linux/arm" } });
            Assert.Equal("1.4.0", arm.Winner!.Tag);

            var typo = TagSelector.Select(tags, new TagSelectionOptions { Platforms = new[] { "amd64" } });
            Assert.Equal("1.2.0", typo.Winner!.Tag);
            Assert.Contains("2 not built for amd64 (platform 'amd64' is not os/arch[/variant]", typo.Reason);
        }

        [Fact]
        public void Options_come_from_an_image_spec()
        {
            var spec = new ImageSpec("app", ImageReference.Parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:~1.4"))
            {
                AllowTags = "regexp:^1",
                IgnoreTags = new[] { "1.4.9" },
            };
            var result = TagSelector.Select(Tags("1.4.2", "1.4.9", "1.5.0", "2.0.0"), TagSelectionOptions.FromSpec(spec));
            Assert.Equal("1.4.2", result.Winner!.Tag);
            Assert.Equal("4 tags: 1 rejected by allow-tags, 1 ignored by ignore-tags, 1 outside ~1.4, newest 1.4.2", result.Reason);
        }

        [Fact]
        public void Every_update_strategy_has_an_implementation()
        {
            foreach (UpdateStrategy strategy in Enum.GetValues(typeof(UpdateStrategy)))
            {
                var result = TagSelector.Select(Tags("1.0.0", "0.9.0"), new TagSelectionOptions { Strategy = strategy, Constraint = "1.0.0" });
                Assert.True(result.Winner is not null, strategy + ": " + result.Reason);
            }
        }

        [Fact]
        public void Selects_over_100000_tags_with_a_constraint_and_a_regexp()
        {
            var tags = GenerateTags(100_000);
            var result = TagSelector.Select(tags, new TagSelectionOptions { Constraint = "~3.4", AllowTags = @"regexp:^v?\d+\.\d+\.\d+$", IgnoreTags = new[] { "*.13" } });
            Assert.Equal("v3.4.249", result.Winner!.Tag);
            Assert.Equal(498, result.Ordered.Count);
            for (int i = 1; i < result.Ordered.Count; i++)
            {
                Assert.True(SemanticVersion.TryParse(result.Ordered[i - 1].Tag, out var better));
                Assert.True(SemanticVersion.TryParse(result.Ordered[i].Tag, out var worse));
                Assert.True(SemanticVersion.CompareForSelection(better, worse) > 0, result.Ordered[i - 1].Tag + " before " + result.Ordered[i].Tag);
            }

            Assert.Equal("100000 tags: 50000 rejected by allow-tags, 200 ignored by ignore-tags, 49302 outside ~3.4, newest v3.4.249", result.Reason);
        }

        /// <summary>Unique tags in shuffled order: releases (half v-prefixed), pre-releases and sha-like tags, a quarter each (the benchmark uses the same shape).</summary>
        internal static List<ImageTag> GenerateTags(int count)
        {
            var random = new Random(42);
            var tags = new List<ImageTag>(count);
            for (int i = 0; i < count; i++)
            {
                int kind = i % 4;
                int major = (i / 4) % 10, minor = (i / 40) % 10, patch = i / 400;
                string name = kind switch
                {
                    0 => major + "." + minor + "." + patch,
                    1 => "v" + major + "." + minor + "." + patch,
                    2 => major + "." + minor + "." + patch + "-rc." + (i % 7),
                    _ => "sha-" + i.ToString("x8", CultureInfo.InvariantCulture),
                };
                tags.Add(new ImageTag(name) { PushedAt = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 + i) });
            }

            for (int i = tags.Count - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (tags[i], tags[j]) = (tags[j], tags[i]);
            }

            return tags;
        }

        private static List<ImageTag> Tags(params string[] names) => names.Select(n => new ImageTag(n)).ToList();

        private static string[] Names(TagSelectionResult result) => result.Ordered.Select(t => t.Tag).ToArray();
    }
}
