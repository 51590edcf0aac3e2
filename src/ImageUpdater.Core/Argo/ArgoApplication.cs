using System;
using System.Collections.Generic;
using System.Linq;
using ImageUpdater.Core.Annotations;

namespace ImageUpdater.Core.Argo
{
    /// <summary>A Helm parameter of an Application source (<c>spec.source.helm.parameters[]</c>).</summary>
    public sealed class HelmParameter
    {
        public HelmParameter(string name, string? value, bool forceString)
        {
            Name = name;
            Value = value;
            ForceString = forceString;
        }

        public string Name { get; }

        public string? Value { get; }

        public bool ForceString { get; }

        public override string ToString() => Name + "=" + Value;
    }

    /// <summary>One source of an Application (<c>spec.source</c> or an entry of <c>spec.sources</c>).</summary>
    public sealed class ApplicationSource
    {
        public string? RepoUrl { get; set; }

        public string? Path { get; set; }

        public string? TargetRevision { get; set; }

        public string? Chart { get; set; }

        public string? Ref { get; set; }

        /// <summary>True when the source has a <c>helm</c> block or a chart.</summary>
        public bool IsHelm { get; set; }

        /// <summary>True when the source has a <c>kustomize</c> block.</summary>
        public bool IsKustomize { get; set; }

        /// <summary>What Argo CD says the source renders as (<c>status.sourceType</c> or <c>status.sourceTypes[i]</c>: Helm, Kustomize, Directory…), or null.</summary>
        public string? SourceType { get; set; }

        public IReadOnlyList<string> HelmValueFiles { get; set; } = Array.Empty<string>();

        public IReadOnlyList<HelmParameter> HelmParameters { get; set; } = Array.Empty<HelmParameter>();

        /// <summary>Kustomize image overrides as written (<c>name=new:tag</c>, <c>name:tag</c>).</summary>
        public IReadOnlyList<string> KustomizeImages { get; set; } = Array.Empty<string>();

        /// <summary>Position in <c>spec.sources</c>, or -1 for <c>spec.source</c>.</summary>
        public int Index { get; set; } = -1;

        /// <summary>The repoURL as shown (views, messages): user information and token parameters masked.</summary>
        public string? ShownRepoUrl() => Security.UrlRedaction.Redact(RepoUrl);

        public override string ToString() => (ShownRepoUrl() ?? "?") + (Path is null ? string.Empty : " " + Path) + (Chart is null ? string.Empty : " chart " + Chart) + (TargetRevision is null ? string.Empty : "@" + TargetRevision);
    }

    /// <summary>An Argo CD Application with its image-updater annotations parsed (PSTypeName ImageUpdater.ArgoApplication).</summary>
    public sealed class ArgoApplication
    {
        private ApplicationSource? annotatedSource;

        public ArgoApplication(string name)
        {
            Name = name;
        }

        public string Name { get; }

        public string? Namespace { get; set; }

        public string? Project { get; set; }

        public IReadOnlyDictionary<string, string> Annotations { get; set; } = new Dictionary<string, string>();

        public IReadOnlyDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>();

        public IReadOnlyList<ApplicationSource> Sources { get; set; } = Array.Empty<ApplicationSource>();

        /// <summary>True when the manifest uses <c>spec.sources</c>.</summary>
        public bool IsMultiSource { get; set; }

        /// <summary>Images running now (<c>status.summary.images</c>); null when the Application has no status.</summary>
        public IReadOnlyList<string>? LiveImages { get; set; }

        public IReadOnlyList<ImageSpec> Images { get; set; } = Array.Empty<ImageSpec>();

        /// <summary>The source the annotations point at (<see cref="SourceSelector.Choose"/>), chosen once when the Application is read; null without sources.</summary>
        public ApplicationSource? AnnotatedSource
        {
            get => annotatedSource ?? SourceSelector.Choose(this);
            set => annotatedSource = value;
        }

        public WriteBackSpec WriteBack { get; set; } = new WriteBackSpec();

        public IReadOnlyList<AnnotationDiagnostic> Diagnostics { get; set; } = Array.Empty<AnnotationDiagnostic>();

        /// <summary>The run-time warnings of mistyped keys (with "did you mean"), which would otherwise fall back to defaults silently.</summary>
        public IEnumerable<string> KeyWarnings() => Diagnostics.Where(d => d.UnknownKey).Select(d => $"{Name}: {d.Message}");

        /// <summary>
        /// The ImageUpdater resource and reference whose settings configure this Application (<c>argocd/web-updater applicationRefs[0]</c>),
        /// or null when its own annotations do; <see cref="Annotations"/> then hold the annotation form of those settings.
        /// </summary>
        public string? ConfiguredBy { get; set; }

        /// <summary>Where the Application was read: a server URL or a file path.</summary>
        public string? Origin { get; set; }

        /// <summary>metadata.resourceVersion as read (shown only: the API write-back guards with JSON Patch test operations).</summary>
        public string? ResourceVersion { get; set; }

        /// <summary>namespace/name, the key shards and caches use.</summary>
        public string QualifiedName => string.IsNullOrEmpty(Namespace) ? Name : Namespace + "/" + Name;

        public override string ToString() => QualifiedName;
    }
}
