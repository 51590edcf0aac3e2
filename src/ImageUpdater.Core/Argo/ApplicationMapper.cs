using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using ImageUpdater.Core.Annotations;

namespace ImageUpdater.Core.Argo
{
    /// <summary>Maps an Application object tree (from a YAML file, the Argo CD API or the Kubernetes API) to <see cref="ArgoApplication"/>.</summary>
    public static class ApplicationMapper
    {
        /// <summary>True when the tree is an Argo CD Application manifest (kind Application, apiVersion argoproj.io/*).</summary>
        public static bool IsApplication(IDictionary<string, object?> manifest) =>
            ObjectTree.Text(manifest, "kind") == "Application"
            && (ObjectTree.Text(manifest, "apiVersion") ?? string.Empty).StartsWith("argoproj.io/", StringComparison.Ordinal);

        /// <summary>
        /// The paths <see cref="FromObject"/> and <see cref="IsApplication"/> read: manifest files are built only this far (issue 22),
        /// so a path read here must be listed too (ApplicationReaderDifferentialTests records every look-up to check it).
        /// </summary>
        internal static readonly Yaml.YamlKeep Fields = Yaml.YamlKeep.Paths(
            "kind", "apiVersion",
            "metadata.name", "metadata.namespace", "metadata.annotations", "metadata.labels", "metadata.resourceVersion",
            "spec.project", "spec.source", "spec.sources",
            "status.summary.images", "status.sourceTypes", "status.sourceType");

        // DNS-1123 subdomain (names) and label (namespaces), as Kubernetes validates them: names end up in file paths, branches and commits.
        private static readonly Regex Subdomain = new Regex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\z", RegexOptions.CultureInvariant);
        private static readonly Regex Label = new Regex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\z", RegexOptions.CultureInvariant);

        /// <summary>Maps an Application as the Argo CD or Kubernetes API returns it (JSON).</summary>
        public static ArgoApplication FromJson(JsonElement item, string origin)
        {
            if (ObjectTree.FromJson(item) is not IDictionary<string, object?> tree)
            {
                throw new ImageUpdaterException("ArgoCDInvalidAnswer", FailureKind.InvalidData, $"{origin} returned an Application that is not a JSON object.", origin);
            }

            return FromObject(tree, origin);
        }

        public static ArgoApplication FromObject(IDictionary<string, object?> manifest, string origin)
        {
            var name = ObjectTree.Text(manifest, "metadata.name");
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ImageUpdaterException("ApplicationWithoutName", FailureKind.InvalidData, $"{origin}: an Application has no metadata.name.", origin);
            }

            if (!IsName(name!))
            {
                throw new ImageUpdaterException("ApplicationNameInvalid", FailureKind.InvalidData,
                    $"{origin}: the Application name '{Printable(name!)}' is not a valid Kubernetes name (lower-case letters, digits, '-' and '.', at most 253 characters, starting and ending with a letter or digit); it is refused.", origin);
            }

            var ns = ObjectTree.Text(manifest, "metadata.namespace");
            if (ns is not null && !IsNamespace(ns))
            {
                throw new ImageUpdaterException("ApplicationNamespaceInvalid", FailureKind.InvalidData,
                    $"{origin}: the namespace '{Printable(ns)}' of Application '{name}' is not a valid Kubernetes namespace (lower-case letters, digits and '-', at most 63 characters, starting and ending with a letter or digit); it is refused.", origin);
            }

            var annotations = ObjectTree.StringMap(ObjectTree.Get(manifest, "metadata.annotations"));
            var app = new ArgoApplication(name!)
            {
                Namespace = ns,
                Project = ObjectTree.Text(manifest, "spec.project"),
                Annotations = annotations,
                Labels = ObjectTree.StringMap(ObjectTree.Get(manifest, "metadata.labels")),
                ResourceVersion = ObjectTree.Text(manifest, "metadata.resourceVersion"),
                Origin = origin,
            };

