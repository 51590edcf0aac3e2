using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Registries.Oci;
using ImageUpdater.Core.Tags;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack.Templates;
using Xunit;

namespace ImageUpdater.Core.Tests.Issue14
{
    /// <summary>Issue 14 item 15: templates get v1's <c>.Labels</c> (OCI labels of the new image) with <c>index</c> and variables.</summary>
    public class LabelsTests
    {
        /// <summary>The example of upstream's docs/basics/update-methods.md ("Upstream Commit").</summary>
        private const string UpstreamExample =
            "build: Automatic update of {{ .AppName }}\n\n{{ range .AppChanges -}}\nupdates image {{ .Image }} tag '{{ .OldTag }}' to '{{ .NewTag }}'\n" +
            "{{- if index .Labels \"org.opencontainers.image.revision\" }}\n{{- $source := index .Labels \"org.opencontainers.image.source\" }}\n" +
            "{{- $revision := index .Labels \"org.opencontainers.image.revision\" }}\nUpstream Commit: {{ $source }}/commit/{{ $revision }}\n{{ end }}\n{{ end -}}\n";

        private static readonly IReadOnlyDictionary<string, string> Revision = new Dictionary<string, string>
        {
            ["org.opencontainers.image.source"] = "https://github.com/org/api",
            ["org.opencontainers.image.revision"] = "0123abc",
        };

        [Fact]
        public void Item15_UpstreamsLabelsExampleRendersTheUpstreamCommit()
        {
            var changes = new[]
            {
                new ImageChange("org/api", "api", "1.0.0", "1.1.0") { Labels = Revision },
                new ImageChange("org/web", "web", "2.0.0", "2.1.0"),
            };
            var warnings = new List<string>();

            var message = CommitMessageTemplate.Render(UpstreamExample, "shop", null, changes, warnings.Add);

            Assert.Empty(warnings);
            Assert.Equal(
                "build: Automatic update of shop\n\nupdates image org/api tag '1.0.0' to '1.1.0'\nUpstream Commit: https://github.com/org/api/commit/0123abc\n\nupdates image org/web tag '2.0.0' to '2.1.0'\n",
                message);
        }

        [Fact]
        public void Item15_LabelsIsAKnownField_AndIndexOfAMissingLabelIsEmpty()
        {
            Assert.Empty(GoTemplate.Parse(UpstreamExample).Validate(CommitMessageTemplate.Fields));
            var message = CommitMessageTemplate.Render("{{ range .AppChanges }}[{{ index .Labels \"nope\" }}]{{ .Labels }}{{ end }}", "shop", null, new[] { new ImageChange("a", null, "1", "2") { Labels = Revision } });
            Assert.Equal("[]map[org.opencontainers.image.revision:0123abc org.opencontainers.image.source:https://github.com/org/api]", message);
        }

        [Theory]
        [InlineData("{{ $x }}")]
        [InlineData("{{ index .AppName }}")]
        [InlineData("{{ index .Labels \"a }}")]
        [InlineData("{{ $x := }}")]
        public void Item15_BadVariablesAndIndexCallsAreParseErrors(string template)
        {
            Assert.Throws<ImageUpdaterException>(() => GoTemplate.Parse(template));
        }

        [Fact]
        public void Item15_AVariableEndsWithItsBlock_AndDollarIsTheData()
        {
            var data = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["AppName"] = "shop", ["Items"] = new List<object?> { "a", "b" } };
            Assert.Equal("shop:a shop:b ", GoTemplate.Parse("{{ range .Items }}{{ $.AppName }}:{{ . }} {{ end }}").Render(data));
            Assert.Equal("x=shop", GoTemplate.Parse("{{ $n := .AppName }}x={{ $n }}").Render(data));
            Assert.Throws<ImageUpdaterException>(() => GoTemplate.Parse("{{ if .AppName }}{{ $y := .AppName }}{{ end }}{{ $y }}").Render(data));
        }

        [Fact]
        public void Item15_TheLabelsOfAnImageConfigAreRead()
        {
            using var config = JsonDocument.Parse("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"A=1\"],\"Labels\":{\"org.opencontainers.image.revision\":\"0123abc\",\"n\":1}}}");
            var labels = OciRegistryClient.LabelsOf(config.RootElement);
            Assert.Equal("0123abc", Assert.Single(labels).Value);

            using var none = JsonDocument.Parse("{\"config\":{\"Labels\":null}}");
            Assert.Empty(OciRegistryClient.LabelsOf(none.RootElement));
        }

        [Fact]
        public void Item15_TheWinnersLabelsReachTheChange()
        {
            var spec = new ImageSpec("api", ImageReference.Parse("ghcr.io/org/api")) { UpdateStrategy = UpdateStrategy.NewestBuild, ForceUpdate = true };
            var app = new ArgoApplication("shop") { Images = new[] { spec } };
            var tags = new[]
            {
                new ImageTag("1.0.0") { CreatedAt = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero) },
                new ImageTag("1.1.0") { CreatedAt = new DateTimeOffset(2024, 2, 1, 0, 0, 0, TimeSpan.Zero), Labels = Revision },
            };

            var candidate = ImageUpdatePlanner.Decide(app, spec, tags);

            Assert.Equal("1.1.0", candidate.NewTag);
            Assert.Equal("0123abc", ImageChange.From(candidate).Labels["org.opencontainers.image.revision"]);
        }
    }
}
