using System;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Http;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Registries.Ecr;
using ImageUpdater.Emulators.Ecr;

namespace ImageUpdater.Core.Tests.Registries
{
    /// <summary>An in-process ECR emulator and clients pointed at it, with retries that do not sleep.</summary>
    internal static class EcrTestBed
    {
        public static EcrEmulator Start(Action<EcrEmulatorOptions>? configure = null)
        {
            var options = new EcrEmulatorOptions();
            options.Keys[EcrEmulatorOptions.DefaultAccessKey] = (EcrEmulatorOptions.DefaultSecretKey, null);
            configure?.Invoke(options);
            return EcrEmulator.StartNew(options);
        }

        public static AwsOptions Aws(EcrEmulator emulator, string? accessKey = null, string? secretKey = null, string? sessionToken = null) => new AwsOptions
        {
            AccessKey = accessKey ?? EcrEmulatorOptions.DefaultAccessKey,
            SecretKey = secretKey ?? EcrEmulatorOptions.DefaultSecretKey,
            SessionToken = sessionToken,
            Region = emulator.Options.Region,
            EndpointUrl = new Uri(emulator.Url),
        };

        public static EcrClient Client(EcrEmulator emulator, string? accessKey = null, string? secretKey = null, string? sessionToken = null)
        {
            var client = new EcrClient(Aws(emulator, accessKey, secretKey, sessionToken), retryPolicy: new RetryPolicy { MaxAttempts = 4 });
            client.RetryDelay = (_, _) => Task.CompletedTask;
            return client;
        }
    }
}
