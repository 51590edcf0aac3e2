using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core;
using ImageUpdater.Core.Registries;
using Xunit;

namespace ImageUpdater.Core.Tests.Registries
{
    /// <summary>Items 3 and 4: a pull-secret annotation is untrusted; env:, ext: and other namespaces need the operator's allow-list.</summary>
    public class PullSecretPolicyTests
    {
        private sealed class CountingSecrets : ISecretReader
        {
            public int Reads { get; private set; }

            public Dictionary<string, byte[]> Data { get; } = new Dictionary<string, byte[]>();

            public Task<IReadOnlyDictionary<string, byte[]>> ReadSecretAsync(string ns, string name, CancellationToken cancellationToken)
            {
                Reads++;
                return Task.FromResult<IReadOnlyDictionary<string, byte[]>>(Data);
            }
        }

        [Theory]
        [InlineData("env:DATABASE_URL", "argocd", "may not use env:")]
        [InlineData("ext:/tmp/anything.sh", "argocd", "may not use ext:")]
        [InlineData("secret:kube-system/platform-admin#login", "team-a", "only secrets of the application's namespace 'team-a'")]
        [InlineData("pullsecret:kube-system/regcred", "team-a", "namespace 'kube-system'")]
        [InlineData("secret:team-a/creds#login", null, "the application has no namespace")]
        public void AnnotationSourcesOutsideThePolicyAreRefused(string text, string? ns, string expected)
        {
            var error = Assert.Throws<ImageUpdaterException>(() => CredentialSource.FromAnnotation(text, ns));
            Assert.Equal("PullSecretNotAllowed", error.ErrorId);
            Assert.Equal(FailureKind.PermissionDenied, error.Kind);
            Assert.Contains(expected, error.Message);
            Assert.Contains("-AllowPullSecret", error.Message);
        }

        [Theory]
        [InlineData("secret:team-a/creds#login", "team-a", null)]
        [InlineData("pullsecret:team-a/regcred", "team-a", null)]
        [InlineData("env:REG_PASS", "argocd", "env:REG_PASS")]
        [InlineData("env:REG_TEAM_A", "argocd", "env:REG_*")]
        [InlineData("ext:/opt/creds/ecr.sh", "argocd", "ext:/opt/creds/*")]
        [InlineData("secret:shared/creds#login", "team-a", "secret:shared/*")]
        [InlineData("registry.example.com=pullsecret:shared/regcred", "team-a", "PULLSECRET:shared/regcred")]
        public void OwnNamespaceAndAllowListedSourcesAreAccepted(string text, string ns, string? allowed)
        {
            var source = CredentialSource.FromAnnotation(text, ns, new PullSecretPolicy(allowed is null ? null : new[] { allowed }));
            Assert.Equal(CredentialOrigin.Annotation, source.Origin);
        }

        [Theory]
        [InlineData("env:REG_PASS", "env:REG_PASSWORD")]
        [InlineData("ext:/opt/creds/../../tmp/x.sh", "ext:/opt/other/*")]
        [InlineData("secret:shared2/creds#login", "secret:shared/*")]
        public void AllowListEntriesMatchExactlyOrByWildcard(string text, string allowed)
        {
            Assert.Throws<ImageUpdaterException>(() => CredentialSource.FromAnnotation(text, "team-a", new PullSecretPolicy(new[] { allowed })));
        }

        [Fact]
        public void OperatorSourcesAreNotRestricted()
        {
            var source = CredentialSource.Parse("ext:/opt/creds/ecr.sh");
            Assert.Equal(CredentialOrigin.Operator, source.Origin);
            Assert.Null(PullSecretPolicy.Default.AnnotationProblem("secret:argocd/x#y", "argocd"));
            Assert.NotNull(PullSecretPolicy.Default.AnnotationProblem("nonsense", "argocd"));
        }

        [Fact]
        public async Task AnExtScriptFromAnAnnotationNeverRunsAndAnEnvVariableIsNeverRead()
        {
            var marker = Path.Combine(Path.GetTempPath(), "iu-ext-marker-" + Guid.NewGuid().ToString("N"));
            var script = CredentialSourceTests.Script($"touch '{marker}'\necho user:pass");
            try
            {
                // The check is also made where the program would run: a source let through once (allow-list) still obeys its policy.
                var allowed = CredentialSource.FromAnnotation("ext:" + script, "argocd", new PullSecretPolicy(new[] { "ext:" + script }));
                Assert.Equal("user", (await allowed.ResolveAsync("r.example.com", null, CancellationToken.None)).UserName);
                File.Delete(marker);
                Assert.Throws<ImageUpdaterException>(() => CredentialSource.FromAnnotation("ext:" + script, "argocd"));
                Assert.False(File.Exists(marker));
            }
            finally
            {
                File.Delete(script);
                File.Delete(marker);
            }
        }

        [Fact]
        public async Task ASecretOfAnotherNamespaceIsNotEvenRead()
        {
            var secrets = new CountingSecrets();
            secrets.Data["login"] = Encoding.UTF8.GetBytes("root:KUBESECRET");
            Assert.Throws<ImageUpdaterException>(() => CredentialSource.FromAnnotation("secret:kube-system/platform-admin#login", "team-a"));
            var own = CredentialSource.FromAnnotation("secret:team-a/creds#login", "team-a");
            Assert.Equal("root", (await own.ResolveAsync("r.example.com", secrets, CancellationToken.None)).UserName);
            Assert.Equal(1, secrets.Reads);
        }

        [Fact]
        public async Task ADockerConfigSecretYieldsOnlyTheEntryOfTheRegistryAsked()
        {
            var secrets = new CountingSecrets();
            var json = "{\"auths\":{\"https://other.example.com/v1/\":{\"auth\":\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes("other:OTHERPASS")) + "\"},"
                + "\"r.example.com\":{\"username\":\"mine\",\"password\":\"MINE\"}}}";
            secrets.Data[".dockerconfigjson"] = Encoding.UTF8.GetBytes(json);
            var source = CredentialSource.FromAnnotation("pullsecret:team-a/regcred", "team-a");
            Assert.Equal("mine", (await source.ResolveAsync("r.example.com", secrets, CancellationToken.None)).UserName);
            var error = await Assert.ThrowsAsync<ImageUpdaterException>(() => source.ResolveAsync("evil.example.com", secrets, CancellationToken.None));
            Assert.Equal("RegistryCredentialMissing", error.ErrorId);
            Assert.DoesNotContain("OTHERPASS", error.Message);
        }
    }
}
