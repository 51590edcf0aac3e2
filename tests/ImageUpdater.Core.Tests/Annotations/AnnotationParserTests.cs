using System.Collections.Generic;
using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Tags;
using Xunit;

namespace ImageUpdater.Core.Tests.Annotations
{
    public class AnnotationParserTests
    {
        private const string P = AnnotationKeys.Prefix;

        private static ParsedAnnotations Parse(params (string Key, string Value)[] keys) =>
            AnnotationParser.Parse("app", keys.ToDictionary(k => P + k.Key, k => k.Value));

        private static IEnumerable<AnnotationDiagnostic> Errors(ParsedAnnotations p) => p.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);

        [Fact]
        public void ImageList_TrimsEntriesAndSplitsAliasAtFirstEquals()
        {
            var p = Parse(("image-list", " foo, bar ,  web=ghcr.io/org/web:~1.4 ,\n"));
            Assert.Equal(new[] { "foo", "bar", "ghcr.io/org/web" }, p.Images.Select(i => i.Image));
            Assert.Equal(new string?[] { null, null, "web" }, p.Images.Select(i => i.Alias));
            Assert.Equal("~1.4", p.Images[2].Constraint);
            Assert.Equal("ghcr.io", p.Images[2].Registry);
            Assert.Equal("docker.io", p.Images[0].Registry);
            Assert.Empty(Errors(p));
        }

        [Fact]
        public void ImageList_RegistryWithPortAndDigestReference()
        {
            var p = Parse(("image-list", "a=10.42.0.1:30000/test-image:1.X.X, b=nginx:1.25@sha256:abcd"));
            Assert.Equal("10.42.0.1:30000", p.Images[0].Registry);
            Assert.Equal("test-image", p.Images[0].Repository);
            Assert.Equal("1.X.X", p.Images[0].Constraint);
            Assert.Equal("1.25", p.Images[1].Constraint);
            Assert.Equal("sha256:abcd", p.Images[1].Reference.Digest);
        }

        [Fact]
        public void PerImageKeyOverridesAppWideWhichOverridesDefault()
        {
            var p = Parse(
                ("image-list", "a=img-a, b=img-b, img-c"),
                ("update-strategy", "newest-build"),
                ("a.update-strategy", "alphabetical"),
                ("ignore-tags", " latest, ,dev-* "),
                ("b.allow-tags", "regexp:^v1\\."));
            Assert.Equal(UpdateStrategy.Alphabetical, p.Images[0].UpdateStrategy);
            Assert.Equal(UpdateStrategy.NewestBuild, p.Images[1].UpdateStrategy);
            Assert.Equal(UpdateStrategy.NewestBuild, p.Images[2].UpdateStrategy);
            Assert.Equal(new[] { "latest", "dev-*" }, p.Images[2].IgnoreTags);
            Assert.Equal("regexp:^v1\\.", p.Images[1].AllowTags);
            Assert.Null(p.Images[0].AllowTags);
        }

        [Fact]
        public void AliasWithSlashIsWrittenWithUnderscoreInKeys()
        {
            var p = Parse(("image-list", "org/web=ghcr.io/org/web"), ("org_web.helm.image-tag", "web.tag"));
            Assert.Equal("web.tag", p.Images[0].HelmImageTag);
            Assert.Empty(p.Diagnostics);
        }

        [Theory]
        [InlineData("latest", UpdateStrategy.NewestBuild)]
        [InlineData("name", UpdateStrategy.Alphabetical)]
        public void DeprecatedStrategyNamesWork_WithWarning(string value, UpdateStrategy expected)
        {
            var p = Parse(("image-list", "a=img"), ("a.update-strategy", value));
            Assert.Equal(expected, p.Images[0].UpdateStrategy);
            var d = Assert.Single(p.Diagnostics);
            Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
            Assert.Equal("a.update-strategy", d.Key);
        }

        [Fact]
        public void UnknownStrategy_FallsBackToSemverAndSaysSo()
        {
            var p = Parse(("image-list", "a=img"), ("a.update-strategy", "newest"));
            Assert.Equal(UpdateStrategy.Semver, p.Images[0].UpdateStrategy);
            var d = Assert.Single(Errors(p));
            Assert.Contains("falls back to semver", d.Message);
        }

        [Fact]
        public void TagMatchIsReadWhenAllowTagsIsAbsent()
        {
            var p = Parse(("image-list", "a=img"), ("a.tag-match", "regexp:^1"));
            Assert.Equal("regexp:^1", p.Images[0].AllowTags);
            Assert.Contains(p.Diagnostics, d => d.Key == "a.tag-match" && d.Severity == DiagnosticSeverity.Warning);
        }

