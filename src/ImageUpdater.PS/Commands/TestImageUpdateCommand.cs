using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using ImageUpdater.Core;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Registries.Ecr;
using ImageUpdater.Core.Registries.Oci;
using ImageUpdater.Core.Tags;
using ImageUpdater.Core.Updating;
using ImageUpdater.PS.Completion;

namespace ImageUpdater.PS.Commands
{
    /// <summary>Which tag of an image would win under given update options, and why, like <c>argocd-image-updater test</c>; nothing is written.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "ImageUpdate")]
    [OutputType(typeof(TagTestResult))]
    public sealed class TestImageUpdateCommand : AwsCmdletBase
    {
        private readonly CancellationTokenSource stopping = new CancellationTokenSource();
        private RegistriesConfig config = Core.Registries.RegistriesConfig.Empty;
        private OciRegistryClient? oci;
        private EcrRegistryClient? ecr;

        /// <summary>The image: <c>[registry/]repository[:constraint]</c>; an ECR host takes the ECR API, any other registry the distribution API.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Image { get; set; } = string.Empty;

        [Parameter]
        [ValidateUpdateStrategy]
        [ArgumentCompleter(typeof(UpdateStrategyCompleter))]
        public string UpdateStrategy { get; set; } = "semver";

        /// <summary>Semver constraint, or the tag to track for digest; default: the text after ':' in -Image.</summary>
        [Parameter(Position = 1)]
        [ValidateNotNullOrEmpty]
        public string? Constraint { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? AllowTags { get; set; }

        [Parameter]
        [ValidateNotNull]
        public string[] IgnoreTags { get; set; } = Array.Empty<string>();

        [Parameter]
        [ValidateNotNull]
        public string[] Platform { get; set; } = Array.Empty<string>();

        /// <summary>registries.conf, or the argocd-image-updater-config ConfigMap manifest that holds it.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? RegistriesConfig { get; set; }

        /// <summary>User and password (or token) for an OCI registry; wins over registries.conf credentials. (-Credential is the AWS one.)</summary>
        [Parameter]
        [Credential]
        [ValidateNotNull]
        public PSCredential? RegistryCredential { get; set; }

        protected override void BeginProcessing()
        {
            config = LoadRegistriesConfig(RegistriesConfig);
        }

        protected override void ProcessRecord()
        {
            ImageReference image;
            try
            {
                image = ImageReference.Parse(Image);
            }
            catch (ImageReferenceParseException ex)
            {
                WriteFailure(ex, Image);
                return;
            }

            var strategy = ParseUpdateStrategy(UpdateStrategy);
            var options = new TagSelectionOptions
            {
                Strategy = strategy,
                Constraint = Constraint ?? image.Tag,
                AllowTags = AllowTags,
                IgnoreTags = IgnoreTags,
                Platforms = Platform,
            };

            var useEcr = config.UsesEcrApi(image);
            IRegistryClient client = useEcr ? Ecr() : Oci();
            WriteVerbose($"{image.Name}: {(useEcr ? "ECR API (DescribeImages)" : "distribution API")}, strategy {strategy.ToAnnotationValue()}, constraint {options.Constraint ?? "(none)"}");
            TagTestResult result;
            try
            {
                WriteProgress(new ProgressRecord(1, "Test-ImageUpdate", $"Listing {image.Name}"));
                result = Await(TagTest.RunAsync(client, image, options, stopping.Token));
            }
            catch (ImageUpdaterException ex)
            {
                FlushVerbose();
                WriteFailure(new ImageUpdaterException(ex.ErrorId, ex.Kind, $"{image.Name}: {ex.Message}", Image, ex), Image);
                return;
            }

            WriteVerbose($"{image.Name}: {result.Reason}");
            WriteTyped(result);
        }

        private EcrRegistryClient Ecr() => ecr ??= new EcrRegistryClient(GetAwsOptions()) { Log = QueueVerbose };

        private OciRegistryClient Oci() => oci ??= new OciRegistryClient(config, new OciClientOptions { Credential = RegistryCredential?.GetNetworkCredential() }) { Log = QueueVerbose };

        protected override void EndProcessing()
        {
            var counts = (ecr?.Requests ?? Enumerable.Empty<System.Collections.Generic.KeyValuePair<string, int>>()).Concat(oci?.Requests ?? Enumerable.Empty<System.Collections.Generic.KeyValuePair<string, int>>()).ToList();
            if (counts.Count > 0)
            {
                WriteVerbose("Requests: " + string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Key + " " + c.Value)));
            }

            ecr?.Dispose();
            oci?.Dispose();
        }

        protected override void StopProcessing() => stopping.Cancel();
    }
}
