using System;
using System.Net;
using System.Threading.Tasks;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Registries.Ecr;
using Xunit;

namespace ImageUpdater.Core.Tests.Registries
{
    [CollectionDefinition(nameof(AwsEnvironment), DisableParallelization = true)]
    public sealed class AwsEnvironment
    {
    }

    [Collection(nameof(AwsEnvironment))]
    public class RegistryRouterTests
    {
        private const string EcrImage = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app";

        private static RegistryRouter Router(RegistriesConfig? config = null, NetworkCredential? credential = null) =>
            new RegistryRouter(new RegistrySettings { Config = config ?? RegistriesConfig.Empty, Credential = credential, MetadataCachePath = System.IO.Path.GetTempFileName() });

        [Theory]
        [InlineData("ghcr.io/org/app", null, RegistryRoute.DistributionApi)]
        [InlineData("nginx", null, RegistryRoute.DistributionApi)]
        [InlineData(EcrImage, null, RegistryRoute.EcrApi)]
        [InlineData("ghcr.io/org/app", "env:PULL", RegistryRoute.PullSecret)]
        [InlineData(EcrImage, "pullsecret:argocd/ecr", RegistryRoute.PullSecret)]
        [InlineData(EcrImage, "  ", RegistryRoute.EcrApi)]
        public void RoutesByPullSecretThenEcrHostThenDistributionApi(string image, string? pullSecret, RegistryRoute expected)
        {
            using var router = Router();
            Assert.Equal(expected, router.RouteFor(ImageReference.Parse(image), pullSecret));
        }

        [Fact]
        public void AnExplicitRegistryCredentialWinsOverPullSecrets()
        {
            using var router = Router(credential: new NetworkCredential("alice", "pw"));
            Assert.Equal(RegistryRoute.DistributionApi, router.RouteFor(ImageReference.Parse("ghcr.io/org/app"), "env:PULL"));
            Assert.Equal(RegistryRoute.EcrApi, router.RouteFor(ImageReference.Parse(EcrImage), "env:PULL"));
        }

        [Fact]
        public void AnEcrRegistryNamedInRegistriesConfTakesTheDistributionApi()
        {
            var config = RegistriesConfig.Parse("registries:\n- name: ECR\n  api_url: https://123456789012.dkr.ecr.eu-west-1.amazonaws.com\n  prefix: 123456789012.dkr.ecr.eu-west-1.amazonaws.com\n");
            using var router = Router(config);
            Assert.Equal(RegistryRoute.DistributionApi, router.RouteFor(ImageReference.Parse(EcrImage)));
            Assert.Contains("registry ECR", router.Describe(ImageReference.Parse(EcrImage)));
        }

        [Fact]
        public void OneClientPerPullSecretValueAndPerApi()
        {
            using var router = Router();
            var image = ImageReference.Parse("ghcr.io/org/app");
            var a = router.ClientFor(image, "env:A");
            Assert.Same(a, router.ClientFor(image, " env:A "));
            Assert.NotSame(a, router.ClientFor(image, "env:B"));
            Assert.NotSame(a, router.ClientFor(image));
            Assert.Same(router.ClientFor(image), router.ClientFor(ImageReference.Parse("quay.io/x/y")));
            Assert.NotSame(router.ClientFor(image), router.ClientFor(ImageReference.Parse(EcrImage)));
            Assert.Same(router.EcrApi, router.ClientFor(ImageReference.Parse(EcrImage)));
        }

        [Fact]
        public void ThePlannerOfAnImageSpecFollowsItsPullSecret()
        {
            // An annotation's env: pull-secret needs the operator's allow-list (PullSecretPolicy).
            using var router = new RegistryRouter(new RegistrySettings { PullSecretPolicy = new PullSecretPolicy(new[] { "env:PULL" }), MetadataCachePath = System.IO.Path.GetTempFileName() });
            var plain = new ImageSpec("web", ImageReference.Parse("ghcr.io/org/app"));
            var pulled = new ImageSpec("api", ImageReference.Parse("ghcr.io/org/app")) { PullSecret = "env:PULL" };
            Assert.Same(router.PlannerFor(plain), router.PlannerFor(new ImageSpec("other", ImageReference.Parse("ghcr.io/org/other"))));
            Assert.NotSame(router.PlannerFor(plain), router.PlannerFor(pulled));
        }

