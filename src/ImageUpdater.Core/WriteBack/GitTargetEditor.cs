using System.Collections.Generic;
using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Updating;

namespace ImageUpdater.Core.WriteBack
{
    /// <summary>Git write-back's file edits, done by the byte-preserving YAML targets (Helm values, kustomization, .argocd-source).</summary>
    public sealed class GitTargetEditor : IGitTargetEditor
    {
        /// <summary>Set a value other mappings share as it stands (-AllowSharedValueEdit) instead of overriding it or failing.</summary>
        public bool AllowSharedValueEdit { get; init; }

        public byte[] Edit(GitTarget target, byte[]? content, IReadOnlyList<ImageUpdateCandidate> changes)
        {
            var edit = For(target, AllowSharedValueEdit ? SharedValuePolicy.Edit : SharedValuePolicy.Override).Apply(target.FullPath, content, changes.Select(ImageUpdate.From).ToList());

            // The file says what was written before: that is the old tag of the change (what runs, or a stale checkout, may differ).
            foreach (var candidate in changes)
            {
                candidate.FileTag = edit.Results.FirstOrDefault(r => r.Application == candidate.Application && r.Alias == candidate.Alias && r.OldTag is not null)?.OldTag;
            }

            foreach (var candidate in changes)
            {
                var result = edit.Results.FirstOrDefault(r => r.Application == candidate.Application && r.Alias == candidate.Alias && r.Image == candidate.Image);
                candidate.CreatedKeys = result?.CreatedKeys ?? System.Array.Empty<string>();
                candidate.OverrideKeys = result?.OverrideKeys ?? System.Array.Empty<string>();
                candidate.SharedPlaces = result?.SharedPlaces ?? System.Array.Empty<string>();
            }

            return edit.Changed ? edit.NewBytes : content ?? edit.NewBytes;
        }

        public string? ValueOf(GitTarget target, byte[] content, ImageUpdateCandidate candidate)
        {
            // Computed in memory for the value it would replace, never written; the candidate's running tag must not stand in for it.
            var probe = ImageUpdate.From(candidate with { NewTag = "probe" });
            probe.OldTag = null;
            var old = For(target).Apply(target.FullPath, content, new[] { probe }).Results.FirstOrDefault(r => r.OldTag is not null)?.OldTag;
            if (string.IsNullOrEmpty(old))
            {
                return null;
            }

            Images.TagText.Parse(old!, out var tag, out _);
            return tag;
        }

        /// <summary>
        /// The YAML target for a kind; a verbatim file path (upstream's backward-compatible form) holds parameter overrides like .argocd-source.
        /// </summary>
        internal static IWriteBackTarget For(GitTarget target, SharedValuePolicy shared = SharedValuePolicy.Override)
        {
            switch (target.Kind)
            {
                case WriteBackTargetKind.HelmValues:
                    return new HelmValuesTarget { SharedValues = shared, CreatesMissingFile = true };
                case WriteBackTargetKind.Kustomization:
                    return new KustomizationTarget { SharedValues = shared };
                default:
                    if (SourceSelector.UnsupportedType(target.Application) is { } unsupported)
                    {
                        throw new ImageUpdaterException("ApplicationTypeUnsupported", FailureKind.InvalidOperation, unsupported + ".", target.Application);
                    }

                    var source = target.Application.AnnotatedSource;
                    var form = source is not null && SourceSelector.KindOf(source) == SourceKind.Kustomize ? ArgoCDSourceForm.Kustomize : ArgoCDSourceForm.Helm;
                    return new ArgoCDSourceTarget(target.Application.Name, form) { SharedValues = shared };
            }
        }
    }
}
