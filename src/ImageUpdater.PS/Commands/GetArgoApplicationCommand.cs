using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Collections.ObjectModel;
using System.Management.Automation;
using ImageUpdater.Core;
using ImageUpdater.Core.Argo;
using ImageUpdater.PS.Completion;

namespace ImageUpdater.PS.Commands
{
    /// <summary>Reads Argo CD Applications and their image-updater annotations.</summary>
    [Cmdlet(VerbsCommon.Get, "ArgoApplication", DefaultParameterSetName = ServerSet, HelpUri = HelpLinks.Docs + "Get-ArgoApplication.md")]
    [OutputType(typeof(ArgoApplication))]
    public sealed class GetArgoApplicationCommand : ArgoCmdletBase
    {
        private const string PathSet = "Path";
        private const string KubeconfigSet = "Kubeconfig";

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
        public string Namespace { get; set; } = "argocd";

        private WildcardPattern[]? namePatterns;

        protected override void BeginProcessing()
        {
            namePatterns = Name?.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToArray();
        }

        protected override void ProcessRecord()
        {
            switch (ParameterSetName)
            {
                case ServerSet:
                    ReadFromServer();
                    return;
                case KubeconfigSet:
                    ReadFromCluster();
                    return;
            }

            // Files are parsed on every core, and written here in their order (PowerShell output only from this thread).
            var files = ResolveFiles().ToList();
            var parsed = files.AsParallel().AsOrdered().WithDegreeOfParallelism(Math.Max(1, Math.Min(Environment.ProcessorCount, 8))).Select(ParseFile);
            foreach (var file in parsed)
            {
                WriteVerbose($"Reading Applications from '{file.Path}'.");
                foreach (var app in file.Applications)
                {
                    if (Matches(app))
                    {
                        WriteTyped(app);
                    }
                }

                foreach (var error in file.Errors)
                {
                    WriteFailure(error, file.Path);
                }
            }
        }

        private static ParsedFile ParseFile(string path)
        {
            var errors = new List<ImageUpdaterException>();
            try
            {
                return new ParsedFile(path, ApplicationManifestReader.ReadFile(path, errors.Add), errors);
            }
            catch (ImageUpdaterException ex)
            {
                errors.Add(ex);
                return new ParsedFile(path, Array.Empty<ArgoApplication>(), errors);
            }
        }

        private sealed class ParsedFile
        {
            public ParsedFile(string path, IReadOnlyList<ArgoApplication> applications, List<ImageUpdaterException> errors)
            {
                Path = path;
                Applications = applications;
                Errors = errors;
            }

            public string Path { get; }

            public IReadOnlyList<ArgoApplication> Applications { get; }

            public List<ImageUpdaterException> Errors { get; }
        }

        private bool Matches(ArgoApplication app) => namePatterns is null || namePatterns.Any(p => p.IsMatch(app.Name));

        /// <summary>Names without wildcards are fetched one by one; anything else is a listing filtered here.</summary>
        private bool ExactNames => Name is not null && Name.All(n => !WildcardPattern.ContainsWildcardCharacters(n));

        private void ReadFromServer()
        {
            ArgoCDConnection connection;
            try
            {
                connection = ResolveConnection();
            }
            catch (ImageUpdaterException ex)
            {
                ThrowFailure(ex);
                return;
            }

            using var client = new ArgoCDClient(connection);
            if (ExactNames)
            {
                var project = Project?.Length == 1 ? Project[0] : null;
                foreach (var name in Name!)
                {
                    WriteVerbose($"GET {connection.Server}api/v1/applications/{name}" + (project is null ? string.Empty : " in project " + project));
                    Emit(() => new[] { client.GetApplicationAsync(name, AppNamespace, project).GetAwaiter().GetResult() }, client.Origin, name);
                }

                return;
            }

            WriteVerbose($"GET {connection.Server}api/v1/applications" + Describe(("projects", Project is null ? null : string.Join(",", Project)), ("selector", Selector), ("appNamespace", AppNamespace)));
            Emit(() => client.ListApplicationsAsync(Project, Selector, AppNamespace).GetAwaiter().GetResult(), client.Origin, connection.Server.ToString());
        }

        private void ReadFromCluster()
        {
            KubernetesApplicationReader reader;
            try
            {
                reader = new KubernetesApplicationReader(GetUnresolvedProviderPathFromPSPath(Kubeconfig), Context);
            }
            catch (ImageUpdaterException ex)
            {
                ThrowFailure(ex, Kubeconfig);
                return;
            }

            using (reader)
            {
                if (ExactNames)
                {
                    foreach (var name in Name!)
                    {
                        WriteVerbose($"GET application {Namespace}/{name} from the Kubernetes API at {reader.Origin}.");
                        Emit(() => new[] { reader.GetAsync(Namespace, name).GetAwaiter().GetResult() }, reader.Origin, name);
                    }

                    return;
                }

                WriteVerbose($"LIST applications in namespace {Namespace} from the Kubernetes API at {reader.Origin}" + Describe(("labelSelector", Selector)));
                Emit(() => reader.ListAsync(Namespace, Selector).GetAwaiter().GetResult(), reader.Origin, Namespace);
            }
        }

        /// <summary>Maps and writes what one call returned; a failed call or a bad item is a non-terminating error.</summary>
        private void Emit(Func<IReadOnlyList<System.Text.Json.JsonElement>> call, string origin, string target)
        {
            IReadOnlyList<System.Text.Json.JsonElement> items;
            try
            {
                items = call();
            }
            catch (ImageUpdaterException ex)
            {
                WriteFailure(ex, target);
                return;
            }

            foreach (var item in items)
            {
                try
                {
                    var app = ApplicationJson.ToApplication(item, origin);
                    if (Matches(app) && (Project is null || Project.Contains(app.Project, StringComparer.Ordinal)))
                    {
                        WriteTyped(app);
                    }
                }
                catch (ImageUpdaterException ex)
                {
                    WriteFailure(ex, target);
                }
            }
        }

        private static string Describe(params (string Key, string? Value)[] filters)
        {
            var set = filters.Where(f => !string.IsNullOrEmpty(f.Value)).Select(f => f.Key + "=" + f.Value).ToList();
            return set.Count == 0 ? "." : " (" + string.Join(", ", set) + ").";
        }

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
