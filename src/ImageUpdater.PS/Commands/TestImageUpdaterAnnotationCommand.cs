using System;
using System.Threading;
using System.Management.Automation;
using ImageUpdater.Core;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.PS.Parameters;

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

        /// <summary>Manifest files or folders, read as Get-ArgoApplication -Path does.</summary>
        [Parameter(ParameterSetName = PathSet, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>Read the subfolders of -Path folders too.</summary>
        [Parameter(ParameterSetName = PathSet)]
        public SwitchParameter Recurse { get; set; }

        /// <summary>A checkout of the GitOps repository: Helm keys a helmvalues target's values file lacks are reported, with the nearest key it has.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Repository { get; set; }

        /// <summary>List only errors, not warnings (deprecated names, ignored keys).</summary>
        [Parameter]
        public SwitchParameter ErrorsOnly { get; set; }

        private readonly CancellationTokenSource stopping = new CancellationTokenSource();

        protected override void StopProcessing() => stopping.Cancel();

        protected override void ProcessRecord()
        {
            if (ParameterSetName == PathSet)
            {
                foreach (var app in new ApplicationSourceParameters { Path = Path, Recurse = Recurse.IsPresent }.Read(this, stopping.Token))
                {
                    Report(app);
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
            var diagnostics = new System.Collections.Generic.List<AnnotationDiagnostic>(app.Diagnostics);
            if (Repository is not null)
            {
                try
                {
                    diagnostics.AddRange(Core.WriteBack.HelmKeyCheck.Check(app, SessionState.Path.GetUnresolvedProviderPathFromPSPath(Repository)));
                }
                catch (ImageUpdaterException ex)
                {
                    WriteFailure(ex, app);
                }
            }

            foreach (var diagnostic in diagnostics)
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
