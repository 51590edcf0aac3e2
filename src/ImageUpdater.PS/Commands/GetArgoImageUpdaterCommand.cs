using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using ImageUpdater.Core;
using ImageUpdater.Core.Argo;
using ImageUpdater.PS.Completion;
using ImageUpdater.PS.Parameters;

namespace ImageUpdater.PS.Commands
{
    /// <summary>Reads Argo CD Image Updater v1 <c>ImageUpdater</c> resources from YAML files or through the Kubernetes API.</summary>
    [Cmdlet(VerbsCommon.Get, "ArgoImageUpdater", DefaultParameterSetName = PathSet, HelpUri = HelpLinks.Docs + "Get-ArgoImageUpdater.md")]
    [OutputType(typeof(ImageUpdaterResource))]
    public sealed class GetArgoImageUpdaterCommand : ImageUpdaterCmdlet
    {
        private const string PathSet = "Path";
        private const string KubeconfigSet = "Kubeconfig";

        private readonly CancellationTokenSource stopping = new CancellationTokenSource();
        private readonly List<string> paths = new List<string>();

        /// <summary>YAML files or folders holding ImageUpdater resources (wildcards allowed; other kinds are skipped).</summary>
        [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName", "PSPath")]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>Read folders recursively.</summary>
        [Parameter(ParameterSetName = PathSet)]
        public SwitchParameter Recurse { get; set; }

        /// <summary>Resource names to keep (wildcards).</summary>
        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        /// <summary>Read ImageUpdater resources through the Kubernetes API with this kubeconfig file.</summary>
        [Parameter(ParameterSetName = KubeconfigSet, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string Kubeconfig { get; set; } = string.Empty;

        /// <summary>The kubeconfig context; default: its current-context.</summary>
        [Parameter(ParameterSetName = KubeconfigSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(KubeconfigContextCompleter))]
        public string? Context { get; set; }

        /// <summary>The namespace holding the resources (where Argo CD runs).</summary>
        [Parameter(ParameterSetName = KubeconfigSet)]
        [ValidateNotNullOrEmpty]
        public string Namespace { get; set; } = ApplicationQuery.DefaultNamespace;

        /// <summary>Kubernetes label selector on the resources' labels, applied by the API server.</summary>
        [Parameter(ParameterSetName = KubeconfigSet)]
        [ValidateNotNullOrEmpty]
        public string? Selector { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == PathSet)
            {
                paths.AddRange(Path.SelectMany(p => ApplicationSourceParameters.ResolvePath(this, p)));
            }
        }

        protected override void EndProcessing()
        {
            var filter = new ApplicationQuery(Name);
            IEnumerable<(ImageUpdaterResource? Resource, ImageUpdaterException? Error)> reads = ParameterSetName == PathSet
                ? ImageUpdaterReader.ReadFiles(paths, Recurse.IsPresent)
                : ImageUpdaterReader.ReadCluster(GetUnresolvedProviderPathFromPSPath(Kubeconfig), Context, Namespace, Selector, stopping.Token);
            var found = 0;
            using (var items = reads.GetEnumerator())
            {
                while (true)
                {
                    try
                    {
                        if (!items.MoveNext())
                        {
                            break;
                        }
                    }
                    catch (ImageUpdaterException ex)
                    {
                        // The kubeconfig or the API listing failed: nothing else can be read.
                        ThrowFailure(ex, ParameterSetName == PathSet ? ex.Target : Kubeconfig);
                        return;
                    }

                    var (resource, error) = items.Current;
                    if (error is not null)
                    {
                        WriteFailure(error, error.Target);
                    }
                    else if (resource is not null && filter.MatchesName(resource.Name))
                    {
                        found++;
                        WriteTyped(resource);
                    }
                }
            }

            if (found == 0)
            {
                var where = ParameterSetName == PathSet ? "under " + string.Join(", ", paths.Select(p => "'" + p + "'")) : $"in namespace '{Namespace}'";
                WriteWarning($"No ImageUpdater resources {where}" + (Name is null ? "." : " named " + string.Join(", ", Name.Select(n => "'" + n + "'")) + "."));
            }
        }

        protected override void StopProcessing() => stopping.Cancel();
    }
}
