using System;
using System.Management.Automation;
using ImageUpdater.Core;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;

namespace ImageUpdater.PS.Commands
{
    /// <summary>Sets newName/newTag/digest of an image in kustomizations, as kustomize edit set image does, changing nothing else in them.</summary>
    [Cmdlet(VerbsData.Update, "KustomizeImage", SupportsShouldProcess = true, DefaultParameterSetName = PathSet, HelpUri = HelpLinks.Docs + "Update-KustomizeImage.md")]
    [OutputType(typeof(ImageUpdateResult))]
    public sealed class UpdateKustomizeImageCommand : FileEditCmdlet
    {
        /// <summary>The image name the images entry matches (its name field).</summary>
        [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = string.Empty;

        /// <summary>The replacement image name.</summary>
        [Parameter(ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string? NewName { get; set; }

        /// <summary>The new tag (newTag).</summary>
        [Parameter(ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string? Tag { get; set; }

        /// <summary>The new digest (sha256:…).</summary>
        [Parameter(ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string? Digest { get; set; }

        protected override void BeginProcessing()
        {
            if (NewName is null && Tag is null && Digest is null)
            {
                ThrowFailure(new ImageUpdaterException("KustomizeNothingToSet", FailureKind.InvalidArgument, $"Nothing to set for image '{Name}': pass -NewName, -Tag or -Digest."));
            }
        }

        protected override void ProcessRecord()
        {
            var update = new ImageUpdate(Name, Tag ?? string.Empty) { NewName = NewName, Digest = Digest };
            var target = new KustomizationTarget();
            foreach (var path in ResolvePaths(Path))
            {
                Run(target, path, new[] { update });
            }
        }
    }
}
