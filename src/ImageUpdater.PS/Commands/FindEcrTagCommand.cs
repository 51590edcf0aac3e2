using System;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using ImageUpdater.Core;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Images;
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
    [OutputType(typeof(ImageTag), ParameterSetName = new[] { ImageSet })]
    [OutputType(typeof(ImageUpdateCandidate), ParameterSetName = new[] { ApplicationSet })]
    public sealed class FindEcrTagCommand : TagSelectionCmdletBase
    {
        private const string ApplicationSet = "Application";
        private const string UndecidedSet = "Undecided";

        /// <summary>Repository name (<c>team/app</c>), or a full ECR image name (<c>123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app</c>).</summary>
        [Parameter(ParameterSetName = ImageSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("RepositoryName")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(EcrRepositoryCompleter))]
        public string Repository { get; set; } = string.Empty;

        /// <summary>The 12-digit account that owns the registry (default: the caller's).</summary>
        [Parameter(ParameterSetName = ImageSet, ValueFromPipelineByPropertyName = true)]
        [ValidatePattern("^[0-9]{12}$")]
        public string? RegistryId { get; set; }

        /// <summary>Only the best n tags (<c>-First 1</c> is the winner).</summary>
        [Parameter(ParameterSetName = ImageSet)]
        [ValidateRange(1, int.MaxValue)]
        public int First { get; set; } = int.MaxValue;

        /// <summary>Applications from Get-ArgoApplication: one candidate per ECR image of each.</summary>
        [Parameter(ParameterSetName = ApplicationSet, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ArgoApplication[] Application { get; set; } = Array.Empty<ArgoApplication>();

        protected override void ProcessRecord()
        {
            if (ParameterSetName == UndecidedSet)
            {
                ThrowFailure(new ImageUpdaterException("RepositoryOrApplicationMissing", FailureKind.InvalidArgument,
                    "Find-EcrTag needs -Repository <name>, or Applications from Get-ArgoApplication on the pipeline."));
            }

            if (ParameterSetName == ImageSet)
            {
                FindTags();
                return;
            }

            foreach (var app in Application)
            {
                foreach (var warning in app.KeyWarnings())
                {
                    WriteInOrder(() => WriteWarning(warning));
                }

                foreach (var spec in app.Images)
                {
                    if (!EcrHost.IsEcrHost(spec.Reference.EffectiveRegistry))
                    {
                        WriteInOrder(() =>
                            WriteWarning($"{app.Name}: {spec.Image} is not an Amazon ECR image (<account>.dkr.ecr.<region>.amazonaws.com/…); Find-EcrTag skips it."));
                        continue;
                    }

                    WriteInOrder(() => PlanAsync(app, spec));
                }
            }
        }

        private void FindTags()
        {
            var text = Repository.Trim();
            var registry = (string?)null;
            var repository = text;
            var slash = text.IndexOf('/');
            if (slash > 0 && EcrHost.TryParse(text.Substring(0, slash), out var host))
            {
                registry = host.Host;
                repository = text.Substring(slash + 1);
            }

            ImageReference image;
            try
            {
                if (registry is null && RegistryId is not null)
                {
                    // -RegistryId names the account; the region comes from -Region, the environment or the profile.
                    registry = Router.EcrRegistryHost(RegistryId);
                }

                image = ImageReference.Parse(registry is null ? repository : registry + "/" + repository);
            }
            catch (ImageUpdaterException ex)
            {
                WriteFailure(ex, Repository);
                return;
            }
            catch (FormatException ex)
            {
                WriteFailure(new ImageUpdaterException("ImageReferenceInvalid", FailureKind.InvalidArgument, $"-Repository '{Repository}' is not a repository name: {ex.Message}", Repository, ex), Repository);
                return;
            }

            var options = SelectionFor(image);
            // A repository named without a host is the caller's own account: the ECR API, never the distribution API's default registry.
            var client = image.Registry is null ? Router.EcrApi : Router.ClientFor(image);
            var target = Repository;
            var first = First;
            WriteInOrder(async () =>
            {
                TagTestResult result;
                try
                {
                    result = await TagTest.RunAsync(client, image, options, StopToken).ConfigureAwait(false);
                }
                catch (ImageUpdaterException ex)
                {
                    return () => WriteFailure(ex, target);
                }

                return () =>
                {
                    WriteVerbose($"{image.Repository}: {result.Reason}");
                    if (result.WinnerTag is null)
                    {
                        WriteWarning($"{image.Repository}: no tag qualifies: {result.Reason}");
                    }

                    foreach (var tag in result.Qualified.Take(first))
                    {
                        WriteTyped(tag);
                    }
                };
            });
        }

        protected override void EndProcessing()
        {
            base.EndProcessing();
            WriteProgress(new ProgressRecord(1, "Find-EcrTag", "Done") { RecordType = ProgressRecordType.Completed });
        }
    }
}
