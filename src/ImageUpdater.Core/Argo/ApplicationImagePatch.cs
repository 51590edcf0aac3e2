using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Updating;

namespace ImageUpdater.Core.Argo
{
    /// <summary>One RFC 6902 operation.</summary>
    public sealed class JsonPatchOperation
    {
        public JsonPatchOperation(string op, string path, JsonNode? value)
        {
            Op = op;
            Path = path;
            Value = value;
        }

        public string Op { get; }

        public string Path { get; }

        public JsonNode? Value { get; }

        public override string ToString() => Op + " " + Path;
    }

    /// <summary>
    /// The JSON Patch that writes new image tags into an Application's spec the way the argocd write-back method does:
    /// Helm parameters <c>{name, value, forceString: true}</c> or Kustomize images <c>orig=new:tag</c>, in the source the annotations point at.
    /// Each replaced value is guarded by a <c>test</c> of its current content, so a concurrent change makes the PATCH fail instead of being overwritten.
    /// </summary>
    public sealed class ApplicationImagePatch
    {
        private ApplicationImagePatch(IReadOnlyList<JsonPatchOperation> operations, IReadOnlyDictionary<ImageUpdateCandidate, string> targets)
        {
            Operations = operations;
            Targets = targets;
        }

        public IReadOnlyList<JsonPatchOperation> Operations { get; }

        /// <summary>Per candidate, the field written (<c>spec.sources[1].helm.parameters</c>).</summary>
        public IReadOnlyDictionary<ImageUpdateCandidate, string> Targets { get; }

        public bool IsEmpty => Operations.Count == 0;

        /// <summary>The patch as JSON text, as sent in the <c>patch</c> field.</summary>
        public string ToJson(bool indented = false)
        {
            var array = new JsonArray();
            foreach (var operation in Operations)
            {
                var item = new JsonObject { ["op"] = operation.Op, ["path"] = operation.Path };
                if (operation.Op != "remove")
                {
                    item["value"] = operation.Value?.DeepClone();
                }

                array.Add(item);
            }

            return array.ToJsonString(new JsonSerializerOptions { WriteIndented = indented });
        }

        /// <summary>Builds the patch for the candidates of one application against its current JSON.</summary>
        public static ApplicationImagePatch Build(JsonObject application, IReadOnlyList<ImageUpdateCandidate> candidates)
        {
            var edits = new Dictionary<string, SourceEdit>(StringComparer.Ordinal);
            var targets = new Dictionary<ImageUpdateCandidate, string>();
            foreach (var candidate in candidates)
            {
                if (candidate.NewTag is null && candidate.NewDigest is null)
                {
                    continue;
                }

                var choice = ChooseSource(application, candidate);
                if (!edits.TryGetValue(choice.Pointer, out var edit))
                {
                    edit = new SourceEdit(choice);
                    edits.Add(choice.Pointer, edit);
                }

                if (choice.Kind == SourceKind.Helm)
                {
                    foreach (var parameter in HelmParameters(candidate))
                    {
                        edit.SetHelmParameter(parameter.Key, parameter.Value);
                    }

                    targets[candidate] = choice.Display + ".helm.parameters";
                }
                else
                {
                    var entry = KustomizeImage(candidate);
                    edit.SetKustomizeImage(entry);
                    targets[candidate] = choice.Display + ".kustomize.images";
                }
            }

            var operations = edits.Values.SelectMany(e => e.Operations()).ToList();
            return new ApplicationImagePatch(operations, targets);
        }

        /// <summary>The tag as written: <c>tag</c>, <c>tag@sha256:…</c>, or <c>latest@sha256:…</c> for a digest alone (<see cref="TagText.Format"/>).</summary>
        public static string TagValue(ImageUpdateCandidate candidate) => TagText.Format(candidate.NewTag, candidate.NewDigest);

