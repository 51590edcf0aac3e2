using System;
using System.Net;
using System.Threading.Tasks;
using ImageUpdater.Core.Http;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Registries.Oci;
using ImageUpdater.Core.Security;
using ImageUpdater.Core.Tags;
using ImageUpdater.Emulators.Oci;
using Xunit;

namespace ImageUpdater.Core.Tests.Registries.Oci
{
    /// <summary>Item 2: a given registry credential with a scope reaches only the registries in it.</summary>
    public class RegistryCredentialScopeTests
    {
        [Fact]
        public async Task OnlyScopedRegistriesReceiveTheCredential()
        {
            await using var named = CaptureRegistry.Create("--auth", "basic");
            await using var other = CaptureRegistry.Create("--auth", "basic");
            var namedHost = new Uri(named.Url).Authority;
            using var client = new OciRegistryClient(null, new OciClientOptions
            {
                Credential = new NetworkCredential("svc-registry", "REGPASS-S3CRET-91c2"),
                CredentialScope = new CredentialScope(new[] { namedHost }, allowHttp: true),
                RetryPolicy = new RetryPolicy { MaxAttempts = 1 },
            });
            Assert.Equal(2, (await client.ListTagsAsync(namedHost, "team/web", TagListOptions.Default, TestContext.Current.CancellationToken)).Count);
            Assert.Contains(named.Authorizations, a => a is not null && a.StartsWith("Basic ", StringComparison.Ordinal));

            await Assert.ThrowsAsync<ImageUpdaterException>(() => client.ListTagsAsync(new Uri(other.Url).Authority, "team/web", TagListOptions.Default, TestContext.Current.CancellationToken));
            Assert.All(other.Authorizations, a => Assert.Null(a));
        }
    }
}
