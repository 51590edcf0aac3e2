using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace ImageUpdater.Core.Argo
{
    /// <summary>
    /// Applies ImageUpdater resources to Applications as upstream v1 does: a resource selects Applications of its own namespace;
    /// its references are tried from the most specific (<see cref="Specificity"/>) and the first whose name glob and label
    /// selector match configures the Application — with the reference's merged settings, or with the Application's own
    /// annotations when useAnnotations is true. An Application no resource selects is not updated (its annotations are ignored).
    /// </summary>
    public static class ImageUpdaterResolver
    {
        private static readonly Regex Sets = new Regex(@"\[.*?]", RegexOptions.CultureInvariant);

        /// <summary>
        /// The Applications the resources configure (in input order), with an error per resource that cannot be applied, a warning
        /// for each precedence decision a person should know of, and a verbose line per match.
        /// </summary>
        public static IEnumerable<ApplicationRead> Apply(IReadOnlyList<ImageUpdaterResource> resources, IReadOnlyList<ArgoApplication> applications)
        {
            var usable = new List<(ImageUpdaterResource Resource, List<(ApplicationRef Ref, GlobPattern Glob)> Refs)>();
            foreach (var resource in resources)
            {
                var refs = new List<(ApplicationRef, GlobPattern)>();
                string? bad = null;
                foreach (var reference in resource.ApplicationRefs)
                {
                    var glob = GlobPattern.TryParse(reference.NamePattern, out var problem);
                    if (glob is null)
                    {
                        bad = $"ImageUpdater '{resource.QualifiedName}': applicationRefs[{reference.Index}].namePattern '{reference.NamePattern}' is not a valid glob ({problem}); upstream refuses the whole resource, and so does the module.";
                        break;
                    }

                    refs.Add((reference, glob));
                }

                if (bad is not null)
                {
                    yield return ApplicationRead.Failed(new ImageUpdaterException("ImageUpdaterNamePatternInvalid", FailureKind.InvalidData, bad, resource.QualifiedName));
                    continue;
                }

                // Stable: references of equal specificity keep their order, as upstream's SortStableFunc does.
                usable.Add((resource, refs.Select((r, i) => (r, i)).OrderByDescending(x => Specificity(x.r.Item1)).ThenBy(x => x.i).Select(x => x.r).ToList()));
            }

            var matchedPerResource = usable.ToDictionary(u => u.Resource, _ => 0);
            foreach (var app in applications)
            {
                ArgoApplication? configured = null;
                string? by = null;
                foreach (var (resource, refs) in usable)
                {
                    if (!SameNamespace(resource.Namespace, app.Namespace))
                    {
                        continue;
                    }

                    var match = refs.FirstOrDefault(r => r.Glob.IsMatch(app.Name) && (r.Ref.LabelSelectors is null || r.Ref.LabelSelectors.Matches(app.Labels)));
                    if (match.Ref is null)
                    {
                        continue;
                    }

                    var reference = match.Ref;
                    var label = $"{resource.QualifiedName} applicationRefs[{reference.Index}] (namePattern '{reference.NamePattern}')";
                    matchedPerResource[resource]++;
                    if (configured is not null)
                    {
                        yield return ApplicationRead.Warning($"Application '{app.QualifiedName}' is also selected by ImageUpdater {label}; upstream would process it once per resource, the module uses the first, {by}.");
                        continue;
                    }

                    by = label;
                    if (reference.UseAnnotations)
                    {
                        yield return ApplicationRead.Verbose($"Application '{app.QualifiedName}' is selected by ImageUpdater {label} with useAnnotations: its own annotations configure it.");
                        configured = ApplicationMapper.Reconfigure(app, app.Annotations, label);
                        continue;
                    }

                    var derived = ImageUpdaterAnnotations.ForReference(resource, reference);
                    foreach (var refusal in derived.Refusals)
                    {
                        yield return ApplicationRead.Warning($"Application '{app.QualifiedName}' (ImageUpdater {label}): {refusal}.");
                    }

                    if (ImageUpdaterAnnotations.HasOwnAnnotations(app))
                    {
                        yield return ApplicationRead.Warning($"Application '{app.QualifiedName}' has image-updater annotations, but ImageUpdater {label} configures it without useAnnotations, so they are ignored (upstream precedence).");
                    }

                    yield return ApplicationRead.Verbose($"Application '{app.QualifiedName}' is configured by ImageUpdater {label}.");
                    configured = derived.Annotations.Count == 0 ? null : ApplicationMapper.Reconfigure(app, derived.Annotations, label);
                    if (configured is null)
                    {
                        by = null;
                    }
                }

                if (configured is not null)
                {
                    yield return ApplicationRead.Found(configured);
                }
                else if (by is null && ImageUpdaterAnnotations.HasOwnAnnotations(app) && usable.Count > 0)
                {
                    yield return ApplicationRead.Verbose($"Application '{app.QualifiedName}' has image-updater annotations but no ImageUpdater selects it; upstream v1 does not update it (add a reference with useAnnotations: true to keep its annotations).");
                }
            }

            foreach (var pair in matchedPerResource.Where(p => p.Value == 0))
            {
                yield return ApplicationRead.Warning($"ImageUpdater '{pair.Key.QualifiedName}' selects none of the {applications.Count} Application(s) read (namespace '{pair.Key.Namespace ?? ApplicationQuery.DefaultNamespace}').");
            }
        }

        /// <summary>Upstream's precedence score: an exact name wins, then more literal characters, then a label selector and its number of terms.</summary>
        public static int Specificity(ApplicationRef reference)
        {
            var score = GlobPattern.IsExact(reference.NamePattern) ? 1_000_000 : 0;
            var literals = Sets.Replace(reference.NamePattern, string.Empty).Replace("*", string.Empty).Replace("?", string.Empty);
            score += Encoding.UTF8.GetByteCount(literals);
            if (reference.LabelSelectors is not null)
            {
                score += 10_000 + (reference.LabelSelectors.MatchLabels.Count * 100) + (reference.LabelSelectors.MatchExpressions.Count * 100);
            }

            return score;
        }

        // A resource or Application without a namespace is in Argo CD's default namespace (files often leave it out).
        private static bool SameNamespace(string? resource, string? application) =>
            string.Equals(resource ?? ApplicationQuery.DefaultNamespace, application ?? ApplicationQuery.DefaultNamespace, StringComparison.Ordinal);
    }
}