        [Theory]
        [InlineData("nginx", "nginx")]
        [InlineData("org/app", "org/app")]
        [InlineData("docker.io/nginx", "library/nginx")]
        [InlineData("registry-1.docker.io/nginx", "library/nginx")]
        [InlineData("docker.io/org/app", "org/app")]
        [InlineData("ghcr.io/org/app:~1.2", "org/app")]
        [InlineData("localhost:5000/app", "app")]
        public void RepositoryNameForLeavesHostlessImagesToTheDefaultRegistry(string image, string expected)
        {
            Assert.Equal(expected, RegistryRouter.RepositoryNameFor(ImageReference.Parse(image)));
        }

        [Fact]
        public async Task RepositoriesSharedByImagesAreListedOnceAndCounted()
        {
            await using var emulator = EcrTestBed.Start(o => o.Generated["team/app"] = 3);
            using var router = new RegistryRouter(new RegistrySettings { Aws = EcrTestBed.Aws(emulator), MetadataCachePath = System.IO.Path.GetTempFileName() });
            var app = new ArgoApplication("shop");
            foreach (var alias in new[] { "a", "b", "c" })
            {
                var spec = new ImageSpec(alias, ImageReference.Parse(emulator.RegistryHost + "/team/app"));
                await router.PlannerFor(spec).PlanAsync(app, spec, TestContext.Current.CancellationToken);
            }

            Assert.Equal(1, emulator.RequestCount("DescribeImages"));
            Assert.Equal(1, router.Requests["ecr DescribeImages"]);
            Assert.Equal(1, router.Listings);
            Assert.Equal("Registry requests: ecr DescribeImages 1", router.DescribeRequests());
        }

        [Fact]
        public void NoRequestsNoRequestLine()
        {
            using var router = Router();
            Assert.Null(router.DescribeRequests());
        }

        [Fact]
        public void EndpointParameterThenEcrVariableThenGeneralVariable()
        {
            using var env = new Variables("AWS_ENDPOINT_URL_ECR", "AWS_ENDPOINT_URL");
            Assert.Equal((null, "the region"), new AwsOptions().ResolveEndpoint());

            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL", "https://general.example");
            Assert.Equal((new Uri("https://general.example"), "AWS_ENDPOINT_URL"), new AwsOptions().ResolveEndpoint());

            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_ECR", "http://127.0.0.1:4566/");
            Assert.Equal((new Uri("http://127.0.0.1:4566/"), "AWS_ENDPOINT_URL_ECR"), new AwsOptions().ResolveEndpoint());

            var explicitUrl = new Uri("https://vpce.example");
            Assert.Equal((explicitUrl, "-EndpointUrl"), new AwsOptions { EndpointUrl = explicitUrl }.ResolveEndpoint());
        }

        [Fact]
        public void AnEndpointVariableThatIsNoUrlIsAnErrorNamingTheVariable()
        {
            using var env = new Variables("AWS_ENDPOINT_URL_ECR", "AWS_ENDPOINT_URL");
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_ECR", "not a url");
            var ex = Assert.Throws<ImageUpdaterException>(() => new AwsOptions().ResolveEndpoint());
            Assert.Equal("EndpointUrlInvalid", ex.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, ex.Kind);
            Assert.Contains("AWS_ENDPOINT_URL_ECR", ex.Message);
        }

        [Fact]
        public async Task TheEcrClientCallsTheEndpointOfTheEnvironment()
        {
            await using var emulator = EcrTestBed.Start(o => o.Generated["team/app"] = 2);
            using var env = new Variables("AWS_ENDPOINT_URL_ECR", "AWS_ENDPOINT_URL");
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_ECR", emulator.Url);
            var aws = EcrTestBed.Aws(emulator);
            aws.EndpointUrl = null;
            using var router = new RegistryRouter(new RegistrySettings { Aws = aws, MetadataCachePath = System.IO.Path.GetTempFileName() });
            var tags = await router.EcrApi.ListTagsAsync(emulator.RegistryHost, "team/app", new TagListOptions(), TestContext.Current.CancellationToken);
            Assert.Equal(2, tags.Count);
            Assert.Equal(1, emulator.RequestCount("DescribeImages"));
        }

        /// <summary>Restores environment variables on dispose.</summary>
        private sealed class Variables : IDisposable
        {
            private readonly (string Name, string? Value)[] saved;

            public Variables(params string[] names)
            {
                saved = Array.ConvertAll(names, n => (n, Environment.GetEnvironmentVariable(n)));
                foreach (var name in names)
                {
                    Environment.SetEnvironmentVariable(name, null);
                }
            }

            public void Dispose()
            {
                foreach (var (name, value) in saved)
                {
                    Environment.SetEnvironmentVariable(name, value);
                }
            }
        }
    }
}