        /// <summary>Helm parameter name → value: one image-spec parameter, or image-name and image-tag (<see cref="HelmImageKeys"/>).</summary>
        public static IEnumerable<KeyValuePair<string, string>> HelmParameters(ImageUpdateCandidate candidate)
        {
            var keys = HelmImageKeys.For(candidate.Spec);
            if (keys.Spec is not null)
            {
                yield return new KeyValuePair<string, string>(keys.Spec, TagText.Reference(candidate.Spec.Image, candidate.NewTag, candidate.NewDigest));
                yield break;
            }

            yield return new KeyValuePair<string, string>(keys.Name, candidate.Spec.Image);
            yield return new KeyValuePair<string, string>(keys.Tag, TagValue(candidate));
        }

        /// <summary>The images entry: <c>orig=new:tag</c> when kustomize.image-name names another image, else <c>new:tag</c>.</summary>
        public static KustomizeImageEntry KustomizeImage(ImageUpdateCandidate candidate) =>
            new KustomizeImageEntry(candidate.Spec.KustomizeImageName, candidate.Spec.Image, candidate.NewTag, candidate.NewDigest);

        internal sealed class SourceChoice
        {
            public SourceChoice(JsonObject source, string pointer, string display, SourceKind kind)
            {
                Source = source;
                Pointer = pointer;
                Display = display;
                Kind = kind;
            }

            public JsonObject Source { get; }

            /// <summary>JSON pointer of the source (<c>/spec/sources/1</c>).</summary>
            public string Pointer { get; }

            /// <summary>Dotted form for people (<c>spec.sources[1]</c>).</summary>
            public string Display { get; }

            public SourceKind Kind { get; }
        }

        /// <summary>
        /// The application's annotated source (<see cref="ArgoApplication.AnnotatedSource"/>, the same the git method uses) in the current JSON,
        /// and the kind written there: the kind the image's keys ask for, else the source's own.
        /// </summary>
        internal static SourceChoice ChooseSource(JsonObject application, ImageUpdateCandidate candidate)
        {
            var spec = candidate.Spec;
            var app = candidate.Application;
            var model = candidate.ApplicationObject;
            var wanted = SourceSelector.WantedKind(spec);
            var chosen = model.AnnotatedSource;
            if (SourceSelector.UnsupportedType(model) is { } unsupported)
            {
                throw new ImageUpdaterException("ApplicationTypeUnsupported", FailureKind.InvalidOperation, unsupported + ".", app);
            }

            var specNode = application["spec"] as JsonObject;
            if (specNode?["sources"] is JsonArray sources && sources.Count > 0)
            {
                var kind = chosen is null ? null : SourceSelector.KindOf(chosen);
                if (chosen is null || kind is null || (wanted is not null && wanted != kind))
                {
                    var needed = wanted is null ? "Helm or Kustomize" : wanted.ToString();
                    var exists = model.Sources.Any(s => SourceSelector.KindOf(s) is { } k && (wanted is null || k == wanted));
                    var message = exists && chosen is not null
                        ? $"Application '{app}': spec.sources[{chosen.Index}], the source its annotations point at, is {(kind is null ? "neither Helm nor Kustomize" : "a " + kind + " source")}, so {spec.Image} cannot be written there as {needed}. Point the git-repository annotation at the {needed} source's repoURL, or use the git write-back method."
                        : $"Application '{app}' has no {needed} source in spec.sources to write {spec.Image} to. Give the source a helm or kustomize block, or use the git write-back method.";
                    throw new ImageUpdaterException("ArgoSourceNotFound", FailureKind.InvalidOperation, message, app);
                }

                if (chosen.Index < 0 || chosen.Index >= sources.Count || sources[chosen.Index] is not JsonObject current)
                {
                    throw new ImageUpdaterException("ArgoSourceNotFound", FailureKind.InvalidOperation, $"Application '{app}' no longer has spec.sources[{chosen.Index}], the source its annotations point at; read the application again.", app);
                }

                return new SourceChoice(current, "/spec/sources/" + chosen.Index, $"spec.sources[{chosen.Index}]", kind.Value);
            }

            if (specNode?["source"] is JsonObject single)
            {
                var kind = wanted ?? (chosen is null ? null : SourceSelector.KindOf(chosen));
                if (kind is null)
                {
                    throw new ImageUpdaterException("ArgoSourceTypeUnknown", FailureKind.InvalidOperation, $"Cannot tell whether application '{app}' is Helm or Kustomize (its source has neither a helm nor a kustomize block and no status.sourceType). Add the {spec.KeyAlias}.helm.image-name/image-tag or kustomize.image-name annotation.", app);
                }

                return new SourceChoice(single, "/spec/source", "spec.source", kind.Value);
            }

            throw new ImageUpdaterException("ArgoSourceNotFound", FailureKind.InvalidData, $"Application '{app}' has neither spec.source nor spec.sources.", app);
        }

