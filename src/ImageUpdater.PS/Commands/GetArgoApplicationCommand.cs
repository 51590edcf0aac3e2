using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Collections.ObjectModel;
using System.Management.Automation;
using ImageUpdater.Core;
using ImageUpdater.Core.Argo;

namespace ImageUpdater.PS.Commands
{
    /// <summary>Reads Argo CD Applications and their image-updater annotations.</summary>
    [Cmdlet(VerbsCommon.Get, "ArgoApplication", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(ArgoApplication))]
    public sealed class GetArgoApplicationCommand : ImageUpdaterCmdlet
    {
        private const string PathSet = "Path";

        /// <summary>Manifest files or folders (wildcards allowed).</summary>
        [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName", "PSPath")]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>Read folders recursively.</summary>
        [Parameter(ParameterSetName = PathSet)]
        public SwitchParameter Recurse { get; set; }

        /// <summary>Application names to keep (wildcards).</summary>
        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        private WildcardPattern[]? namePatterns;

        protected override void BeginProcessing()
        {
            namePatterns = Name?.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToArray();
        }

        protected override void ProcessRecord()
        {
            foreach (var file in ResolveFiles())
            {
                WriteVerbose($"Reading Applications from '{file}'.");
                try
                {
                    foreach (var app in ApplicationManifestReader.ReadFile(file, ex => WriteFailure(ex, file)))
                    {
                        if (Matches(app))
                        {
                            WriteTyped(app);
                        }
                    }
                }
                catch (ImageUpdaterException ex)
                {
                    WriteFailure(ex, file);
                }
            }
        }

        private bool Matches(ArgoApplication app) => namePatterns is null || namePatterns.Any(p => p.IsMatch(app.Name));

        private IEnumerable<string> ResolveFiles()
        {
            foreach (var path in Path)
            {
                Collection<string> resolved;
                try
                {
                    resolved = GetResolvedProviderPathFromPSPath(path, out _);
                }
                catch (ItemNotFoundException)
                {
                    WriteFailure(new ImageUpdaterException("PathNotFound", FailureKind.ObjectNotFound, $"Cannot find '{path}': no such file or folder.", path));
                    continue;
                }

                foreach (var item in resolved)
                {
                    IEnumerable<string> files;
                    try
                    {
                        files = ApplicationManifestReader.EnumerateFiles(item, Recurse.IsPresent).ToList();
                    }
                    catch (Exception ex) when (ex is ImageUpdaterException || ex is IOException || ex is UnauthorizedAccessException)
                    {
                        WriteFailure(ex, item);
                        continue;
                    }

                    foreach (var file in files)
                    {
                        yield return file;
                    }
                }
            }
        }
    }
}
