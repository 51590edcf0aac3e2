using System;
using System.Collections.Generic;
using System.Linq;
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

        public static ArgoApplication FromObject(IDictionary<string, object?> manifest, string origin)
        {
            var name = ObjectTree.Text(manifest, "metadata.name");
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ImageUpdaterException("ApplicationWithoutName", FailureKind.InvalidData, $"{origin}: an Application has no metadata.name.", origin);
            }

            var annotations = ObjectTree.StringMap(ObjectTree.Get(manifest, "metadata.annotations"));
            var app = new ArgoApplication(name!)
            {
                Namespace = ObjectTree.Text(manifest, "metadata.namespace"),
                Project = ObjectTree.Text(manifest, "spec.project"),
                Annotations = annotations,
                Labels = ObjectTree.StringMap(ObjectTree.Get(manifest, "metadata.labels")),
                ResourceVersion = ObjectTree.Text(manifest, "metadata.resourceVersion"),
                Origin = origin,
                Raw = manifest,
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
            }

            var parsed = AnnotationParser.Parse(name!, annotations);
            app.Images = parsed.Images;
            app.WriteBack = parsed.WriteBack;
            var diagnostics = parsed.Diagnostics.ToList();
            diagnostics.AddRange(CheckAgainstSpec(app));
            app.Diagnostics = diagnostics;
            return app;
        }

        private static IEnumerable<AnnotationDiagnostic> CheckAgainstSpec(ArgoApplication app)
        {
            var target = app.WriteBack.Target;
            if (app.WriteBack.Method == WriteBackMethod.Git && target.Path is not null)
            {
                // The same source the git write-back resolves the target against.
                var source = WriteBack.GitTarget.AnnotatedSource(app);
                if (RepositoryPath.Resolve(source?.Path, target.Path) is null)
                {
                    yield return new AnnotationDiagnostic(app.Name, AnnotationKeys.WriteBackTarget, DiagnosticSeverity.Error,
                        $"The target '{target}' leads outside the repository (source path '{source?.Path ?? "/"}'); write-back refuses it.");
                }
                else if (ProtectedPaths.Problem(RepositoryPath.Resolve(source?.Path, target.Path)!) is { } protectedPath)
                {
                    yield return new AnnotationDiagnostic(app.Name, AnnotationKeys.WriteBackTarget, DiagnosticSeverity.Error,
                        $"The target '{target}' is refused: {protectedPath}; write-back edits it only if the operator allows it (-AllowProtectedPath).");
                }
            }

            foreach (var image in app.Images.Where(i => !string.IsNullOrEmpty(i.PullSecret)))
            {
                if (Registries.PullSecretPolicy.Default.AnnotationProblem(image.PullSecret!, app.Namespace) is { } problem)
                {
                    var key = image.KeyAlias is not null && app.Annotations.ContainsKey(AnnotationKeys.Prefix + image.KeyAlias + "." + AnnotationKeys.PullSecret)
                        ? image.KeyAlias + "." + AnnotationKeys.PullSecret : AnnotationKeys.PullSecret;
                    yield return new AnnotationDiagnostic(app.Name, key, DiagnosticSeverity.Error, problem + ".");
                }
            }

            if (app.Images.Count > 0 && app.Sources.Count > 0 && !app.Sources.Any(s => s.IsHelm || s.IsKustomize)
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