        private static string? Text(JsonNode? node) =>
            node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

        /// <summary>The new helm.parameters or kustomize.images of one source, and the guarded operations that write them.</summary>
        private sealed class SourceEdit
        {
            private readonly SourceChoice choice;
            private JsonArray? helmParameters;
            private JsonArray? kustomizeImages;

            public SourceEdit(SourceChoice choice)
            {
                this.choice = choice;
            }

            public void SetHelmParameter(string name, string value)
            {
                helmParameters ??= choice.Source["helm"]?["parameters"] is JsonArray existing ? (JsonArray)existing.DeepClone() : new JsonArray();
                var entry = new JsonObject { ["name"] = name, ["value"] = value, ["forceString"] = true };
                for (var i = 0; i < helmParameters.Count; i++)
                {
                    if (helmParameters[i] is JsonObject current && Text(current["name"]) == name)
                    {
                        if (Text(current["value"]) != value || !(current["forceString"] is JsonValue force && force.TryGetValue<bool>(out var forced) && forced))
                        {
                            helmParameters[i] = entry;
                        }

                        return;
                    }
                }

                helmParameters.Add(entry);
            }

            public void SetKustomizeImage(KustomizeImageEntry wanted)
            {
                var entry = wanted.ToString();
                kustomizeImages ??= choice.Source["kustomize"]?["images"] is JsonArray existing ? (JsonArray)existing.DeepClone() : new JsonArray();
                for (var i = 0; i < kustomizeImages.Count; i++)
                {
                    if (KustomizeImageEntry.Parse(Text(kustomizeImages[i]) ?? string.Empty).IsReplacedBy(wanted))
                    {
                        if (Text(kustomizeImages[i]) != entry)
                        {
                            kustomizeImages[i] = entry;
                        }

                        return;
                    }
                }

                kustomizeImages.Add(entry);
            }

            public IEnumerable<JsonPatchOperation> Operations()
            {
                var result = new List<JsonPatchOperation>();
                if (helmParameters is not null)
                {
                    Write(result, "helm", "parameters", helmParameters);
                }

                if (kustomizeImages is not null)
                {
                    Write(result, "kustomize", "images", kustomizeImages);
                }

                return result;
            }

            // Replacing a list tests the list; adding a member tests the object it is added to, since JSON Patch cannot test absence.
            private void Write(List<JsonPatchOperation> operations, string block, string field, JsonArray updated)
            {
                var blockNode = choice.Source[block] as JsonObject;
                if (blockNode?[field] is JsonArray current)
                {
                    if (JsonNode.DeepEquals(current, updated))
                    {
                        return;
                    }

                    var path = choice.Pointer + "/" + block + "/" + field;
                    operations.Add(new JsonPatchOperation("test", path, current.DeepClone()));
                    operations.Add(new JsonPatchOperation("replace", path, updated));
                }
                else if (blockNode is not null)
                {
                    operations.Add(new JsonPatchOperation("test", choice.Pointer + "/" + block, blockNode.DeepClone()));
                    operations.Add(new JsonPatchOperation("add", choice.Pointer + "/" + block + "/" + field, updated));
                }
                else
                {
                    operations.Add(new JsonPatchOperation("test", choice.Pointer, choice.Source.DeepClone()));
                    operations.Add(new JsonPatchOperation("add", choice.Pointer + "/" + block, new JsonObject { [field] = updated }));
                }
            }
        }
    }
}
