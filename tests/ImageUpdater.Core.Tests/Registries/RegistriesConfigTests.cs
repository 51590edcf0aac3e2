using System;
using System.IO;
using System.Linq;
using ImageUpdater.Core;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Registries;
using Xunit;

namespace ImageUpdater.Core.Tests.Registries
{
    public class RegistriesConfigTests
    {
        [Fact]
        public void HelmValuesWithEcrExtScript()
        {
            var config = RegistriesConfig.Load(SharedData.RealWorld("registries-01.yaml"));
            var ecr = Assert.Single(config.Registries);
            Assert.Equal("ECR", ecr.Name);
            Assert.Equal("https://${AccountID}.dkr.ecr.${region}.amazonaws.com", ecr.ApiUrl);
            Assert.Equal("${AccountID}.dkr.ecr.${region}.amazonaws.com", ecr.Prefix);
            Assert.True(ecr.Ping);
            Assert.False(ecr.Insecure);
            Assert.True(ecr.IsDefault);
            Assert.Equal(CredentialSourceKind.External, ecr.Credentials!.Kind);
            Assert.Equal("/scripts/auth.sh", ecr.Credentials.Target);
            Assert.Equal(TimeSpan.FromHours(10), ecr.CredentialsExpire);
            Assert.Equal(16, ecr.Line);
            // default: true makes it the registry of images written without a host.
            Assert.Same(ecr, config.Find(ImageReference.Parse("nginx")));
        }

        [Fact]
        public void QuotedValuesWithoutCredsExpire()
        {
            var ecr = Assert.Single(RegistriesConfig.Load(SharedData.RealWorld("registries-02.yaml")).Registries);
            Assert.Equal("https://${REPO_URL}", ecr.ApiUrl);
            Assert.Null(ecr.CredentialsExpire);
            Assert.Equal(7, ecr.Line);
        }

        [Fact]
        public void PlaceholderApiUrlIsAnErrorNamingTheLine()
        {
            var error = Assert.Throws<ImageUpdaterException>(() => RegistriesConfig.Load(SharedData.RealWorld("registries-03.yaml")));
            Assert.Equal("RegistriesConfigInvalid", error.ErrorId);
            Assert.Contains("line 167", error.Message);
            Assert.Contains("api_url '<your-private-registry>'", error.Message);
        }

        [Fact]
        public void ConfigMapManifestReportsFileLines()
        {
            var config = RegistriesConfig.Load(SharedData.RealWorld("registries-04.yaml"));
            var registry = Assert.Single(config.Registries);
            Assert.Equal("Test Registry", registry.Name);
            Assert.Equal("https://host.docker.internal:30000", registry.ApiUrl);
            Assert.True(registry.Insecure);
            Assert.Equal(CredentialSourceKind.Secret, registry.Credentials!.Kind);
            Assert.Equal("argocd", registry.Credentials.Namespace);
            Assert.Equal("argocd-image-updater-secret", registry.Credentials.Target);
            Assert.Equal("registry-creds", registry.Credentials.Field);
            Assert.Equal(12, registry.Line);
            // The prefix differs from the api_url host: images are matched by prefix.
            Assert.Same(registry, config.Find(ImageReference.Parse("127.0.0.1:30000/team/app")));
        }

        [Fact]
        public void UnknownKeyInsideConfigMapNamesKeyAndFileLine()
        {
            var text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-image-updater-config\ndata:\n  registries.conf: |\n    registries:\n    - name: Hub\n      api_url: https://registry-1.docker.io\n      ratelimit: 10\n";
            var error = Assert.Throws<ImageUpdaterException>(() => RegistriesConfig.Parse(text, "cm.yaml"));
            Assert.Equal("cm.yaml, line 10: unknown key 'ratelimit' in a registries entry (known: name, api_url, prefix, credentials, credsexpire, insecure, defaultns, default, limit, tagsortmode, ping, ca_file, ca_data).", error.Message);
        }

