using System.Collections.Generic;
using System.Linq;
using ImageUpdater.Core.Annotations;

namespace ImageUpdater.Core.Argo
{
    /// <summary>
    /// Lints an ImageUpdater resource: the CRD's schema and CEL rules (<see cref="ImageUpdaterSchema"/>), then what the module and
    /// upstream would do with each reference (strategies, tag filters, constraints, write-back settings — the annotation
    /// parser's checks, reported at the field that set the value), name patterns, label selectors, and references that select
    /// no Application of those given. Each finding is an <see cref="AnnotationDiagnostic"/> whose Application is the resource
    /// (namespace/name) and whose Key is the field path.
    /// </summary>
    public static class ImageUpdaterCheck
    {
        /// <param name="applications">Applications to match references against; null = the "selects nothing" check is skipped.</param>
        public static IReadOnlyList<AnnotationDiagnostic> Check(ImageUpdaterResource resource, IReadOnlyList<ArgoApplication>? applications)
        {
            var found = new List<AnnotationDiagnostic>();
            var seen = new HashSet<string>();
            void Add(string path, DiagnosticSeverity severity, string message)
            {
                if (seen.Add(path + "\n" + message))
                {
                    found.Add(new AnnotationDiagnostic(resource.QualifiedName, path, severity, message));
                }
            }

            if (resource.Manifest is not null)
            {
                foreach (var (path, severity, message) in ImageUpdaterSchema.Check(resource.Manifest))
                {
                    Add(path, severity, message);
                }
            }

            foreach (var reference in resource.ApplicationRefs)
            {
                var at = $"spec.applicationRefs[{reference.Index}]";
                if (GlobPattern.TryParse(reference.NamePattern, out var globProblem) is null)
                {
                    Add(at + ".namePattern", DiagnosticSeverity.Error, $"'{reference.NamePattern}' is not a valid glob ({globProblem}); upstream refuses the whole resource.");
                }

                if (reference.LabelSelectors?.Problem() is { } selectorProblem)
                {
                    Add(at + ".labelSelectors", DiagnosticSeverity.Error, $"The label selector is invalid ({selectorProblem}), so it selects no Application.");
                }

                if (reference.UseAnnotations && (reference.Images.Count > 0 || reference.CommonUpdateSettings is not null || reference.WriteBackConfig is not null))
                {
                    Add(at + ".useAnnotations", DiagnosticSeverity.Warning, "useAnnotations is true, so this reference's images, commonUpdateSettings and writeBackConfig are ignored.");
                }

                if (!reference.UseAnnotations)
                {
                    CheckSettings(resource, reference, at, Add);
                }

                if (applications is not null && !Selects(resource, reference, applications))
                {
                    Add(at, DiagnosticSeverity.Warning, $"namePattern '{reference.NamePattern}'{(reference.LabelSelectors is null ? string.Empty : " with its label selector")} selects none of the {applications.Count} Application(s) in namespace '{resource.Namespace ?? ApplicationQuery.DefaultNamespace}'.");
                }
            }

            return found;
        }

        // The annotation form of the reference, parsed as an Application's annotations are; each finding is moved to the field that set it.
        private static void CheckSettings(ImageUpdaterResource resource, ApplicationRef reference, string at, System.Action<string, DiagnosticSeverity, string> add)
        {
            var derived = ImageUpdaterAnnotations.ForReference(resource, reference);
            foreach (var refusal in derived.Refusals)
            {
                add(at, DiagnosticSeverity.Warning, char.ToUpperInvariant(refusal[0]) + refusal.Substring(1) + ".");
            }

            if (derived.Annotations.Count == 0)
            {
                return;
            }

            foreach (var diagnostic in AnnotationParser.Parse(resource.Name, derived.Annotations).Diagnostics)
            {
                add(FieldOf(resource, reference, at, diagnostic.Key), diagnostic.Severity, diagnostic.Message);
            }
        }

