using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using ImageUpdater.Core.Argo;
using ImageUpdater.PS.Completion;
using ImageUpdater.PS.Parameters;

namespace ImageUpdater.PS.Commands
{
    /// <summary>Reads Argo CD Applications and their image-updater annotations.</summary>
    [Cmdlet(VerbsCommon.Get, "ArgoApplication", DefaultParameterSetName = ServerSet, HelpUri = HelpLinks.Docs + "Get-ArgoApplication.md")]
    [OutputType(typeof(ArgoApplication))]
    public sealed class GetArgoApplicationCommand : ArgoCmdletBase
    {
        private const string PathSet = "Path";
        private const string KubeconfigSet = "Kubeconfig";

        private readonly CancellationTokenSource stopping = new CancellationTokenSource();
        private readonly List<string> paths = new List<string>();
        private readonly List<ImageUpdaterResource> imageUpdaters = new List<ImageUpdaterResource>();

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
        [ArgumentCompleter(typeof(ArgoApplicationNameCompleter))]
        public string[]? Name { get; set; }

        /// <summary>Argo CD projects to list (server-side with -Server; also filters -Kubeconfig results).</summary>
        [Parameter(ParameterSetName = ServerSet)]
        [Parameter(ParameterSetName = KubeconfigSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArgoProjectCompleter))]
        public string[]? Project { get; set; }

        /// <summary>Kubernetes label selector on the Applications' labels (team=shop,env!=prod).</summary>
        [Parameter(ParameterSetName = ServerSet)]
        [Parameter(ParameterSetName = KubeconfigSet)]
        [ValidateNotNullOrEmpty]
        public string? Selector { get; set; }

        /// <summary>Only Applications of this namespace (apps-in-any-namespace); default: all the server shows.</summary>
        [Parameter(ParameterSetName = ServerSet)]
        [ValidateNotNullOrEmpty]
        public string? AppNamespace { get; set; }

        /// <summary>Read Application resources through the Kubernetes API with this kubeconfig file.</summary>
        [Parameter(ParameterSetName = KubeconfigSet, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string Kubeconfig { get; set; } = string.Empty;

        /// <summary>The kubeconfig context; default: its current-context.</summary>
        [Parameter(ParameterSetName = KubeconfigSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(KubeconfigContextCompleter))]
        public string? Context { get; set; }

        /// <summary>The namespace holding the Applications (where Argo CD runs).</summary>
        [Parameter(ParameterSetName = KubeconfigSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(KubeconfigNamespaceCompleter))]
        public string Namespace { get; set; } = ApplicationQuery.DefaultNamespace;

        /// <summary>ImageUpdater resources (Get-ArgoImageUpdater) that configure the Applications read, as Argo CD Image Updater v1 does.</summary>
        [Parameter(ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        public ImageUpdaterResource[]? ImageUpdater { get; set; }

        /// <summary>Paths from the pipeline are gathered, so that their files are parsed together on every core.</summary>
        protected override void ProcessRecord()
        {
            if (ParameterSetName == PathSet)
            {
                paths.AddRange(Path);
            }

            if (ImageUpdater is not null)
            {
                imageUpdaters.AddRange(ImageUpdater.Where(r => !imageUpdaters.Contains(r)));
            }
        }

        protected override void EndProcessing()
        {
            var block = ApplicationSourceParameters.FromBound(this);
            if (ParameterSetName == PathSet)
            {
                block.Path = paths.Distinct(StringComparer.Ordinal).ToArray();
            }

            block.ImageUpdater = imageUpdaters.Count == 0 ? null : imageUpdaters.ToArray();

            foreach (var app in block.Read(this, stopping.Token))
            {
                WriteTyped(app);
            }
        }

        protected override void StopProcessing() => stopping.Cancel();
    }
}
