using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading.Tasks;
using Amazon.Runtime;
using ImageUpdater.Core.Registries.Ecr;
using ImageUpdater.Emulators;
using ImageUpdater.Emulators.AzureIdentity;
using ImageUpdater.Emulators.Sts;
using Xunit;

namespace ImageUpdater.Core.Tests.Registries
{
    /// <summary>Keyless AWS from Azure: the identity endpoint (Automation and IMDS protocols) → STS → a signed ECR call.</summary>
    public class AzureManagedIdentityTests
    {
        private const string Role = "arn:aws:iam::123456789012:role/image-updater";
        private const string EntraToken = "eyJ0eXAi.entra-test-token.sig";
        private const string IdentityHeader = "853b9a84-identity-header";
        private const string Issued = "ASIAAZUREIDENTITY001:azure-secret:azure-session-token";

        private static async Task<LoopbackHttpServer> Identity(params string[] options) =>
            (LoopbackHttpServer)await AzureIdentityEmulator.Start(options);

        private static async Task<LoopbackHttpServer> Sts(int expiresIn = 3600) =>
            (LoopbackHttpServer)await StsEmulator.Start(new[] { "--token", EntraToken, "--role", Role, "--issue", Issued, "--expires-in", expiresIn.ToString() });

        private static Func<string, string?> Environment(params (string Name, string Value)[] values)
        {
            var map = new Dictionary<string, string>();
            foreach (var (name, value) in values)
            {
                map[name] = value;
            }

            return name => map.TryGetValue(name, out var value) ? value : null;
        }

        private static Func<string, string?> Automation(LoopbackHttpServer identity, string header = IdentityHeader) =>
            Environment((AzureManagedIdentity.EndpointVariable, identity.Url + "msi/token"), (AzureManagedIdentity.HeaderVariable, header));

        [Fact]
        public async Task AutomationEndpointGivesTheTokenForTheHeaderAndApiVersion()
        {
            await using var identity = await Identity("--header", IdentityHeader, "--issue", EntraToken, "--expires-in", "600");
            var token = await new AzureManagedIdentity(environment: Automation(identity)).GetTokenAsync(cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(EntraToken, token.AccessToken);
            Assert.InRange(token.ExpiresOn, DateTimeOffset.UtcNow.AddSeconds(500), DateTimeOffset.UtcNow.AddSeconds(700));
            Assert.DoesNotContain(EntraToken, token.ToString());
        }

        [Fact]
        public async Task WrongIdentityHeaderIsRefusedWithARemedyAndNoSecret()
        {
            await using var identity = await Identity("--header", IdentityHeader, "--issue", EntraToken);
            var ex = await Assert.ThrowsAsync<ImageUpdaterException>(() => new AzureManagedIdentity(environment: Automation(identity, "stale-header-value")).GetTokenAsync(cancellationToken: TestContext.Current.CancellationToken));
            Assert.Equal("AzureIdentityRefused", ex.ErrorId);
            Assert.Equal(FailureKind.AuthenticationError, ex.Kind);
            Assert.Contains("401", ex.Message);
            Assert.Contains("Enable the identity", ex.Message);
            Assert.DoesNotContain("stale-header-value", ex.Message);
        }

        [Fact]
        public void EndpointWithoutHeaderVariableSaysToEnableTheIdentity()
        {
            var ex = Assert.Throws<ImageUpdaterException>(() => new AzureManagedIdentity(environment: Environment((AzureManagedIdentity.EndpointVariable, "http://127.0.0.1:1/msi/token"))).ResolveRequest());
            Assert.Equal("AzureIdentityHeaderMissing", ex.ErrorId);
        }

        [Fact]
        public async Task ImdsIsUsedWithoutIdentityEndpointAndGetsLowerCaseMetadataAndApiVersion()
        {
            await using var imds = await Identity("--mode", "imds", "--issue", EntraToken, "--client-id", "5e29463d-user-assigned");
            var env = Environment((AzureManagedIdentity.ImdsHostVariable, imds.Url));
            var request = new AzureManagedIdentity("5e29463d-user-assigned", null, env).ResolveRequest();
            Assert.Contains("api-version=2018-02-01", request.Url.Query);
            Assert.Contains("client_id=5e29463d-user-assigned", request.Url.Query);
            Assert.Contains("resource=api%3A%2F%2FAzureADTokenExchange", request.Url.Query);
            Assert.Null(request.IdentityHeader);

            var token = await new AzureManagedIdentity("5e29463d-user-assigned", null, env).GetTokenAsync(cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(EntraToken, token.AccessToken);

            var unknown = await Assert.ThrowsAsync<ImageUpdaterException>(() => new AzureManagedIdentity("not-this-one", null, env).GetTokenAsync(cancellationToken: TestContext.Current.CancellationToken));
            Assert.Contains("Identity not found", unknown.Message);
        }

        [Fact]
        public async Task EmulatorRefusesWhatAzureRefuses()
        {
            await using var identity = await Identity("--header", IdentityHeader, "--issue", EntraToken);
            await using var imds = await Identity("--mode", "imds", "--issue", EntraToken);
            using var http = new HttpClient();
            async Task<int> Status(string url, params (string, string)[] headers)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                foreach (var (name, value) in headers)
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }

                using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
                return (int)response.StatusCode;
            }

            Assert.Equal(400, await Status(identity.Url + "msi/token?resource=x", ("X-IDENTITY-HEADER", IdentityHeader)));
            Assert.Equal(401, await Status(identity.Url + "msi/token?resource=x&api-version=2019-08-01"));
            Assert.Equal(200, await Status(identity.Url + "msi/token?resource=x&api-version=2019-08-01", ("X-IDENTITY-HEADER", IdentityHeader)));
            Assert.Equal(400, await Status(imds.Url + "metadata/identity/oauth2/token?resource=x&api-version=2018-02-01", ("Metadata", "True")));
            Assert.Equal(400, await Status(imds.Url + "metadata/identity/oauth2/token?resource=x", ("Metadata", "true")));
            Assert.Equal(400, await Status(imds.Url + "metadata/identity/oauth2/token?resource=x&api-version=2018-02-01", ("Metadata", "true"), ("X-Forwarded-For", "10.0.0.1")));
            Assert.Equal(200, await Status(imds.Url + "metadata/identity/oauth2/token?resource=x&api-version=2018-02-01", ("Metadata", "true")));
        }

