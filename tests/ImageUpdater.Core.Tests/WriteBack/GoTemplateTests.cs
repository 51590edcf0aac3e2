using System.Collections.Generic;
using System.Linq;
using ImageUpdater.Core.WriteBack.Templates;
using Xunit;

namespace ImageUpdater.Core.Tests.WriteBack
{
    public class GoTemplateTests
    {
        private static readonly ImageChange[] One = { new ImageChange("bitnami/nginx", "nginx", "1.25.0", "1.25.3") };

        private static readonly ImageChange[] Two =
        {
            new ImageChange("bitnami/nginx", "nginx", "1.25.0", "1.25.3"),
            new ImageChange("org/api", "api", "2.0.0", "2.1.0"),
        };

        [Fact]
        public void DefaultMessageIsUpstreams()
        {
            var message = CommitMessageTemplate.Render(null, "shop", "argocd", Two);
            Assert.Equal("build: automatic update of shop\n\nupdates image bitnami/nginx tag '1.25.0' to '1.25.3'\nupdates image org/api tag '2.0.0' to '2.1.0'\n", message);
        }

        [Fact]
        public void SeedTemplateRendersTheNewTag()
        {
            Assert.Equal("イメージのタグを 1.25.3 に更新しました", CommitMessageTemplate.Render("イメージのタグを {{ .tag }} に更新しました", "shop", null, One));
        }

        [Theory]
        [InlineData("{{ .NewTag }}", "1.25.3, 2.1.0")]
        [InlineData("{{ .OldTag }}|{{ .Image }}", "1.25.0, 2.0.0|bitnami/nginx, org/api")]
        [InlineData("{{.appname}}:{{range .appchanges}}[{{.image}}={{.newtag}}]{{end}}", "shop:[bitnami/nginx=1.25.3][org/api=2.1.0]")]
        [InlineData("a  {{- .AppName -}}  b", "ashopb")]
        [InlineData("{{/* note */}}{{ if .AppChanges }}yes{{ else }}no{{ end }}", "yes")]
        [InlineData("{{ range .AppChanges }}{{ .Tag }} {{ end -}}\n!", "1.25.3 2.1.0 !")]
        public void RendersTheSubset(string template, string expected)
        {
            Assert.Equal(expected, GoTemplate.Parse(template).Render(CommitMessageTemplate.Data("shop", null, Two)));
        }

        [Fact]
        public void RangeElseRendersForAnEmptyList()
        {
            Assert.Equal("none", GoTemplate.Parse("{{ range .AppChanges }}x{{ else }}none{{ end }}").Render(CommitMessageTemplate.Data("shop", null, new ImageChange[0])));
        }

        [Fact]
        public void ValidateListsUnknownFieldsAtTheRightLevel()
        {
            var unknown = GoTemplate.Parse("{{ .AppNmae }} {{ range .AppChanges }}{{ .Image }}{{ .Digest }}{{ end }} {{ .tag }}").Validate(CommitMessageTemplate.Fields);
            Assert.Equal(new[] { "AppNmae", "Digest" }, unknown);
            Assert.Empty(GoTemplate.Parse(CommitMessageTemplate.Default).Validate(CommitMessageTemplate.Fields));
            Assert.Equal(new[] { "AppChanges" }, GoTemplate.Parse("{{ range .Images }}{{ .Name }}{{ end }}{{ .AppChanges }}").Validate(BranchNameTemplate.Fields));
        }

        [Theory]
        [InlineData("{{ .AppName ")]
        [InlineData("{{ range .AppChanges }}x")]
        [InlineData("{{ end }}")]
        [InlineData("{{ .AppName | upper }}")]
        [InlineData("{{ printf \"%s\" .AppName }}")]
        [InlineData("{{ AppName }}")]
        public void SyntaxErrorsAreInvalidData(string template)
        {
            var e = Assert.Throws<ImageUpdaterException>(() => GoTemplate.Parse(template));
            Assert.Equal(FailureKind.InvalidData, e.Kind);
        }

        [Fact]
        public void UnknownFieldFallsBackWithAWarning()
        {
            var warnings = new List<string>();
            var message = CommitMessageTemplate.Render("update {{ .Nope }}", "shop", null, One, warnings.Add);
            Assert.Equal("build: update of application shop", message);
            Assert.Contains(".Nope", Assert.Single(warnings));
        }

