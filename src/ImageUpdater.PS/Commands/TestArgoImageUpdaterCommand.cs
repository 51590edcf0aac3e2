using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ImageUpdater.Core;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.PS.Parameters;

namespace ImageUpdater.PS.Commands
{
    /// <summary>Lints ImageUpdater resources: one object per problem; any Error also writes a non-terminating error.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "ArgoImageUpdater", DefaultParameterSetName = ResourceSet, HelpUri = HelpLinks.Docs + "Test-ArgoImageUpdater.md")]
    [OutputType(typeof(AnnotationDiagnostic))]
    public sealed class TestArgoImageUpdaterCommand : ImageUpdaterCmdlet
    {
        private const string ResourceSet = "ImageUpdater";
        private const string PathSet = "Path";

        /// <summary>Resources from Get-ArgoImageUpdater.</summary>
        [Parameter(ParameterSetName = ResourceSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ImageUpdaterResource[] ImageUpdater { get; set; } = Array.Empty<ImageUpdaterResource>();

        /// <summary>YAML files or folders, read as Get-ArgoImageUpdater -Path does.</summary>
        [Parameter(ParameterSetName = PathSet, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>Read the subfolders of -Path folders too.</summary>
        [Parameter(ParameterSetName = PathSet)]
        public SwitchParameter Recurse { get; set; }

        /// <summary>Applications (Get-ArgoApplication) the references are matched against: a reference that selects none is reported.</summary>
        [Parameter]
        [ValidateNotNull]
        public ArgoApplication[]? Application { get; set; }

        /// <summary>List only errors, not warnings.</summary>
        [Parameter]
        public SwitchParameter ErrorsOnly { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ResourceSet)
            {
                foreach (var resource in ImageUpdater)
                {
                    Report(resource);
                }

                return;
            }

            var paths = Path.SelectMany(p => ApplicationSourceParameters.ResolvePath(this, p)).ToArray();
            foreach (var (resource, error) in ImageUpdaterReader.ReadFiles(paths, Recurse.IsPresent))
            {
                if (error is not null)
                {
                    WriteFailure(error, error.Target);
                }
                else
                {
                    Report(resource!);
                }
            }
        }

        private void Report(ImageUpdaterResource resource)
        {
            WriteVerbose($"Checking ImageUpdater '{resource.QualifiedName}' ({resource.Origin}).");
            foreach (var diagnostic in ImageUpdaterCheck.Check(resource, Application))
            {
                if (ErrorsOnly.IsPresent && diagnostic.Severity != DiagnosticSeverity.Error)
                {
                    continue;
                }

                WriteTyped(diagnostic);
                if (diagnostic.Severity == DiagnosticSeverity.Error)
                {
                    WriteFailure(new ImageUpdaterException("InvalidImageUpdater", FailureKind.InvalidData, $"ImageUpdater '{resource.QualifiedName}' ({resource.Origin}): {diagnostic.Key}: {diagnostic.Message}", resource), resource);
                }
            }
        }
    }
}
