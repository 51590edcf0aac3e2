using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Registries.Ecr;
using ImageUpdater.Core.Tags;
using ImageUpdater.Core.Updating;
using ImageUpdater.PS.Completion;

namespace ImageUpdater.PS.Commands
{
    /// <summary>Finds the newest allowed tags of an Amazon ECR repository, or the update candidates of Argo CD Applications' ECR images.</summary>
    // A default set that names neither real set keeps the choice open until the pipeline object arrives: Applications bind by value, repository objects by property name.
    [Cmdlet(VerbsCommon.Find, "EcrTag", DefaultParameterSetName = UndecidedSet, HelpUri = HelpLinks.Docs + "Find-EcrTag.md")]
    [OutputType(typeof(ImageTag), ParameterSetName = new[] { RepositorySet })]
    [OutputType(typeof(ImageUpdateCandidate), ParameterSetName = new[] { ApplicationSet })]
    public sealed class FindEcrTagCommand : AwsCmdletBase
    {
        private const string RepositorySet = "Repository";
        private const string ApplicationSet = "Application";
        private const string UndecidedSet = "Undecided";

        private readonly CancellationTokenSource stopping = new CancellationTokenSource();
        private EcrRegistryClient? ecr;
        private CachingRegistryClient? cached;
        private ImageUpdatePlanner? planner;

        /// <summary>Repository name (<c>team/app</c>), or a full ECR image name (<c>123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app</c>).</summary>
        [Parameter(ParameterSetName = RepositorySet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("RepositoryName")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(EcrRepositoryCompleter))]
        public string Repository { get; set; } = string.Empty;

        /// <summary>The 12-digit account that owns the registry (default: the caller's).</summary>
        [Parameter(ParameterSetName = RepositorySet, ValueFromPipelineByPropertyName = true)]
        [ValidatePattern("^[0-9]{12}$")]
        public string? RegistryId { get; set; }

        [Parameter(ParameterSetName = RepositorySet)]
        [ValidateUpdateStrategy]
        [ArgumentCompleter(typeof(UpdateStrategyCompleter))]
        public string UpdateStrategy { get; set; } = "semver";

        [Parameter(ParameterSetName = RepositorySet, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string? Constraint { get; set; }

        [Parameter(ParameterSetName = RepositorySet)]
        [ValidateNotNullOrEmpty]
        public string? AllowTags { get; set; }

        [Parameter(ParameterSetName = RepositorySet)]
        [ValidateNotNull]
        public string[] IgnoreTags { get; set; } = Array.Empty<string>();

        [Parameter(ParameterSetName = RepositorySet)]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(PlatformCompleter))]
        public string[] Platform { get; set; } = Array.Empty<string>();

        /// <summary>Only the best n tags (<c>-First 1</c> is the winner).</summary>
        [Parameter(ParameterSetName = RepositorySet)]
        [ValidateRange(1, int.MaxValue)]
        public int First { get; set; } = int.MaxValue;

        /// <summary>Applications from Get-ArgoApplication: one candidate per ECR image of each.</summary>
        [Parameter(ParameterSetName = ApplicationSet, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ArgoApplication[] Application { get; set; } = Array.Empty<ArgoApplication>();

        protected override void BeginProcessing()
        {
            ecr = new EcrRegistryClient(GetAwsOptions()) { Log = QueueVerbose };
            cached = new CachingRegistryClient(ecr);
            planner = new ImageUpdatePlanner(cached);
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == UndecidedSet)
            {
                ThrowFailure(new ImageUpdaterException("RepositoryOrApplicationMissing", FailureKind.InvalidArgument,
                    "Find-EcrTag needs -Repository <name>, or Applications from Get-ArgoApplication on the pipeline."));
            }

            if (ParameterSetName == RepositorySet)
            {
                FindTags();
                return;
            }

            foreach (var app in Application)
            {
                var images = app.Images.ToList();
                for (var i = 0; i < images.Count; i++)
                {
                    var spec = images[i];
                    if (!planner!.Handles(spec))
                    {
                        WriteWarning($"{app.Name}: {spec.Image} is not an Amazon ECR image (<account>.dkr.ecr.<region>.amazonaws.com/…); Find-EcrTag skips it.");
                        continue;
                    }

                    WriteProgress(new ProgressRecord(1, "Find-EcrTag", $"{app.Name}: {spec.Image}") { PercentComplete = 100 * i / images.Count });
                    try
                    {
                        var candidate = Await(planner.PlanAsync(app, spec, stopping.Token));
                        WriteVerbose($"{app.Name}: {spec.Image}: {candidate.Reason}");
                        WriteTyped(candidate);
                    }
                    catch (ImageUpdaterException ex)
                    {
                        FlushVerbose();
                        WriteFailure(new ImageUpdaterException(ex.ErrorId, ex.Kind, $"{app.Name}: {spec.Image}: {ex.Message}", app, ex), app);
                    }
                }
            }
        }

        private void FindTags()
        {
            var registry = (string?)null;
            var repository = Repository.Trim();
            var slash = repository.IndexOf('/');
            if (slash > 0 && EcrHost.TryParse(repository.Substring(0, slash), out var host))
            {
                registry = host.Host;
                repository = repository.Substring(slash + 1);
            }

            var strategy = ParseUpdateStrategy(UpdateStrategy);

            IReadOnlyList<ImageTag> tags;
            try
            {
                if (registry is null && RegistryId is not null)
                {
                    // -RegistryId names the account; the region comes from -Region, the environment or the profile.
                    registry = EcrHost.RegistryHost(RegistryId, ecr!.ClientFor(null).Region);
                }

                var pages = 0;
                ecr!.OnPage = (_, page) => Volatile.Write(ref pages, page);
                var progress = new ProgressRecord(1, "Find-EcrTag", $"Listing {repository}");
                WriteProgress(progress);
                tags = Await(cached!.ListTagsAsync(registry, repository, new TagListOptions { Platforms = Platform }, stopping.Token), () =>
                {
                    progress.StatusDescription = $"Listing {repository}: {Volatile.Read(ref pages)} DescribeImages page(s) of up to 1000 images read";
                    WriteProgress(progress);
                });
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }
            catch (ImageUpdaterException ex)
            {
                FlushVerbose();
                WriteFailure(ex, Repository);
                return;
            }

            TagSelectionResult result;
            try
            {
                result = ImageUpdatePlanner.DefaultSelect(tags, new TagSelectionOptions
                {
                    Strategy = strategy,
                    Constraint = Constraint,
                    AllowTags = AllowTags,
                    IgnoreTags = IgnoreTags,
                    Platforms = Platform,
                });
            }
            catch (ImageUpdaterException ex)
            {
                WriteFailure(ex, Constraint);
                return;
            }

            WriteVerbose($"{repository}: {result.Reason}");
            if (result.Winner is null)
            {
                WriteWarning($"{repository}: no tag qualifies: {result.Reason}");
            }

            foreach (var tag in result.Ordered.Take(First))
            {
                WriteTyped(tag);
            }
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName == ApplicationSet)
            {
                WriteProgress(new ProgressRecord(1, "Find-EcrTag", "Done") { RecordType = ProgressRecordType.Completed });
            }

            if (ecr is not null)
            {
                var counts = ecr.Requests;
                if (counts.Count > 0)
                {
                    WriteVerbose("ECR requests: " + string.Join(", ", counts.OrderBy(c => c.Key).Select(c => c.Key + " " + c.Value)) + (ecr.Retries > 0 ? $" ({ecr.Retries} retried)" : string.Empty));
                }
            }

            ecr?.Dispose();
        }

        protected override void StopProcessing() => stopping.Cancel();
    }
}
