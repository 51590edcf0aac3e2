using ImageUpdater.Core.Tags;
using Xunit;

namespace ImageUpdater.Core.Tests.Tags
{
    public class TagFilterTests
    {
        [Theory]
        // Go path/filepath match_test.go
        [InlineData("abc", "abc", true)]
        [InlineData("*", "abc", true)]
        [InlineData("*c", "abc", true)]
        [InlineData("a*", "a", true)]
        [InlineData("a*", "abc", true)]
        [InlineData("a*", "ab/c", false)]
        [InlineData("a*/b", "abc/b", true)]
        [InlineData("a*/b", "a/c/b", false)]
        [InlineData("a*b*c*d*e*/f", "axbxcxdxe/f", true)]
        [InlineData("a*b*c*d*e*/f", "axbxcxdxexxx/f", true)]
        [InlineData("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false)]
        [InlineData("a*b*c*d*e*/f", "axbxcxdxexxx/fff", false)]
        [InlineData("a*b?c*x", "abxbbxdbxebxczzx", true)]
        [InlineData("a*b?c*x", "abxbbxdbxebxczzy", false)]
        [InlineData("ab[c]", "abc", true)]
        [InlineData("ab[b-d]", "abc", true)]
        [InlineData("ab[e-g]", "abc", false)]
        [InlineData("ab[^c]", "abc", false)]
        [InlineData("ab[^b-d]", "abc", false)]
        [InlineData("ab[^e-g]", "abc", true)]
        [InlineData("a\\*b", "a*b", true)]
        [InlineData("a\\*b", "ab", false)]
        [InlineData("a?b", "a\u263Ab", true)]
        [InlineData("a[^a]b", "a\u263Ab", true)]
        [InlineData("a???b", "a\u263Ab", false)]
        [InlineData("a?b", "a/b", false)]
        [InlineData("a*b", "a/b", false)]
        [InlineData("[\\]a]", "]", true)]
        [InlineData("[\\-]", "-", true)]
        [InlineData("[x\\-]", "x", true)]
        [InlineData("[x\\-]", "-", true)]
        [InlineData("[x\\-]", "z", false)]
        [InlineData("*x", "xxx", true)]
        // upstream Test_VersionConstraint_IsTagIgnored and typical ignore-tags
        [InlineData("tag1", "tag1", true)]
        [InlineData("tag?", "tag1", true)]
        [InlineData("tag?", "tag10", false)]
        [InlineData("*-rc*", "1.4.0-rc.1", true)]
        [InlineData("*-rc*", "1.4.0", false)]
        [InlineData("latest", "latest", true)]
        [InlineData("sha-*", "sha-1a2b3c", true)]
        public void Ignore_globs_match_like_Go_filepath_Match(string pattern, string tag, bool expected)
        {
            Assert.True(TagGlob.TryParse(pattern, out var glob, out var error), error);
            Assert.Equal(expected, glob.IsMatch(tag));
        }

        [Theory]
        [InlineData("[]a]", "]")]
        [InlineData("[-]", "-")]
        [InlineData("[x-]", "x")]
        [InlineData("[-x]", "x")]
        [InlineData("\\", "a")]
        [InlineData("[a-b-c]", "a")]
        [InlineData("[", "a")]
        [InlineData("[^", "a")]
        [InlineData("[^bc", "a")]
        [InlineData("a[", "a")]
        [InlineData("a[", "ab")]
        [InlineData("*[", "x[")]
        public void Malformed_globs_ignore_nothing_and_say_why(string pattern, string tag)
        {
            Assert.False(TagGlob.TryParse(pattern, out var glob, out var error));
            Assert.Contains("malformed", error);
            Assert.False(glob.IsMatch(tag));
        }

        [Theory]
        [InlineData(null, "anything", true)]
        [InlineData("", "anything", true)]
        [InlineData("any", "anything", true)]
        [InlineData("ANY", "anything", true)]
        [InlineData("regexp:^1\\.4\\.", "1.4.7", true)]
        [InlineData("regexp:^1\\.4\\.", "11.4.7", false)]
        [InlineData("regexp:rc", "1.4.0-rc.1", true)] // unanchored, as Go's MatchString
        [InlineData("REGEXP:^v", "v1", true)]
        [InlineData("regexp:^[0-9a-f]{7}$", "f33bacd", true)]
        [InlineData("regexp:^[0-9a-f]{7}$", "f33bacd1", false)]
        [InlineData("regexp:^(?P<major>\\d+)\\.\\d+$", "12.3", true)]
        [InlineData("regexp:^[[:digit:]]+$", "20240101", true)]
        [InlineData("regexp:^[[:digit:]]+$", "2024a", false)]
        [InlineData("regexp:", "x", true)]
        public void Allow_tags_admits_by_unanchored_regexp(string? value, string tag, bool expected)
        {
            Assert.True(AllowTagsFilter.TryParse(value, out var filter, out var error), error);
            Assert.Equal(expected, filter.IsMatch(tag));
        }

        [Theory]
        [InlineData("regexp:[", "not a valid regular expression")]
        [InlineData("regexp:(", "not a valid regular expression")]
        [InlineData("glob:*", "unknown match function 'glob'")]
        [InlineData("^1\\.4", "neither 'any' nor 'regexp:<expression>'")]
        public void Invalid_allow_tags_admits_nothing_and_says_why(string value, string why)
        {
            Assert.False(AllowTagsFilter.TryParse(value, out var filter, out var error));
            Assert.Contains(why, error);
            Assert.Equal(error, filter.Problem);
            Assert.False(filter.IsMatch("1.4.0"));
            Assert.False(filter.IsMatch(string.Empty));
        }

#if NET8_0_OR_GREATER
        [Fact]
        public void Allow_tags_refuses_lookarounds_as_Go_does()
        {
            Assert.False(AllowTagsFilter.TryParse("regexp:^(?!.*-rc).*$", out _, out var error));
            Assert.Contains("not a valid regular expression", error);
        }
#endif

        [Theory]
        [InlineData("linux/amd64", new[] { "linux/amd64" }, true)]
        [InlineData("linux/amd64", new[] { "linux/arm64/v8", "linux/amd64" }, true)]
        [InlineData("linux/amd64", new[] { "linux/arm64/v8" }, false)]
        [InlineData("linux/arm", new[] { "linux/arm/v7" }, true)]
        [InlineData("linux/arm/v7", new[] { "linux/arm/v6" }, false)]
        [InlineData("linux/arm/v7", new[] { "linux/arm" }, false)]
        [InlineData("linux/arm64/v8", new[] { "linux/arm64/v8" }, true)]
        [InlineData("windows/amd64", new[] { "linux/amd64" }, false)]
        [InlineData("linux/amd64", new string[0], true)]
        public void Platforms_admit_matching_images_and_variantless_entries_admit_any_variant(string wanted, string[] built, bool expected)
        {
            Assert.True(PlatformFilter.TryParse(new[] { wanted }, out var filter, out var error), error);
            Assert.Equal(expected, filter.Admits(built));
        }

        [Fact]
        public void A_malformed_platform_admits_no_known_platform_and_says_why()
        {
            Assert.False(PlatformFilter.TryParse(new[] { "amd64" }, out var filter, out var error));
            Assert.Contains("'amd64' is not os/arch[/variant]", error);
            Assert.False(filter.Admits(new[] { "linux/amd64" }));
            Assert.True(filter.Admits(new string[0]));
        }
    }
}
