using System;
using System.Collections.Generic;
using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.WriteBack;

namespace ImageUpdater.Core.Argo
{
    /// <summary>What an Application source renders, as far as image write-back cares.</summary>
    public enum SourceKind
    {
        Helm,
        Kustomize,
    }

    /// <summary>
    /// The one rule for which source an application's image-updater annotations point at; both write-back methods use it
    /// (git: the source path the target is resolved against; argocd: the <c>spec.sources[i]</c> that is patched).
    /// </summary>
    public static class SourceSelector
    {
        /// <summary>
        /// A single source is chosen as it is. Among several, each step narrows the choice when something is left, then the first wins:
        /// sources whose repoURL is the git-repository annotation; sources with a Helm or Kustomize kind; sources of the kind the images'
        /// keys ask for (helm.* or kustomize.image-name, when all images agree); sources already carrying an image's parameter or images entry.
        /// Upstream takes the first source with a helm or kustomize block.
        /// </summary>
        public static ApplicationSource? Choose(ArgoApplication application)
        {
            var sources = application.Sources;
            if (sources.Count <= 1)
            {
                return sources.FirstOrDefault();
            }

            var pool = sources.ToList();
            var repository = application.WriteBack.Repository;
            if (!string.IsNullOrEmpty(repository))
            {
                pool = Prefer(pool, s => RepositoryUrl.Same(s.RepoUrl, repository));
            }

            pool = Prefer(pool, s => KindOf(s) is not null);
            var wanted = application.Images.Select(WantedKind).Where(k => k is not null).Distinct().ToList();
            if (wanted.Count == 1)
            {
                pool = Prefer(pool, s => KindOf(s) == wanted[0]);
            }

            pool = Prefer(pool, s => application.Images.Any(i => Carries(s, i)));
            return pool[0];
        }

        /// <summary>
        /// What Argo CD reports (status.sourceType: Helm or Kustomize) when it reports it, as upstream's getApplicationType;
        /// else Helm for a helm block or a chart, Kustomize for a kustomize block; else null.
        /// </summary>
        public static SourceKind? KindOf(ApplicationSource source)
        {
            if (string.Equals(source.SourceType, "Helm", StringComparison.OrdinalIgnoreCase))
            {
                return SourceKind.Helm;
            }

            if (string.Equals(source.SourceType, "Kustomize", StringComparison.OrdinalIgnoreCase))
            {
                return SourceKind.Kustomize;
            }

            if (!string.IsNullOrEmpty(source.SourceType) && !source.IsHelm && !source.IsKustomize)
            {
                return null;
            }

            return source.IsHelm ? SourceKind.Helm : source.IsKustomize ? SourceKind.Kustomize : null;
        }

        /// <summary>
        /// Why the application's images cannot be written into its source's parameters, or null: Argo CD reports the annotated source as
        /// Directory or Plugin (upstream: "unsupported application type"). A helmvalues: or kustomization: git target names its own format and is not refused.
        /// </summary>
        public static string? UnsupportedType(ArgoApplication application)
        {
            var kind = application.WriteBack.Target.Kind;
            if (application.WriteBack.Method == WriteBackMethod.Git && (kind == WriteBackTargetKind.HelmValues || kind == WriteBackTargetKind.Kustomization))
            {
                return null;
            }

            var source = application.AnnotatedSource;
            if (source is null || string.IsNullOrEmpty(source.SourceType) || KindOf(source) is not null)
            {
                return null;
            }

            return $"unsupported application type: Argo CD reports the source{(source.Index >= 0 ? $" spec.sources[{source.Index}]" : string.Empty)} of application '{application.QualifiedName}' as {source.SourceType}, and only Helm and Kustomize sources take image parameters. Use the git write-back method with a helmvalues: or kustomization: target";
        }

        /// <summary>The kind an image's annotations ask for: Helm when a helm.* key is set, Kustomize when kustomize.image-name is, else null.</summary>
        public static SourceKind? WantedKind(ImageSpec spec) =>
            !string.IsNullOrEmpty(spec.HelmImageName) || !string.IsNullOrEmpty(spec.HelmImageTag) || !string.IsNullOrEmpty(spec.HelmImageSpec)
                ? SourceKind.Helm
                : !string.IsNullOrEmpty(spec.KustomizeImageName) ? SourceKind.Kustomize : null;

        /// <summary>True when the source already has the image's Helm parameter or a kustomize images entry for it.</summary>
        public static bool Carries(ApplicationSource source, ImageSpec spec)
        {
            var keys = HelmImageKeys.For(spec);
            var names = keys.Spec is null ? new[] { keys.Name, keys.Tag } : new[] { keys.Spec };
            if (source.HelmParameters.Any(p => names.Contains(p.Name)))
            {
                return true;
            }

            var image = spec.KustomizeImageName ?? spec.Image;
            return source.KustomizeImages.Any(e => KustomizeImageEntry.Parse(e).Matches(image));
        }

        private static List<ApplicationSource> Prefer(List<ApplicationSource> pool, Func<ApplicationSource, bool> test)
        {
            var narrowed = pool.Where(test).ToList();
            return narrowed.Count > 0 ? narrowed : pool;
        }
    }
}