        private static readonly Dictionary<string, string> Settings = new Dictionary<string, string>
        {
            [AnnotationKeys.UpdateStrategy] = "updateStrategy",
            [AnnotationKeys.AllowTags] = "allowTags",
            [AnnotationKeys.IgnoreTags] = "ignoreTags",
            [AnnotationKeys.ForceUpdate] = "forceUpdate",
            [AnnotationKeys.PullSecret] = "pullSecret",
            [AnnotationKeys.Platforms] = "platforms",
        };

        private static readonly Dictionary<string, string> Targets = new Dictionary<string, string>
        {
            [AnnotationKeys.HelmImageName] = "helm.name",
            [AnnotationKeys.HelmImageTag] = "helm.tag",
            [AnnotationKeys.HelmImageSpec] = "helm.spec",
            [AnnotationKeys.KustomizeImageName] = "kustomize.name",
        };

        private static readonly Dictionary<string, string> WriteBack = new Dictionary<string, string>
        {
            [AnnotationKeys.WriteBackMethod] = "method",
            [AnnotationKeys.WriteBackTarget] = "gitConfig.writeBackTarget",
            [AnnotationKeys.GitBranch] = "gitConfig.branch",
            [AnnotationKeys.GitRepository] = "gitConfig.repository",
        };

        /// <summary>The field an annotation key of the derived form came from: the most specific level that sets it.</summary>
        private static string FieldOf(ImageUpdaterResource resource, ApplicationRef reference, string at, string key)
        {
            if (key == AnnotationKeys.ImageList)
            {
                return at + ".images";
            }

            if (WriteBack.TryGetValue(key, out var writeBackField))
            {
                var local = reference.WriteBackConfig is { } w && (writeBackField == "method" ? w.Method : writeBackField == "gitConfig.branch" ? w.Branch : writeBackField == "gitConfig.repository" ? w.Repository : w.WriteBackTarget) is not null;
                return (local ? at : "spec") + ".writeBackConfig." + writeBackField;
            }

            var images = reference.Images.Select((image, index) => (image, index)).ToList();
            foreach (var (image, index) in images)
            {
                if (!key.StartsWith(image.Alias + ".", System.StringComparison.Ordinal))
                {
                    continue;
                }

                var option = key.Substring(image.Alias.Length + 1);
                var imageAt = $"{at}.images[{index}]";
                if (Targets.TryGetValue(option, out var target))
                {
                    return imageAt + ".manifestTargets." + target;
                }

                if (Settings.TryGetValue(option, out var field))
                {
                    if (Has(image.CommonUpdateSettings, field))
                    {
                        return imageAt + ".commonUpdateSettings." + field;
                    }

                    return (Has(reference.CommonUpdateSettings, field) ? at : "spec") + ".commonUpdateSettings." + field;
                }
            }

            return at;
        }

        private static bool Has(UpdateSettings? settings, string field) => settings is not null && field switch
        {
            "updateStrategy" => settings.UpdateStrategy is not null,
            "allowTags" => settings.AllowTags is not null,
            "ignoreTags" => settings.IgnoreTags is not null,
            "forceUpdate" => settings.ForceUpdate is not null,
            "pullSecret" => settings.PullSecret is not null,
            _ => settings.Platforms is not null,
        };

        private static bool Selects(ImageUpdaterResource resource, ApplicationRef reference, IReadOnlyList<ArgoApplication> applications)
        {
            var glob = GlobPattern.TryParse(reference.NamePattern, out _);
            return glob is not null && applications.Any(a =>
                string.Equals(a.Namespace ?? ApplicationQuery.DefaultNamespace, resource.Namespace ?? ApplicationQuery.DefaultNamespace, System.StringComparison.Ordinal)
                && glob.IsMatch(a.Name) && (reference.LabelSelectors is null || reference.LabelSelectors.Matches(a.Labels)));
        }
    }
}
