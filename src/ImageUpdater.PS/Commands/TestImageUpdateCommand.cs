using System;
using System.Management.Automation;
using ImageUpdater.Core;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Tags;
using ImageUpdater.Core.Updating;

namespace ImageUpdater.PS.Commands
{
    /// <summary>Which tag of an image would win under given update options, and why, like <c>argocd-image-updater test</c>; nothing is written.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "ImageUpdate", DefaultParameterSetName = ImageSet, HelpUri = HelpLinks.Docs + "Test-ImageUpdate.md")]
    [OutputType(typeof(TagTestResult))]
    public sealed class TestImageUpdateCommand : TagSelectionCmdletBase
    {
        /// <summary>The image: <c>[registry/]repository[:constraint]</c>; an ECR host takes the ECR API, any other registry the distribution API.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Image { get; set; } = string.Empty;

        /// <summary>Credentials as an image's pull-secret annotation gives them (<c>pullsecret:ns/name</c>, <c>secret:ns/name#field</c>, <c>env:VAR</c>, <c>ext:/path</c>).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? PullSecret { get; set; }

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

            var options = SelectionFor(image);
            var pullSecret = PullSecret;
            var target = Image;
            WriteVerbose($"{image.Name}: {Router.Describe(image, pullSecret)}, strategy {options.Strategy.ToAnnotationValue()}, constraint {options.Constraint ?? "(none)"}");
            WriteInOrder(async () =>
            {
                try
                {
                    var result = await TagTest.RunAsync(Router.ClientFor(image, pullSecret), image, options, StopToken).ConfigureAwait(false);
                    return () =>
                    {
                        WriteVerbose($"{image.Name}: {result.Reason}");
                        WriteTyped(result);
                    };
                }
                catch (ImageUpdaterException ex)
                {
                    return () => WriteFailure(new ImageUpdaterException(ex.ErrorId, ex.Kind, $"{image.Name}: {ex.Message}", target, ex), target);
                }
            });
        }
    }
}