        [Theory]
        [InlineData("regexp:^v[0-9+$", "not a valid regular expression")]
        [InlineData("semver", "neither 'any' nor 'regexp:")]
        public void InvalidAllowTags_IsAnError(string value, string message)
        {
            var p = Parse(("image-list", "a=img"), ("a.allow-tags", value));
            Assert.Contains(Errors(p), d => d.Key == "a.allow-tags" && d.Message.Contains(message));
        }

        [Theory]
        [InlineData("true", true)]
        [InlineData("False", false)]
        public void GitPullRequestIsAKnownKey(string value, bool expected)
        {
            var p = Parse(("image-list", "a=nginx"), ("git.pull-request", value));

            Assert.Empty(p.Diagnostics);
            Assert.Equal(expected, p.WriteBack.PullRequest);
        }

        [Fact]
        public void GitPullRequestMustBeTrueOrFalse()
        {
            var p = Parse(("image-list", "a=nginx"), ("git.pull-request", "yes"));

            var d = Assert.Single(Errors(p));
            Assert.Equal("git.pull-request", d.Key);
            Assert.Null(p.WriteBack.PullRequest);
        }

        [Fact]
        public void UnknownKeysAndUnknownAliasesAreErrors()
        {
            var p = Parse(("image-list", "a=img"), ("b.update-strategy", "semver"), ("write-back-mode", "git"), ("platforms", "linux/amd64"));
            Assert.Contains(Errors(p), d => d.Key == "b.update-strategy" && d.Message.Contains("'b'"));
            Assert.Contains(Errors(p), d => d.Key == "write-back-mode");
            Assert.Contains(Errors(p), d => d.Key == "platforms" && d.Message.Contains("<alias>.platforms"));
        }

        [Fact]
        public void ForceUpdateMustBeExactlyTrue()
        {
            var p = Parse(("image-list", "a=img, b=img2"), ("a.force-update", "true"), ("b.force-update", "True"));
            Assert.True(p.Images[0].ForceUpdate);
            Assert.False(p.Images[1].ForceUpdate);
        }

        [Fact]
        public void DigestWithoutConstraint_IsAnError()
        {
            var p = Parse(("image-list", "a=img"), ("a.update-strategy", "digest"));
            Assert.Contains(Errors(p), d => d.Message.Contains("digest strategy without a tag"));
        }

        [Theory]
        [InlineData("a=img:~1.4", true)]
        [InlineData("a=img:>=1.2 <2.0 || ^3", true)]
        [InlineData("a=img:1.2.x", true)]
        [InlineData("a=img:~>>1", false)]
        [InlineData("a=img:latest", false)]
        public void SemverConstraintsAreChecked(string list, bool valid)
        {
            var p = Parse(("image-list", list));
            Assert.Equal(valid, !Errors(p).Any(d => d.Message.Contains("not a semver constraint")));
        }

        [Fact]
        public void InvalidIgnoreTagsGlob_IsAnError()
        {
            var p = Parse(("image-list", "a=img"), ("a.ignore-tags", "ok-*, [unclosed"));
            Assert.Contains(Errors(p), d => d.Key == "a.ignore-tags");
        }

        [Fact]
        public void DuplicateAliases_AreAnError()
        {
            var p = Parse(("image-list", "a=img, a=img2"));
            Assert.Contains(Errors(p), d => d.Message.Contains("more than once"));
        }

        [Fact]
        public void ConstraintWithEqualsWithoutAlias_IsReadAsMeantAndReported()
        {
            var p = Parse(("image-list", "nginx:>=1.2"));
            var image = Assert.Single(p.Images);
            Assert.Null(image.Alias);
            Assert.Equal(">=1.2", image.Constraint);
            Assert.Contains(Errors(p), d => d.Message.Contains("no alias"));
        }

        [Theory]
        [InlineData(null, WriteBackMethod.Argocd, null)]
        [InlineData("argocd", WriteBackMethod.Argocd, null)]
        [InlineData("git", WriteBackMethod.Git, "repocreds")]
        [InlineData("git:repocreds", WriteBackMethod.Git, "repocreds")]
        [InlineData("git:secret:argocd/git-creds", WriteBackMethod.Git, "secret:argocd/git-creds")]
        public void WriteBackMethods(string? value, WriteBackMethod method, string? credentials)
        {
            var keys = new List<(string, string)> { ("image-list", "a=img") };
            if (value is not null)
            {
                keys.Add(("write-back-method", value));
            }

            var p = Parse(keys.ToArray());
            Assert.Equal(method, p.WriteBack.Method);
            Assert.Equal(credentials, p.WriteBack.Credentials);
            Assert.Empty(Errors(p));
        }

