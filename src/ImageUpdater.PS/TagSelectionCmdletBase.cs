using System;
using System.Management.Automation;
using System.Threading.Tasks;
using ImageUpdater.Core;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Tags;
using ImageUpdater.PS.Completion;

namespace ImageUpdater.PS
{
    /// <summary>
    /// The tag-selection parameters of the cmdlets that look up one image given on the command line (the <see cref="ImageSet"/>
    /// parameter set), and their one mapping to <see cref="TagSelectionOptions"/>. Applications bring their own from annotations.
    /// </summary>
    public abstract class TagSelectionCmdletBase : RegistryCmdletBase
    {
        /// <summary>The parameter set of a single image or repository and these parameters.</summary>
        public const string ImageSet = "Image";

        private UpdateStrategy? strategy;

        [Parameter(ParameterSetName = ImageSet)]
        [ValidateUpdateStrategy]
        [ArgumentCompleter(typeof(UpdateStrategyCompleter))]
        public string UpdateStrategy { get; set; } = "semver";

        /// <summary>Semver constraint, or the tag to track for digest; default: the text after ':' in the image.</summary>
        [Parameter(ParameterSetName = ImageSet, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string? Constraint { get; set; }

        [Parameter(ParameterSetName = ImageSet)]
        [ValidateNotNullOrEmpty]
        public string? AllowTags { get; set; }

        [Parameter(ParameterSetName = ImageSet)]
        [ValidateNotNull]
        public string[] IgnoreTags { get; set; } = Array.Empty<string>();

        /// <summary>Platforms the image must be built for; for applications, images without a platforms annotation; default linux/amd64 (newest-build, digest); '*' = every platform.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(PlatformCompleter))]
        public string[]? Platform { get; set; }

        /// <summary>The selection for an image; as in an image-list entry, text after ':' is the constraint unless -Constraint says otherwise.</summary>
        protected TagSelectionOptions SelectionFor(ImageReference image)
        {
            // Parsed once: a deprecated name warns once, not per pipeline image.
            var parsed = strategy ??= ParseUpdateStrategy(UpdateStrategy);
            return new TagSelectionOptions
            {
                Strategy = parsed,
                Constraint = Constraint ?? image.Tag,
                AllowTags = AllowTags,
                IgnoreTags = IgnoreTags,
                // -Platform names this image's platforms, as a platforms annotation does; '*' or none leaves the run's default rule.
                Platforms = PlatformFilter.Effective(PlatformFilter.IsEvery(Platform) ? null : Platform, Platform, parsed),
            };
        }

        /// <summary>Plans one image of an application through the router; the returned action writes the candidate, or the failure naming both.</summary>
        protected async Task<Action> PlanAsync(ArgoApplication app, ImageSpec spec)
        {
            try
            {
                var candidate = await Router.PlannerFor(spec).PlanAsync(app, spec, StopToken).ConfigureAwait(false);
                return () =>
                {
                    ShowProgress(new ProgressRecord(1, MyInvocation.MyCommand.Name, $"{app.Name}: {spec.Image}"));
                    WriteVerbose($"{app.Name}: {spec.Image}: {candidate.Reason}");
                    WriteTyped(candidate);
                };
            }
            catch (ImageUpdaterException ex)
            {
                return () => WriteFailure(new ImageUpdaterException(ex.ErrorId, ex.Kind, $"{app.Name}: {spec.Image}: {ex.Message}", app, ex), app);
            }
        }
    }
}