        [Theory]
        [InlineData("registries:\n- name: a\n  api_url: https://a.io\n  tagsortmode: newest\n", "line 4: tagsortmode 'newest' is not one of none, latest-first, latest-last")]
        [InlineData("registries:\n- name: a\n  api_url: https://a.io\n  credsexpire: tomorrow\n", "line 4: credsexpire 'tomorrow' is not a duration")]
        [InlineData("registries:\n- name: a\n  api_url: https://a.io\n  credentials: vault:x\n", "line 4: Credentials 'vault:x' are not valid: 'vault' is not one of env, ext, secret, pullsecret")]
        [InlineData("registries:\n- name: a\n  api_url: https://a.io\n  credentials: ext:relative.sh\n", "line 4: Credentials 'ext:relative.sh' are not valid: the script path must be absolute")]
        [InlineData("registries:\n- name: a\n  api_url: https://a.io\n  credentials: secret:argocd/creds\n", "write it as secret:<namespace>/<name>#<field>")]
        [InlineData("registries:\n- name: a\n  api_url: https://a.io\n  insecure: maybe\n", "line 4: 'insecure: maybe' is not a boolean")]
        [InlineData("registries:\n- name: a\n  api_url: https://a.io\n  limit: fast\n", "line 4: limit 'fast' is not a number")]
        [InlineData("registries:\n- api_url: https://a.io\n", "line 2: a registries entry has no 'name'")]
        [InlineData("registries:\n- name: a\n  prefix: a.io\n", "line 2: registry 'a' has no 'api_url'")]
        [InlineData("registries:\n- name: a\n  api_url: https://a.io\n  default: true\n- name: b\n  api_url: https://b.io\n  prefix: b.io\n  default: yes\n", "line 5: registry 'b' is marked default")]
        [InlineData("registries:\n- name: a\n  api_url: https://a.io\n- name: b\n  api_url: https://b.io\n", "line 4: registry 'b' has no prefix, and only one registry may have an empty prefix")]
        [InlineData("registries:\n- name: a\n  api_url: [https://a.io]\n", "line 3: 'api_url' must be a single value")]
        [InlineData("registries:\n- name: a\n   api_url: x\n", "is not valid YAML")]
        [InlineData("something: else\n", "line 1: has no 'registries:' list")]
        public void CraftedErrors(string text, string expected)
        {
            var error = Assert.Throws<ImageUpdaterException>(() => RegistriesConfig.Parse(text, "registries.conf"));
            Assert.Equal("RegistriesConfigInvalid", error.ErrorId);
            Assert.Contains(expected, error.Message);
        }

        [Fact]
        public void EveryFieldParses()
        {
            var config = RegistriesConfig.Parse(
                "registries:\n- name: Quay\n  api_url: https://quay.io/\n  prefix: quay.io\n  credentials: env:QUAY_CREDS\n  credsexpire: 1h30m\n  insecure: yes\n  defaultns: team\n  limit: 2.5\n  tagsortmode: latest-first\n  ping: no\n");
            var quay = Assert.Single(config.Registries);
            Assert.Equal("https://quay.io", quay.ApiUrl);
            Assert.Equal(CredentialSourceKind.Environment, quay.Credentials!.Kind);
            Assert.Equal(TimeSpan.FromMinutes(90), quay.CredentialsExpire);
            Assert.True(quay.Insecure);
            Assert.Equal("team", quay.DefaultNamespace);
            Assert.Equal(2.5, quay.Limit);
            Assert.Equal(TagSortMode.LatestFirst, quay.TagSortMode);
            Assert.False(quay.Ping);
        }

        [Fact]
        public void EcrHostsUseTheEcrApiUnlessRegistriesConfNamesThem()
        {
            var named = RegistriesConfig.Parse("registries:\n- name: ECR\n  api_url: https://123456789012.dkr.ecr.eu-west-1.amazonaws.com\n  prefix: 123456789012.dkr.ecr.eu-west-1.amazonaws.com\n");
            var ecrImage = ImageUpdater.Core.Images.ImageReference.Parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/web");
            var otherEcrImage = ImageUpdater.Core.Images.ImageReference.Parse("210987654321.dkr.ecr.us-east-1.amazonaws.com/team/web");
            Assert.True(RegistriesConfig.Empty.UsesEcrApi(ecrImage));
            Assert.False(named.UsesEcrApi(ecrImage));
            Assert.True(named.UsesEcrApi(otherEcrImage));
            Assert.False(RegistriesConfig.Empty.UsesEcrApi(ImageUpdater.Core.Images.ImageReference.Parse("ghcr.io/org/app")));
            Assert.False(RegistriesConfig.Empty.UsesEcrApi(ImageUpdater.Core.Images.ImageReference.Parse("nginx")));
        }

        [Fact]
        public void EndpointChoiceIsExactThenLongestPrefixThenBuiltIn()
        {
            var config = RegistriesConfig.Parse(
                "registries:\n- name: Org\n  api_url: https://ghcr.io\n  prefix: ghcr.io/org\n- name: Org team\n  api_url: https://ghcr.io\n  prefix: ghcr.io/org/team\n- name: Exact\n  api_url: https://mirror.example\n  prefix: registry.example\n");
            Assert.Equal("Org team", config.Find(ImageReference.Parse("ghcr.io/org/team/app")).Name);
            Assert.Equal("Org", config.Find(ImageReference.Parse("ghcr.io/org/other")).Name);
            Assert.Equal("Exact", config.Find(ImageReference.Parse("registry.example/x/y")).Name);
            var hub = config.Find(ImageReference.Parse("docker.io/nginx"));
            Assert.Equal("https://registry-1.docker.io", hub.ApiUrl);
            Assert.Equal("library", hub.DefaultNamespace);
            Assert.Equal("https://registry-1.docker.io", config.Find(ImageReference.Parse("nginx")).ApiUrl);
            Assert.Equal("https://quay.io", config.Find(ImageReference.Parse("quay.io/prometheus/node-exporter")).ApiUrl);
            Assert.Equal("http://127.0.0.1:5000", config.Find(ImageReference.Parse("127.0.0.1:5000/app")).ApiUrl);
            Assert.Equal("http://localhost:5000", config.Find(ImageReference.Parse("localhost:5000/app")).ApiUrl);
        }
    }
}
