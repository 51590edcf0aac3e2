using System;
using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Tags;
using ImageUpdater.Core.Updating;
using Xunit;

namespace ImageUpdater.Core.Tests.Updating
{
    public class HoldRuleTests
    {
        private static readonly DateTimeOffset Now = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

        private static HandChange Change(string previous, string value) => new HandChange("0123456789abcdef0123", "Alice", "alice@example.com", Now.AddHours(-3), previous, value);

        [Theory]
        [InlineData(UpdateStrategy.Semver, "1.1.0", "1.0.0", "1.1.0", true)] // rolled back
        [InlineData(UpdateStrategy.Semver, "1.0.0", "1.1.0", "1.2.0", false)] // forward, updater continues
        [InlineData(UpdateStrategy.Semver, "1.0.0", "1.2.0", "1.1.0", true)] // updater would go below the hand value
        [InlineData(UpdateStrategy.Semver, "1.0.0", "1.2.0", "1.2.0", false)] // already the chosen tag
        [InlineData(UpdateStrategy.Semver, "1.0.0", "hotfix", "1.1.0", true)] // away to a non-version
        [InlineData(UpdateStrategy.Semver, "custom", "1.1.0", "1.2.0", true)] // previous unreadable: cannot say forward
        [InlineData(UpdateStrategy.Alphabetical, "b", "a", "c", true)]
        [InlineData(UpdateStrategy.Alphabetical, "a", "b", "c", false)]
        [InlineData(UpdateStrategy.NewestBuild, "build-1", "build-2", "build-3", true)] // no order in tag text: any override is away
        [InlineData(UpdateStrategy.Digest, "stable", "pinned", "stable", true)]
        public void AgainstUpdaterByStrategy(UpdateStrategy strategy, string previous, string value, string chosen, bool expected) =>
            Assert.Equal(expected, HoldRule.AgainstUpdater(strategy, previous, value, chosen));

        [Fact]
        public void HandRollbackReasonNamesAuthorCommitDateAndRelease()
        {
            var reason = HoldRule.Decide(null, Change("1.1.0", "1.0.0"), UpdateStrategy.Semver, "1.1.0", Now);

            Assert.Equal("Held: Alice <alice@example.com> set 1.0.0 (was 1.1.0) by hand in commit 0123456789ab on 2026-11-30 09:00 UTC; 1.1.0 is not written until the hold annotation is set to \"false\" (or -IgnoreHold).", reason);
        }

        [Fact]
        public void NoHandChangeNoHold() => Assert.Null(HoldRule.Decide(null, null, UpdateStrategy.Semver, "1.1.0", Now));

        [Fact]
        public void ReleasedIgnoresTheHandChange() => Assert.Null(HoldRule.Decide(HoldSetting.Released, Change("1.1.0", "1.0.0"), UpdateStrategy.Semver, "1.1.0", Now));

        [Fact]
        public void ExplicitHolds()
        {
            Assert.Contains("(\"true\")", HoldRule.Decide(HoldSetting.Indefinite, null, UpdateStrategy.Semver, "1.1.0", Now));
            Assert.Contains("until 2026-12-24 00:00 UTC", HoldRule.Decide(new HoldSetting { Until = new DateTimeOffset(2026, 12, 24, 0, 0, 0, TimeSpan.Zero) }, null, UpdateStrategy.Semver, "1.1.0", Now));
            Assert.Null(HoldRule.Decide(new HoldSetting { Until = Now.AddDays(-1) }, null, UpdateStrategy.Semver, "1.1.0", Now));

            // An expired hold falls back to the detection.
            Assert.NotNull(HoldRule.Decide(new HoldSetting { Until = Now.AddDays(-1) }, Change("1.1.0", "1.0.0"), UpdateStrategy.Semver, "1.1.0", Now));
        }

        [Theory]
        [InlineData("true", false, null)]
        [InlineData(" FALSE ", true, null)]
        [InlineData("until 2026-12-24", false, "2026-12-24T00:00:00.0000000+00:00")]
        [InlineData("until 2026-12-24T08:00:00+02:00", false, "2026-12-24T06:00:00.0000000+00:00")]
        public void ParsesSettings(string text, bool release, string? until)
        {
            Assert.True(HoldSetting.TryParse(text, out var setting, out var error));
            Assert.Equal(string.Empty, error);
            Assert.Equal(release, setting.Release);
            Assert.Equal(until, setting.Until?.ToString("o"));
        }

        [Fact]
        public void HoldIsReadPerImageThenApplicationWideAndABadValueHoldsWithAnError()
        {
            const string P = AnnotationKeys.Prefix;
            var parsed = AnnotationParser.Parse("app", new System.Collections.Generic.Dictionary<string, string>
            {
                [P + "image-list"] = "web=nginx, api=redis, db=postgres",
                [P + "hold"] = "until 2026-12-24",
                [P + "api.hold"] = "false",
                [P + "db.hold"] = "later",
            });

            var holds = parsed.Images.ToDictionary(i => i.Alias!, i => i.Hold);
            Assert.Equal(new DateTimeOffset(2026, 12, 24, 0, 0, 0, TimeSpan.Zero), holds["web"]!.Until);
            Assert.True(holds["api"]!.Release);
            Assert.Equal(HoldSetting.Indefinite, holds["db"]);
            var error = Assert.Single(parsed.Diagnostics, d => d.Key == "db.hold");
            Assert.Equal(DiagnosticSeverity.Error, error.Severity);
            Assert.Contains("'until <date>'", error.Message);
            Assert.DoesNotContain(parsed.Diagnostics, d => d.UnknownKey);
        }

        [Theory]
        [InlineData("yes")]
        [InlineData("until")]
        [InlineData("until christmas")]
        [InlineData("")]
        public void RejectsOtherText(string text)
        {
            Assert.False(HoldSetting.TryParse(text, out _, out var error));
            Assert.Contains("'until <date>'", error);
        }
    }
}