        [Fact]
        public async Task IdentityTokenIsExchangedAtStsAndSignsAnEcrCall()
        {
            await using var identity = await Identity("--header", IdentityHeader, "--issue", EntraToken);
            await using var sts = await Sts();
            await using var ecr = EcrTestBed.Start(o =>
            {
                o.Keys["ASIAAZUREIDENTITY001"] = ("azure-secret", "azure-session-token");
                o.SeedJson.Add(@"{""repositories"":[{""name"":""team/app"",""images"":[{""tags"":[""1.0.0""],""pushedAt"":1700000100}]}]}");
            });
            var credentials = new AzureWebIdentityCredentials(new AzureManagedIdentity(environment: Automation(identity)), Role, stsEndpoint: new Uri(sts.Url));
            using var client = new EcrClient(new AwsOptions { Credentials = credentials, Region = "us-east-1", EndpointUrl = new Uri(ecr.Url) });
            var images = await client.DescribeImagesAsync("team/app", cancellationToken: TestContext.Current.CancellationToken);
            Assert.Single(images);
            Assert.Equal(1, credentials.Exchanges);
            Assert.DoesNotContain("azure-secret", credentials.ToString());
        }

        [Fact]
        public async Task SessionIsRefreshedBeforeItExpires()
        {
            await using var identity = await Identity("--header", IdentityHeader, "--issue", EntraToken);
            await using var sts = await Sts(expiresIn: 3600);
            var now = DateTimeOffset.UtcNow;
            var credentials = new AzureWebIdentityCredentials(new AzureManagedIdentity(environment: Automation(identity)), Role, stsEndpoint: new Uri(sts.Url)) { Now = () => now };
            Assert.Equal("ASIAAZUREIDENTITY001", (await credentials.GetCredentialsAsync()).AccessKey);
            now = now.AddMinutes(30);
            Assert.Equal("azure-session-token", credentials.GetCredentials().Token);
            Assert.Equal(1, credentials.Exchanges);

            // Inside the last five minutes of the hour the next signature gets a new session, before the old one expires.
            now = now.AddMinutes(26);
            await credentials.GetCredentialsAsync();
            Assert.Equal(2, credentials.Exchanges);
            credentials.Clear();
            await credentials.GetCredentialsAsync();
            Assert.Equal(3, credentials.Exchanges);
        }

        [Fact]
        public async Task StsRefusingTheAudienceSaysToCheckTheTrustPolicy()
        {
            await using var identity = await Identity("--header", IdentityHeader, "--issue", EntraToken);
            await using var sts = await Sts();
            var credentials = new AzureWebIdentityCredentials(new AzureManagedIdentity(null, "api://some-other-audience", Automation(identity)), Role, stsEndpoint: new Uri(sts.Url));
            var ex = await Assert.ThrowsAsync<ImageUpdaterException>(() => credentials.GetCredentialsAsync());
            Assert.Equal("AwsWebIdentityRefused", ex.ErrorId);
            Assert.Contains("InvalidIdentityToken", ex.Message);
            Assert.Contains("api://some-other-audience", ex.Message);
            Assert.DoesNotContain(EntraToken, ex.Message);
        }

        [Theory]
        [InlineData("arn:aws:iam::123456789012:role/image-updater", true)]
        [InlineData("arn:aws-us-gov:iam::123456789012:role/path/to/role", true)]
        [InlineData("arn:aws:iam::123:role/x", false)]
        [InlineData("image-updater", false)]
        public void RoleArnIsChecked(string arn, bool valid)
        {
            if (valid)
            {
                Assert.Equal(arn, AzureWebIdentityCredentials.CheckRoleArn(arn));
            }
            else
            {
                Assert.Equal("AwsRoleArnInvalid", Assert.Throws<ImageUpdaterException>(() => AzureWebIdentityCredentials.CheckRoleArn(arn)).ErrorId);
            }
        }

        [Fact]
        public void AwsOptionsNeedARoleAndOneCredentialSource()
        {
            Assert.Equal("AwsRoleArnWithoutIdentity", Assert.Throws<ImageUpdaterException>(() => new AwsOptions { RoleArn = Role }.ResolveCredentials()).ErrorId);
            Assert.Equal("AwsCredentialSourcesConflict", Assert.Throws<ImageUpdaterException>(() => new AwsOptions { AzureIdentity = new AzureManagedIdentity(), RoleArn = Role, AccessKey = "AKIA", SecretKey = "s" }.ResolveCredentials()).ErrorId);
            var (credentials, source) = new AwsOptions { AzureIdentity = new AzureManagedIdentity("client-1"), RoleArn = Role }.ResolveCredentials();
            Assert.IsType<AzureWebIdentityCredentials>(credentials);
            Assert.Contains("client-1", source);
            Assert.Contains(Role, source);
        }
    }
}
