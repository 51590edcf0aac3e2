using System;
using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Tags;
using Xunit;

namespace ImageUpdater.Core.Tests.Tags
{
    public class MinimumAgeTests
    {
        private const string P = "argocd-image-updater.argoproj.io/";
        private static readonly DateTimeOffset Now = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

        private static ImageTag Tag(string name, double hoursAgo) => new ImageTag(name) { PushedAt = Now.AddHours(-hoursAgo) };

        [Theory]
        [InlineData("2h", 2 * 60)]
        [InlineData("1h30m", 90)]
        [InlineData("90s", 1.5)]
        [InlineData("3d", 3 * 24 * 60)]
        [InlineData("1w2d", 9 * 24 * 60)]
        [InlineData(" 45m ", 45)]
        [InlineData("0", 0)]
        public void Durations_are_read_as_written(string text, double minutes)
        {
            Assert.True(MinimumAge.TryParse(text, out var age, out _));
            Assert.Equal(TimeSpan.FromMinutes(minutes), age);
        }

        [Theory]
        [InlineData("")]
        [InlineData("2")]
        [InlineData("2 hours")]
        [InlineData("-1h")]
        [InlineData("1h1h")]
        [InlineData("P1D")]
        public void Anything_else_is_refused_with_an_example(string text)
        {
            Assert.False(MinimumAge.TryParse(text, out _, out var error));
            Assert.Contains("30m, 2h, 1h30m or 3d", error);
        }

        [Fact]
        public void A_tag_younger_than_the_minimum_age_is_not_chosen_and_the_reason_says_when_it_will_be()
        {
            var tags = new[] { Tag("1.4.0", 48), Tag("1.5.0", 30), Tag("1.6.0", 0.5) };

            var result = TagSelector.Select(tags, new TagSelectionOptions { MinimumAge = TimeSpan.FromHours(2), Now = Now });

            Assert.Equal("1.5.0", result.Winner!.Tag);
            Assert.Contains("1 younger than min-age 2h (1.6.0 can be chosen from 2026-11-30 13:30:00Z)", result.Reason);
            Assert.Contains("newest old enough 1.5.0", result.Reason);
        }

        [Fact]
        public void Once_old_enough_the_tag_is_chosen()
        {
            var tags = new[] { Tag("1.5.0", 30), Tag("1.6.0", 2.01) };

            var result = TagSelector.Select(tags, new TagSelectionOptions { MinimumAge = TimeSpan.FromHours(2), Now = Now });

            Assert.Equal("1.6.0", result.Winner!.Tag);
            Assert.DoesNotContain("younger", result.Reason);
        }

        [Fact]
        public void The_build_time_counts_when_the_registry_gives_no_push_time_and_a_tag_with_neither_is_never_old_enough()
        {
            var built = new ImageTag("1.1.0") { CreatedAt = Now.AddDays(-1) };
            var unknown = new ImageTag("1.2.0");

            var result = TagSelector.Select(new[] { built, unknown }, new TagSelectionOptions { MinimumAge = TimeSpan.FromHours(1), Now = Now });

            Assert.Equal("1.1.0", result.Winner!.Tag);
            Assert.Contains("1.2.0 has no push or build time, so it is never old enough", result.Reason);
        }

        [Fact]
        public void Every_tag_too_young_leaves_no_winner()
        {
            var result = TagSelector.Select(new[] { Tag("1.6.0", 0.1) }, new TagSelectionOptions { MinimumAge = TimeSpan.FromDays(1), Now = Now });

            Assert.Null(result.Winner);
            Assert.Contains("none left", result.Reason);
        }

        [Fact]
        public void Min_age_is_read_per_image_then_application_wide_and_a_bad_value_holds_the_image_with_an_error()
        {
            var parsed = AnnotationParser.Parse("app", new System.Collections.Generic.Dictionary<string, string>
            {
                [P + "image-list"] = "web=nginx, api=redis, db=postgres",
                [P + "min-age"] = "2h",
                [P + "api.min-age"] = "30m",
                [P + "db.min-age"] = "soon",
            });

            var ages = parsed.Images.ToDictionary(i => i.Alias!, i => i.MinimumAge);
            Assert.Equal(TimeSpan.FromHours(2), ages["web"]);
            Assert.Equal(TimeSpan.FromMinutes(30), ages["api"]);
            Assert.True(ages["db"] > TimeSpan.FromDays(365));
            var error = Assert.Single(parsed.Diagnostics, d => d.Key == "db.min-age");
            Assert.Equal(DiagnosticSeverity.Error, error.Severity);
            Assert.DoesNotContain(parsed.Diagnostics, d => d.UnknownKey);
        }
    }
}