        [Fact]
        public void BranchNameUsesImagesAndUpstreamsHash()
        {
            var name = BranchNameTemplate.Render("image-updater{{range .Images}}-{{.Name}}-{{.NewTag}}{{end}}", "shop", null, One);
            Assert.Equal("image-updater-bitnami/nginx-1.25.3", name);

            // hex(sha256("bitnami/nginx-1.25.0-1.25.3,")), as upstream's TemplateBranchName computes it.
            var expected = string.Concat(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("bitnami/nginx-1.25.0-1.25.3,")).Select(b => b.ToString("x2")));
            Assert.Equal("u-" + expected, BranchNameTemplate.Render("u-{{ .SHA256 }}", "shop", null, One));
        }

        [Fact]
        public void ChangesShowTheDigestOnlyUnderTheDigestStrategy()
        {
            var app = new ImageUpdater.Core.Argo.ArgoApplication("shop");
            var semver = new ImageUpdater.Core.Annotations.ImageSpec("web", ImageUpdater.Core.Images.ImageReference.Parse("ghcr.io/acme/web"));
            var digest = new ImageUpdater.Core.Annotations.ImageSpec("web", ImageUpdater.Core.Images.ImageReference.Parse("ghcr.io/acme/web:latest")) { UpdateStrategy = ImageUpdater.Core.Tags.UpdateStrategy.Digest };
            var a = ImageChange.From(new ImageUpdater.Core.Updating.ImageUpdateCandidate(app, semver) { CurrentTag = "1.0.0", NewTag = "1.1.0", NewDigest = "sha256:aa" });
            var b = ImageChange.From(new ImageUpdater.Core.Updating.ImageUpdateCandidate(app, digest) { CurrentTag = "latest", NewTag = "latest", NewDigest = "sha256:bb" });

            Assert.Equal(("acme/web", "1.1.0"), (a.Name, a.NewTag));
            Assert.Equal("sha256:bb", b.NewTag);
        }

        [Fact]
        public void BranchNameIsTruncatedTo255()
        {
            var many = Enumerable.Range(0, 40).Select(i => new ImageChange("org/image-number-" + i, null, "1.0.0", "1.0.1")).ToList();
            var name = BranchNameTemplate.Render("b{{range .Images}}-{{.Name}}-{{.NewTag}}{{end}}", "shop", null, many);
            Assert.Equal(255, name.Length);
        }

        [Fact]
        public void BranchTemplateWithUnknownFieldFails()
        {
            var e = Assert.Throws<ImageUpdaterException>(() => BranchNameTemplate.Render("x-{{ .AppChanges }}", "shop", null, One));
            Assert.Equal(FailureKind.InvalidData, e.Kind);
            Assert.Contains(".AppChanges", e.Message);
        }
    }

    public class TemplateAnnotationCheckTests
    {
        [Fact]
        public void ReportsUnknownFieldsAndSyntaxErrorsOfBothTemplates()
        {
            var parsed = ImageUpdater.Core.Annotations.AnnotationParser.Parse("shop", new Dictionary<string, string>
            {
                ["argocd-image-updater.argoproj.io/image-list"] = "nginx=nginx",
                ["argocd-image-updater.argoproj.io/write-back-method"] = "git",
                ["argocd-image-updater.argoproj.io/git.commit-message"] = "bump {{ .AppNmae }}",
                ["argocd-image-updater.argoproj.io/git-branch"] = "main:upd-{{ range .Images }}{{ .Name }}",
            });

            var found = TemplateAnnotationCheck.Check(parsed, "shop").ToList();

            Assert.Equal(2, found.Count);
            Assert.Equal(2, parsed.Diagnostics.Count(d => d.Key == "git.commit-message" || d.Key == "git-branch"));
            Assert.Contains(found, d => d.Key == "git.commit-message" && d.Message.Contains(".AppNmae"));
            Assert.Contains(found, d => d.Key == "git-branch" && d.Message.Contains("end"));
        }

        [Fact]
        public void SeedTemplateIsClean()
        {
            var parsed = ImageUpdater.Core.Annotations.AnnotationParser.Parse("shop", new Dictionary<string, string>
            {
                ["argocd-image-updater.argoproj.io/image-list"] = "nginx=nginx",
                ["argocd-image-updater.argoproj.io/git.commit-message"] = "イメージのタグを {{ .tag }} に更新しました",
            });

            Assert.Empty(TemplateAnnotationCheck.Check(parsed, "shop"));
        }
    }
}
