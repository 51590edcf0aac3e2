using System;
using System.Management.Automation;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;

namespace ImageUpdater.PS.Commands
{
    /// <summary>Sets an image tag (and optionally name, or a name:tag spec) in Helm values files, changing nothing else in them.</summary>
    // Candidates piped with no other parameter must bind to -Candidate, not to -Path as strings; -Tag or a path selects the Path set.
    [Cmdlet(VerbsData.Update, "HelmImageTag", SupportsShouldProcess = true, DefaultParameterSetName = CandidateSet, HelpUri = HelpLinks.Docs + "Update-HelmImageTag.md")]
    [OutputType(typeof(ImageUpdateResult))]
    public sealed partial class UpdateHelmImageTagCommand : FileEditCmdlet
    {
        /// <summary>The tag to write (tag@sha256:… also works).</summary>
        [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Tag { get; set; } = string.Empty;

        /// <summary>Key path of the tag; image.tag unless -ImageSpecKey is given.</summary>
        [Parameter(ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string? ImageTagKey { get; set; }

        /// <summary>Image name (registry/repository) to write at -ImageNameKey or into -ImageSpecKey.</summary>
        [Parameter(ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string? Image { get; set; }

        /// <summary>Key path of the image name (written only with -Image).</summary>
        [Parameter(ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string? ImageNameKey { get; set; }

        /// <summary>Key path of a single name:tag value.</summary>
        [Parameter(ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string? ImageSpecKey { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == CandidateSet)
            {
                CollectCandidates();
                return;
            }

            var update = new ImageUpdate(Image, Tag)
            {
                HelmImageTagKey = ImageTagKey ?? (ImageSpecKey is null ? "image.tag" : null),
                HelmImageNameKey = ImageNameKey,
                HelmImageSpecKey = ImageSpecKey,
            };
            var target = new HelmValuesTarget();
            foreach (var file in ResolvePaths(Path))
            {
                Run(target, file, new[] { update });
            }
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName == CandidateSet)
            {
                WriteBackCandidates();
            }
        }
    }
}
