using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ImageUpdater.Core.Argo;

namespace ImageUpdater.PS.Commands
{
    /// <summary>Writes the image-updater annotations (YAML metadata patches) equivalent to ImageUpdater resources, for the Applications they select.</summary>
    [Cmdlet(VerbsData.ConvertFrom, "ArgoImageUpdater", HelpUri = HelpLinks.Docs + "ConvertFrom-ArgoImageUpdater.md")]
    [OutputType(typeof(string))]
    public sealed class ConvertFromArgoImageUpdaterCommand : ImageUpdaterCmdlet
    {
        private readonly List<ImageUpdaterResource> resources = new List<ImageUpdaterResource>();

        /// <summary>Resources from Get-ArgoImageUpdater.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ImageUpdaterResource[] ImageUpdater { get; set; } = Array.Empty<ImageUpdaterResource>();

        /// <summary>The Applications (Get-ArgoApplication) the resources select from.</summary>
        [Parameter(Mandatory = true)]
        [ValidateNotNull]
        public ArgoApplication[] Application { get; set; } = Array.Empty<ArgoApplication>();

        protected override void ProcessRecord() => resources.AddRange(ImageUpdater);

        protected override void EndProcessing()
        {
            var documents = new List<string>();
            foreach (var read in ImageUpdaterResolver.Apply(resources, Application))
            {
                switch (read.Kind)
                {
                    case ApplicationReadKind.Application:
                        documents.Add(ImageUpdaterConversion.ToAnnotationYaml(read.Application!));
                        break;
                    case ApplicationReadKind.Error:
                        WriteFailure(read.Error!, read.Target);
                        break;
                    case ApplicationReadKind.Warning:
                        WriteWarning(read.Message!);
                        break;
                    default:
                        WriteVerbose(read.Message!);
                        break;
                }
            }

            if (documents.Count > 0)
            {
                WriteObject(string.Join("---\n", documents));
            }
        }
    }
}
