using System;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using ImageUpdater.Core;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Registries.Ecr;
using ImageUpdater.Core.Tags;
using ImageUpdater.Core.Updating;

namespace ImageUpdater.PS.Commands
{
    /// <summary>Finds the newest allowed tags of an image in any OCI registry (Docker Hub, GHCR, Quay, Harbor, ACR, ECR…), or the update candidates of Argo CD Applications.</summary>
    // Applications are the default set so that an ArgoApplication on the pipeline is never bound to -Image as text.
    [Cmdlet(VerbsCommon.Find, "ImageTag", DefaultParameterSetName = ApplicationSet, HelpUri = HelpLinks.Docs + "Find-ImageTag.md")]
    [OutputType(typeof(ImageTag), ParameterSetName = new[] { ImageSet })]
    [OutputType(typeof(ImageUpdateCandidate), ParameterSetName = new[] { ApplicationSet })]
    public sealed class FindImageTagCommand : TagSelectionCmdletBase
    {
        private const string ApplicationSet = "Application";

        /// <summary>The image: <c>[registry/]repository[:constraint]</c> (<c>nginx</c>, <c>ghcr.io/org/app</c>, <c>quay.io/org/app:~1.4</c>).</summary>
        [Parameter(ParameterSetName = ImageSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Image { get; set; } = string.Empty;

        /// <summary>Only the best n tags (<c>-First 1</c> is the winner).</summary>
        [Parameter(ParameterSetName = ImageSet)]
        [ValidateRange(1, int.MaxValue)]
        public int First { get; set; } = int.MaxValue;

        /// <summary>Applications from Get-ArgoApplication: one candidate per image of each.</summary>
        [Parameter(ParameterSetName = ApplicationSet, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ArgoApplication[] Application { get; set; } = Array.Empty<ArgoApplication>();

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ImageSet)
            {
                FindTags();
                return;
            }

            foreach (var app in Application)
            {
                foreach (var warning in app.KeyWarnings())
                {
                    WriteInOrder(() => WriteWarning(warning));
                }

                foreach (var spec in app.Images)
                {
                    WriteInOrder(() => PlanAsync(app, spec));
                }
            }
        }

        private void FindTags()
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

            var options = SelectionFor(image);
            var text = Image;
            var first = First;
            WriteVerbose($"{image.Name}: {Router.Describe(image)}");
            WriteInOrder(async () =>
            {
                TagTestResult result;
                try
                {
                    result = await TagTest.RunAsync(Router.ClientFor(image), image, options, StopToken).ConfigureAwait(false);
                }
                catch (ImageUpdaterException ex)
                {
                    var hint = ex.Kind == FailureKind.AuthenticationError && image.Registry is not null && EcrHost.IsEcrHost(image.Registry)
                        ? " For ECR, pass the AWS parameters (-ProfileName, -Region, …) or set AWS_PROFILE; a registry named in registries.conf takes -RegistryCredential (Get-EcrAuthorizationToken)."
                        : string.Empty;
                    return () => WriteFailure(hint.Length == 0 ? ex : new ImageUpdaterException(ex.ErrorId, ex.Kind, ex.Message + hint, text, ex), text);
                }

                return () =>
                {
                    WriteVerbose($"{image.Name}: {result.Reason}");
                    if (result.WinnerTag is null)
                    {
                        WriteWarning($"{image.Name}: no tag qualifies: {result.Reason}");
                    }

                    foreach (var tag in result.Qualified.Take(first))
                    {
                        WriteTyped(tag);
                    }
                };
            });
        }

        protected override void EndProcessing()
        {
            base.EndProcessing();
            WriteProgress(new ProgressRecord(1, "Find-ImageTag", "Done") { RecordType = ProgressRecordType.Completed });
        }
    }
}
