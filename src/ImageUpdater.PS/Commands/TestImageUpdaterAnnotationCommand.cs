using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using ImageUpdater.Core;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;

namespace ImageUpdater.PS.Commands
{
    /// <summary>Lints image-updater annotations: one object per problem; any Error also writes a non-terminating error.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "ImageUpdaterAnnotation", DefaultParameterSetName = ApplicationSet, HelpUri = HelpLinks.Docs + "Test-ImageUpdaterAnnotation.md")]
    [OutputType(typeof(AnnotationDiagnostic))]
    public sealed class TestImageUpdaterAnnotationCommand : ImageUpdaterCmdlet
    {
        private const string ApplicationSet = "Application";
        private const string PathSet = "Path";

        /// <summary>Applications from Get-ArgoApplication.</summary>
        [Parameter(ParameterSetName = ApplicationSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ArgoApplication[] Application { get; set; } = Array.Empty<ArgoApplication>();

        /// <summary>Manifest files or folders, read as Get-ArgoApplication -Path -Recurse does.</summary>
        [Parameter(ParameterSetName = PathSet, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>List only errors, not warnings (deprecated names, ignored keys).</summary>
        [Parameter]
        public SwitchParameter ErrorsOnly { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == PathSet)
            {
                foreach (var path in Path)
                {
                    foreach (var item in GetResolvedProviderPathFromPSPath(path, out _))
                    {
                        foreach (var file in ApplicationManifestReader.EnumerateFiles(item, recurse: true))
                        {
                            try
                            {
                                foreach (var app in ApplicationManifestReader.ReadFile(file, ex => WriteFailure(ex, file)))
                                {
                                    Report(app);
                                }
                            }
                            catch (ImageUpdaterException ex)
                            {
                                WriteFailure(ex, file);
                            }
                        }
                    }
                }

                return;
            }

            foreach (var app in Application)
            {
                Report(app);
            }
        }

        private void Report(ArgoApplication app)
        {
            WriteVerbose($"Checking the annotations of '{app.QualifiedName}' ({app.Origin}).");
            foreach (var diagnostic in app.Diagnostics)
            {
                if (ErrorsOnly.IsPresent && diagnostic.Severity != DiagnosticSeverity.Error)
                {
                    continue;
                }

                WriteTyped(diagnostic);
                if (diagnostic.Severity == DiagnosticSeverity.Error)
                {
                    var ex = new ImageUpdaterException("InvalidAnnotation", FailureKind.InvalidData,
                        $"{app.Name}: {AnnotationKeys.Prefix}{diagnostic.Key}: {diagnostic.Message}", app);
                    WriteFailure(ex, app);
                }
            }
        }
    }
}
