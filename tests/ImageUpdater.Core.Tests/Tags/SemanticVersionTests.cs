using System;
using System.Linq;
using ImageUpdater.Core.Tags;
using Xunit;

namespace ImageUpdater.Core.Tests.Tags
{
    public class SemanticVersionTests
    {
        [Theory]
        [InlineData("1.2.3", "1.2.3")]
        [InlineData("v1.2.3", "1.2.3")]
        [InlineData("1.2", "1.2.0")]
        [InlineData("v2", "2.0.0")]
        [InlineData("2", "2.0.0")]
        [InlineData("01.02.03", "1.2.3")]
        [InlineData("1.2.3-beta.1", "1.2.3-beta.1")]
        [InlineData("1.2.3+build.5", "1.2.3+build.5")]
        [InlineData("1.2.3-rc.1+sha.e8fc5e5", "1.2.3-rc.1+sha.e8fc5e5")]
        [InlineData("v2.3.5-20161202202307-sha.e8fc5e5", "2.3.5-20161202202307-sha.e8fc5e5")]
        [InlineData("1-alpha", "1.0.0-alpha")]
        [InlineData("1.0.0+001", "1.0.0+001")]
        [InlineData("20240101", "20240101.0.0")]
        [InlineData("2024.01.15", "2024.1.15")]
        [InlineData("1.0.0-x-y-z.--", "1.0.0-x-y-z.--")]
        public void Parses_leniently_like_Masterminds_NewVersion(string tag, string normalized)
        {
            Assert.True(SemanticVersion.TryParse(tag, out var v));
            Assert.Equal(normalized, v.ToString());
            Assert.Equal(tag, v.Original);
        }

        [Theory]
        [InlineData("latest")]
        [InlineData("")]
        [InlineData("v")]
        [InlineData("V1.2.3")]
        [InlineData("1.2.3.4")]
        [InlineData("12.3.4.1234")]
        [InlineData("1..2")]
        [InlineData("1.2.")]
        [InlineData("1.2.3-")]
        [InlineData("1.2.3-01")]
        [InlineData("1.2.3-beta..1")]
        [InlineData("1.2.3+")]
        [InlineData("1.2.3_beta")]
        [InlineData(" 1.2.3")]
        [InlineData("1.2.3\n")]
        [InlineData("99999999999999999999.0.0")]
        [InlineData("f33bacd")]
        [InlineData("sha-1a2b3c")]
        public void Rejects_what_is_not_a_version(string tag)
        {
            Assert.False(SemanticVersion.TryParse(tag, out _));
        }

        [Fact]
        public void Orders_by_semver_2_precedence_with_prerelease_rules()
        {
            // The example ordering of semver.org section 11, plus numbers beyond 32 bits.
            var ascending = new[]
            {
                "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
                "1.0.0-rc.1", "1.0.0", "1.0.1", "1.2.0", "1.10.0", "2.0.0", "4294967296.0.0",
            };
            var versions = ascending.Select(Parse).ToArray();
            for (int i = 0; i + 1 < versions.Length; i++)
            {
                Assert.True(versions[i] < versions[i + 1], $"{ascending[i]} < {ascending[i + 1]}");
                Assert.True(versions[i + 1] > versions[i]);
            }
        }

        [Theory]
        [InlineData("1.0.0+a", "1.0.0+b")]
        [InlineData("v1.0", "1.0.0")]
        [InlineData("1", "1.0.0")]
        public void Build_metadata_and_spelling_do_not_change_precedence(string a, string b)
        {
            Assert.Equal(0, Parse(a).CompareTo(Parse(b)));
            Assert.True(Parse(a) == Parse(b));
        }

        [Fact]
        public void Ties_are_broken_by_ordinal_text_like_upstream_semverCollection()
        {
            Assert.True(SemanticVersion.CompareForSelection(Parse("v2.0"), Parse("v2.0.0")) < 0);
            Assert.True(SemanticVersion.CompareForSelection(Parse("1.0.0"), Parse("v1.0.0")) < 0);
            Assert.True(SemanticVersion.CompareForSelection(Parse("1.0.0+a"), Parse("1.0.0+b")) < 0);
        }

        [Fact]
        public void Exposes_parts()
        {
            var v = Parse("v1.22.333-rc.1+build.7");
            Assert.Equal(1UL, v.Major);
            Assert.Equal(22UL, v.Minor);
            Assert.Equal(333UL, v.Patch);
            Assert.Equal("rc.1", v.Prerelease);
            Assert.Equal("build.7", v.Metadata);
            Assert.True(v.IsPrerelease);
            Assert.False(Parse("1.0.0+x").IsPrerelease);
        }

        private static SemanticVersion Parse(string text)
        {
            Assert.True(SemanticVersion.TryParse(text, out var v), text);
            return v;
        }
    }
}
