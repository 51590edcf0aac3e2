using System;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using ImageUpdater.Core;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Registries.Oci;
using Xunit;

namespace ImageUpdater.Core.Tests.Registries.Oci
{
    /// <summary>ECR's registry (v2) API through the distribution client, against the ECR emulator: Basic AWS:&lt;token&gt;, opaque Link paging, text/plain tag lists.</summary>
    public class EcrRegistryApiTests
    {
        [Fact]
        public async Task BasicAwsTokenFromGetAuthorizationToken()
        {
            await using var emulator = EcrTestBed.Start(o => o.Generated["team/app"] = 150);
            using var ecr = EcrTestBed.Client(emulator);
            var login = await ecr.GetAuthorizationTokenAsync(cancellationToken: TestContext.Current.CancellationToken);
            var config = RegistriesConfig.Parse($"registries:\n- name: ECR\n  api_url: {emulator.Url}\n  prefix: {emulator.RegistryHost}\n");
            using var client = new OciRegistryClient(config, new OciClientOptions { Credential = new NetworkCredential(login.UserName, login.Password) });
            var api = client.ClientFor(client.Resolve(emulator.RegistryHost, "team/app").Endpoint);
            api.PageSize = 100;
            var tags = await client.ListTagsAsync(emulator.RegistryHost, "team/app", TagListOptions.Default, TestContext.Current.CancellationToken);
            Assert.Equal(150, tags.Select(t => t.Tag).Distinct().Count());
            Assert.Equal(2, client.Requests["GET tags"]);
            Assert.All(tags, t => Assert.Equal(emulator.RegistryHost, t.Registry));
        }

        [Fact]
        public async Task WithoutTheTokenTheBasicChallengeSaysWhatToDo()
        {
            await using var emulator = EcrTestBed.Start(o => o.Generated["team/app"] = 1);
            var config = RegistriesConfig.Parse($"registries:\n- name: ECR\n  api_url: {emulator.Url}\n  prefix: {emulator.RegistryHost}\n");
            using var client = new OciRegistryClient(config);
            var error = await Assert.ThrowsAsync<ImageUpdaterException>(() => client.ListTagsAsync(emulator.RegistryHost, "team/app", TagListOptions.Default, TestContext.Current.CancellationToken));
            Assert.Equal("RegistryAuthenticationFailed", error.ErrorId);
            Assert.Contains("DENIED", error.Message);
        }

        [Fact]
        public async Task ExtScriptPrintingAwsTokenLikeTheUpstreamRecipe()
        {
            await using var emulator = EcrTestBed.Start(o => o.Generated["team/app"] = 2);
            using var ecr = EcrTestBed.Client(emulator);
            var login = await ecr.GetAuthorizationTokenAsync(cancellationToken: TestContext.Current.CancellationToken);
            // What `aws ecr get-authorization-token ... | base64 -d` prints.
            var script = CredentialSourceTests.Script($"echo 'AWS:{login.Password}'");
            var config = RegistriesConfig.Parse($"registries:\n- name: ECR\n  api_url: {emulator.Url}\n  prefix: {emulator.RegistryHost}\n  ping: yes\n  credentials: ext:{script}\n  credsexpire: 11h\n");
            using var client = new OciRegistryClient(config);
            var tags = await client.ListTagsAsync(emulator.RegistryHost, "team/app", new TagListOptions { NeedsMetadata = true }, TestContext.Current.CancellationToken);
            Assert.Equal(2, tags.Count);
            Assert.All(tags, t => Assert.StartsWith("sha256:", t.Digest));
        }
    }
}
