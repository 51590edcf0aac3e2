using System.Collections.Generic;
using System.Linq;
using ImageUpdater.Core.Annotations;

namespace ImageUpdater.Core.Argo
{
    /// <summary>The annotations an ImageUpdater reference stands for, and what of it the module cannot carry out.</summary>
    public sealed class ReferenceAnnotations
    {
        public ReferenceAnnotations(IReadOnlyDictionary<string, string> annotations, IReadOnlyList<string> refusals)
        {
            Annotations = annotations;
            Refusals = refusals;
        }

        /// <summary>Full annotation keys (with the prefix) and values; empty when nothing is left to update.</summary>
        public IReadOnlyDictionary<string, string> Annotations { get; }

        /// <summary>Images or settings left out because the module cannot honour them (pull requests, signature verification, plugin targets).</summary>
        public IReadOnlyList<string> Refusals { get; }
    }

    /// <summary>
    /// The one mapping between ImageUpdater fields and annotation keys. A reference's settings are merged as upstream merges them
    /// (spec → applicationRef → image, field by field; writeBackConfig spec → applicationRef) and written as per-image keys, so
    /// that the annotation parser produces the ImageSpecs and WriteBackSpec the run engine already uses.
    /// </summary>
    public static class ImageUpdaterAnnotations
    {
        public static ReferenceAnnotations ForReference(ImageUpdaterResource resource, ApplicationRef reference)
        {
            var refusals = new List<string>();
            var annotations = new Dictionary<string, string>();
            var writeBack = WriteBackConfig.Merge(resource.WriteBackConfig, reference.WriteBackConfig);
            var pullRequest = writeBack.PullRequest is not null && IsGit(writeBack.Method);
            if (pullRequest && writeBack.PullRequestLabels is { Count: > 0 } labels)
            {
                refusals.Add($"writeBackConfig.gitConfig.pullRequest.labels ({string.Join(", ", labels)}) are not applied to the pull request; it is opened without labels");
            }

            var referenceSettings = UpdateSettings.Merge(resource.CommonUpdateSettings, reference.CommonUpdateSettings);
            var referenceVerification = reference.ImagesVerification ?? resource.ImagesVerification;
            var entries = new List<string>();
            foreach (var image in reference.Images)
            {
                if (image.Plugin)
                {
                    refusals.Add($"image '{image.Alias}' has a plugin manifest target (plugin environment variables), which the module does not write; the image is skipped");
                    continue;
                }

                if ((image.ImagesVerification ?? referenceVerification) == true)
                {
                    refusals.Add($"image '{image.Alias}' requires signature verification (imagesVerification), which the module cannot do; the image is skipped rather than updated unverified");
                    continue;
                }

                entries.Add(image.Alias + "=" + image.ImageName);
                var settings = UpdateSettings.Merge(referenceSettings, image.CommonUpdateSettings);
                void Put(string option, string? value)
                {
                    if (value is not null)
                    {
                        annotations[AnnotationKeys.Prefix + image.Alias + "." + option] = value;
                    }
                }

                Put(AnnotationKeys.UpdateStrategy, settings.UpdateStrategy);
                Put(AnnotationKeys.AllowTags, settings.AllowTags);
                Put(AnnotationKeys.IgnoreTags, settings.IgnoreTags is null ? null : string.Join(",", settings.IgnoreTags));
                Put(AnnotationKeys.ForceUpdate, settings.ForceUpdate is null ? null : settings.ForceUpdate.Value ? "true" : "false");
                Put(AnnotationKeys.PullSecret, settings.PullSecret);
                Put(AnnotationKeys.Platforms, settings.Platforms is null ? null : string.Join(",", settings.Platforms));
                Put(AnnotationKeys.HelmImageName, image.HelmName);
                Put(AnnotationKeys.HelmImageTag, image.HelmTag);
                Put(AnnotationKeys.HelmImageSpec, image.HelmSpec);
                Put(AnnotationKeys.KustomizeImageName, image.KustomizeName);
            }

            if (entries.Count == 0)
            {
                return new ReferenceAnnotations(new Dictionary<string, string>(), refusals);
            }

            var result = new Dictionary<string, string> { [AnnotationKeys.Prefix + AnnotationKeys.ImageList] = string.Join(",", entries) };
            void PutApp(string key, string? value)
            {
                if (value is not null)
                {
                    result[AnnotationKeys.Prefix + key] = value;
                }
            }

            PutApp(AnnotationKeys.WriteBackMethod, writeBack.Method?.Trim());
            PutApp(AnnotationKeys.WriteBackTarget, writeBack.WriteBackTarget);
            PutApp(AnnotationKeys.GitBranch, writeBack.Branch);
            PutApp(AnnotationKeys.GitRepository, writeBack.Repository);
            PutApp(AnnotationKeys.GitPullRequest, pullRequest ? "true" : null);
            foreach (var pair in annotations)
            {
                result[pair.Key] = pair.Value;
            }

            return new ReferenceAnnotations(result, refusals);
        }

        /// <summary>True when the Application has any image-updater annotation of its own.</summary>
        public static bool HasOwnAnnotations(ArgoApplication app) => app.Annotations.Keys.Any(k => k.StartsWith(AnnotationKeys.Prefix, System.StringComparison.Ordinal));

        private static bool IsGit(string? method) => method is not null && (method.Trim() == "git" || method.Trim().StartsWith("git:", System.StringComparison.Ordinal));
    }
}
