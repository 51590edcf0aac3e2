using System;
using System.Threading.Tasks;
using ImageUpdater.Emulators.Oci;
using Xunit;

namespace ImageUpdater.Core.Tests.Registries.Oci
{
    /// <summary>One real docker-registry with htpasswd user alice, seeded with the demo images, shared by a test class.</summary>
    public sealed class DockerRegistryFixture : IAsyncLifetime
    {
        public const string User = "alice";
        public const string Password = "s3cret-pw";

        public DockerRegistry? Registry { get; private set; }

        public async ValueTask InitializeAsync()
        {
            if (DockerRegistry.MissingReason is not null)
            {
                return;
            }

            Registry = await DockerRegistry.StartAsync(new[] { User + ":" + Password });
            using var pusher = new RegistryPusher(Registry.Url, User, Password);
            await DockerRegistry.SeedAsync(pusher);
        }

        /// <summary>The running registry; skips the test when the package is missing, fails under CI=true.</summary>
        public DockerRegistry Require() => Registry ?? throw Missing();

        internal static Exception Missing()
        {
            var reason = DockerRegistry.MissingReason ?? "docker-registry did not start";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                return new InvalidOperationException(reason + ", and under CI=true the registry tests must run.");
            }

            Assert.Skip(reason);
            return new InvalidOperationException(reason);
        }

        public async ValueTask DisposeAsync()
        {
            if (Registry is not null)
            {
                await Registry.DisposeAsync();
            }
        }
    }
}