        [Theory]
        [InlineData("git:secret:nonamespace")]
        [InlineData("pull-request")]
        public void InvalidWriteBackMethod_IsAnError(string value)
        {
            var p = Parse(("image-list", "a=img"), ("write-back-method", value));
            Assert.Contains(Errors(p), d => d.Key == "write-back-method");
        }

        [Theory]
        [InlineData(null, WriteBackTargetKind.ArgoCDSource, null)]
        [InlineData("helmvalues", WriteBackTargetKind.HelmValues, null)]
        [InlineData("helmvalues:values.yaml", WriteBackTargetKind.HelmValues, "values.yaml")]
        [InlineData("helmvalues:/charts/app/values.yaml", WriteBackTargetKind.HelmValues, "/charts/app/values.yaml")]
        [InlineData("kustomization", WriteBackTargetKind.Kustomization, null)]
        [InlineData("kustomization:../base", WriteBackTargetKind.Kustomization, "../base")]
        [InlineData("deploy/values-prod.yaml", WriteBackTargetKind.File, "deploy/values-prod.yaml")]
        public void WriteBackTargets(string? value, WriteBackTargetKind kind, string? path)
        {
            var keys = new List<(string, string)> { ("image-list", "a=img"), ("write-back-method", "git") };
            if (value is not null)
            {
                keys.Add(("write-back-target", value));
            }

            var p = Parse(keys.ToArray());
            Assert.Equal(kind, p.WriteBack.Target.Kind);
            Assert.Equal(path, p.WriteBack.Target.Path);
        }

        [Theory]
        [InlineData("git-branch", "main", "main", null)]
        [InlineData("git-branch", "main:image-updater-{{.SHA256}}", "main", "image-updater-{{.SHA256}}")]
        [InlineData("git-branch", ":push-branch", null, "push-branch")]
        [InlineData("git.branch", "release", "release", null)]
        public void Branches(string key, string value, string? baseBranch, string? writeBranch)
        {
            var p = Parse(("image-list", "a=img"), ("write-back-method", "git"), (key, value));
            Assert.Equal(baseBranch, p.WriteBack.BaseBranch);
            Assert.Equal(writeBranch, p.WriteBack.WriteBranch);
            Assert.Empty(Errors(p));
        }

        [Fact]
        public void BranchWithTwoColons_IsAnError()
        {
            var p = Parse(("image-list", "a=img"), ("git-branch", "a:b:c"));
            Assert.Contains(Errors(p), d => d.Key == "git-branch");
        }

        [Fact]
        public void GitExtensionsAreRead()
        {
            var p = Parse(("image-list", "a=img"), ("write-back-method", "git"), ("git.commit-message", "イメージのタグを {{ .tag }} に更新しました"),
                ("git.user", "bot"), ("git.email", "bot@example.com"), ("git-repository", "https://example.com/r.git"));
            Assert.Equal("イメージのタグを {{ .tag }} に更新しました", p.WriteBack.CommitMessage);
            Assert.Equal("bot", p.WriteBack.AuthorName);
            Assert.Equal("bot@example.com", p.WriteBack.AuthorEmail);
            Assert.Equal("https://example.com/r.git", p.WriteBack.Repository);
        }

        [Fact]
        public void AnnotationsWithoutImageList_AreReported()
        {
            var p = Parse(("update-strategy", "semver"));
            Assert.Empty(p.Images);
            Assert.Contains(Errors(p), d => d.Key == "image-list");
        }

        [Fact]
        public void NoUpdaterAnnotations_NoDiagnostics()
        {
            var p = AnnotationParser.Parse("app", new Dictionary<string, string> { ["other/key"] = "x" });
            Assert.Empty(p.Images);
            Assert.Empty(p.Diagnostics);
        }

        [Theory]
        [InlineData("amd64")]
        [InlineData("linux/arm/v7/extra")]
        [InlineData("linux//v7")]
        public void APlatformIsCheckedWithTheFiltersSyntaxAndMessage(string platform)
        {
            // The annotation check had its own split and message ("Platform '…' is not os/arch[/variant]; no image matches it."); PlatformFilter accepted 'linux/arm/v7/extra'.
            var p = Parse(("image-list", "a=img"), ("a.platforms", "linux/amd64," + platform));
            var error = Assert.Single(Errors(p));
            Assert.Equal($"Platform '{platform}' is not os/arch[/variant] (e.g. linux/amd64, linux/arm64/v8), so no image matches it.", error.Message);
            Assert.False(ImageUpdater.Core.Tags.PlatformFilter.TryParse(new[] { platform }, out _, out _));
        }
    }
}