            var sources = new List<ApplicationSource>();
            if (ObjectTree.List(manifest, "spec.sources") is { } many)
            {
                app.IsMultiSource = true;
                for (var i = 0; i < many.Count; i++)
                {
                    sources.Add(MapSource(many[i], i));
                }
            }
            else if (ObjectTree.Map(manifest, "spec.source") is { } single)
            {
                sources.Add(MapSource(single, -1));
            }

            app.Sources = sources;

            if (ObjectTree.Get(manifest, "status") is IDictionary<string, object?> status)
            {
                app.LiveImages = (ObjectTree.List(status, "summary.images") ?? new List<object?>()).OfType<string>().ToArray();
                var types = app.IsMultiSource ? ObjectTree.List(status, "sourceTypes") : null;
                for (var i = 0; i < sources.Count; i++)
                {
                    sources[i].SourceType = app.IsMultiSource ? (types is not null && i < types.Count ? types[i] as string : null) : ObjectTree.Text(status, "sourceType");
                }
            }

            ApplyAnnotations(app);
            return app;
        }

        /// <summary>
        /// A copy of an Application configured by other annotations (the annotation form of an ImageUpdater's settings), parsed
        /// and checked exactly as an Application's own; <paramref name="configuredBy"/> says which resource configured it.
        /// </summary>
        public static ArgoApplication Reconfigure(ArgoApplication app, IReadOnlyDictionary<string, string> annotations, string configuredBy)
        {
            var copy = new ArgoApplication(app.Name)
            {
                Namespace = app.Namespace,
                Project = app.Project,
                Annotations = annotations,
                Labels = app.Labels,
                Sources = app.Sources,
                IsMultiSource = app.IsMultiSource,
                LiveImages = app.LiveImages,
                Origin = app.Origin,
                ResourceVersion = app.ResourceVersion,
                ConfiguredBy = configuredBy,
            };
            ApplyAnnotations(copy);
            return copy;
        }

        private static void ApplyAnnotations(ArgoApplication app)
        {
            var parsed = AnnotationParser.Parse(app.Name, app.Annotations);
            app.Images = parsed.Images;
            foreach (var spec in app.Images)
            {
                spec.ApplicationNamespace = app.Namespace;
            }

            app.WriteBack = parsed.WriteBack;
            app.AnnotatedSource = SourceSelector.Choose(app);
            var diagnostics = parsed.Diagnostics.ToList();
            diagnostics.AddRange(CheckAgainstSpec(app));
            app.Diagnostics = diagnostics;
        }

        /// <summary>A valid Application name: a DNS-1123 subdomain of at most 253 characters.</summary>
        public static bool IsName(string name) => name.Length <= 253 && Subdomain.IsMatch(name);

        /// <summary>A valid namespace: a DNS-1123 label of at most 63 characters.</summary>
        public static bool IsNamespace(string ns) => ns.Length <= 63 && Label.IsMatch(ns);

        // A refused name is shown escaped and cut short: it may hold line breaks or be very long.
        private static string Printable(string text)
        {
            var shown = text.Length > 80 ? text.Substring(0, 80) + "…" : text;
            return shown.Replace("\r", "\\r").Replace("\n", "\\n").Replace("\t", "\\t");
        }

