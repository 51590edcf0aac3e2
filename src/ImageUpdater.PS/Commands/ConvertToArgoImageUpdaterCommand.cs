using System;
using System.Collections.Generic;
using System.Management.Automation;
using ImageUpdater.Core.Argo;

namespace ImageUpdater.PS.Commands
{
    /// <summary>Writes ImageUpdater resources (YAML) equivalent to Applications' image-updater annotations.</summary>
    [Cmdlet(VerbsData.ConvertTo, "ArgoImageUpdater", HelpUri = HelpLinks.Docs + "ConvertTo-ArgoImageUpdater.md")]
    [OutputType(typeof(string))]
    public sealed class ConvertToArgoImageUpdaterCommand : ImageUpdaterCmdlet
    {
        private readonly List<ArgoApplication> applications = new List<ArgoApplication>();

        /// <summary>Annotated Applications from Get-ArgoApplication.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ArgoApplication[] Application { get; set; } = Array.Empty<ArgoApplication>();

        /// <summary>The name of the resource of each namespace (ignored with -OnePerApplication).</summary>
        [Parameter]
        [ValidatePattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")]
        public string Name { get; set; } = "image-updater";

        /// <summary>One resource per Application, named after it, instead of one per namespace.</summary>
        [Parameter]
        public SwitchParameter OnePerApplication { get; set; }

        protected override void ProcessRecord()
        {
            foreach (var app in Application)
            {
                if (app.Images.Count == 0)
                {
                    WriteVerbose($"'{app.QualifiedName}' has no image-list: nothing to convert.");
                    continue;
                }

                if (app.ConfiguredBy is not null)
                {
                    WriteWarning($"'{app.QualifiedName}' is configured by ImageUpdater {app.ConfiguredBy}, not by its own annotations; its settings are converted as they apply.");
                }

                applications.Add(app);
            }
        }

        protected override void EndProcessing()
        {
            if (applications.Count > 0)
            {
                WriteObject(ImageUpdaterConversion.ToImageUpdaterYaml(applications, Name, OnePerApplication.IsPresent));
            }
        }
    }
}