        private static IEnumerable<AnnotationDiagnostic> CheckAgainstSpec(ArgoApplication app)
        {
            var target = app.WriteBack.Target;
            if (app.WriteBack.Method == WriteBackMethod.Git && target.Path is not null)
            {
                // The same source the git write-back resolves the target against.
                var source = app.AnnotatedSource;
                var relative = RepositoryPath.Resolve(target.RelativeTo(source?.Path), target.Path);
                if (relative is null)
                {
                    yield return new AnnotationDiagnostic(app.Name, AnnotationKeys.WriteBackTarget, DiagnosticSeverity.Error,
                        $"The target '{target}' leads outside the repository (source path '{source?.Path ?? "/"}'); write-back refuses it.");
                }
                else if (ProtectedPaths.Problem(relative) is { } protectedPath)
                {
                    yield return new AnnotationDiagnostic(app.Name, AnnotationKeys.WriteBackTarget, DiagnosticSeverity.Error,
                        $"The target '{target}' is refused: {protectedPath}; write-back edits it only if the operator allows it (-AllowProtectedPath).");
                }
            }

            if (app.Images.Count > 0 && SourceSelector.UnsupportedType(app) is { } unsupported)
            {
                yield return new AnnotationDiagnostic(app.Name, AnnotationKeys.WriteBackMethod, DiagnosticSeverity.Error, char.ToUpperInvariant(unsupported[0]) + unsupported.Substring(1) + ".");
            }

            foreach (var image in app.Images.Where(i => !string.IsNullOrEmpty(i.PullSecret)))
            {
                var key = app.Annotations.ContainsKey(AnnotationKeys.Prefix + image.KeyAlias + "." + AnnotationKeys.PullSecret)
                    ? image.KeyAlias + "." + AnnotationKeys.PullSecret : AnnotationKeys.PullSecret;
                if (Registries.CredentialSource.SyntaxProblem(image.PullSecret!) is { } invalid)
                {
                    yield return new AnnotationDiagnostic(app.Name, key, DiagnosticSeverity.Warning, invalid + " It is ignored: the registry's own credentials are used, as upstream does.");
                }
                else if (Registries.PullSecretPolicy.Default.AnnotationProblem(image.PullSecret!, app.Namespace) is { } problem)
                {
                    yield return new AnnotationDiagnostic(app.Name, key, DiagnosticSeverity.Error, problem + ".");
                }
            }

            if (app.Images.Count > 0 && app.Sources.Count > 0 && !app.Sources.Any(s => SourceSelector.KindOf(s) is not null) && SourceSelector.UnsupportedType(app) is null
                && target.Kind != WriteBackTargetKind.HelmValues && target.Kind != WriteBackTargetKind.Kustomization)
            {
                yield return new AnnotationDiagnostic(app.Name, AnnotationKeys.ImageList, DiagnosticSeverity.Warning,
                    "No source has a helm or kustomize block, so Argo CD Image Updater skips this application (unsupported source type) unless write-back-target names helmvalues or kustomization.");
            }
        }

        private static ApplicationSource MapSource(object? node, int index)
        {
            var source = new ApplicationSource
            {
                Index = index,
                RepoUrl = ObjectTree.Text(node, "repoURL"),
                Path = ObjectTree.Text(node, "path"),
                TargetRevision = ObjectTree.Text(node, "targetRevision"),
                Chart = ObjectTree.Text(node, "chart"),
                Ref = ObjectTree.Text(node, "ref"),
            };

            var helm = ObjectTree.Map(node, "helm");
            source.IsHelm = helm is not null || source.Chart is not null;
            if (helm is not null)
            {
                source.HelmValueFiles = (ObjectTree.List(helm, "valueFiles") ?? new List<object?>()).OfType<string>().ToArray();
                source.HelmParameters = (ObjectTree.List(helm, "parameters") ?? new List<object?>())
                    .Select(p => new HelmParameter(ObjectTree.Text(p, "name") ?? string.Empty, ObjectTree.Text(p, "value"), ObjectTree.Text(p, "forceString") == "true"))
                    .Where(p => p.Name.Length > 0)
                    .ToArray();
            }

            var kustomize = ObjectTree.Get(node, "kustomize");
            source.IsKustomize = node is IDictionary<string, object?> map && map.ContainsKey("kustomize");
            if (kustomize is IDictionary<string, object?>)
            {
                source.KustomizeImages = (ObjectTree.List(kustomize, "images") ?? new List<object?>()).OfType<string>().ToArray();
            }

            return source;
        }
    }
}
