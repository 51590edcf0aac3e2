using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
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
                    edit.SetKustomizeImage(candidate.Spec.KustomizeImageName ?? candidate.Spec.Image, KustomizeImage(candidate));
                    targets[candidate] = choice.Display + ".kustomize.images";
                }
            }

            var operations = edits.Values.SelectMany(e => e.Operations()).ToList();
            return new ApplicationImagePatch(operations, targets);
        }

        /// <summary>The tag as written: <c>tag</c>, <c>tag@sha256:…</c>, or <c>latest@sha256:…</c> for a digest alone.</summary>
        public static string TagValue(ImageUpdateCandidate candidate) =>
            candidate.NewDigest is null ? candidate.NewTag! : (candidate.NewTag ?? "latest") + "@" + candidate.NewDigest;

        /// <summary>Helm parameter name → value: one image-spec parameter, or image-name and image-tag (upstream defaults image.name, image.tag).</summary>
        public static IEnumerable<KeyValuePair<string, string>> HelmParameters(ImageUpdateCandidate candidate)
        {
            var spec = candidate.Spec;
            if (!string.IsNullOrEmpty(spec.HelmImageSpec))
            {
                yield return new KeyValuePair<string, string>(spec.HelmImageSpec!, spec.Image + ":" + TagValue(candidate));
                yield break;
            }

            yield return new KeyValuePair<string, string>(string.IsNullOrEmpty(spec.HelmImageName) ? "image.name" : spec.HelmImageName!, spec.Image);
            yield return new KeyValuePair<string, string>(string.IsNullOrEmpty(spec.HelmImageTag) ? "image.tag" : spec.HelmImageTag!, TagValue(candidate));
        }

        /// <summary><c>orig=new:tag</c> when kustomize.image-name is set, else <c>new:tag</c>.</summary>
        public static string KustomizeImage(ImageUpdateCandidate candidate)
        {
            var reference = candidate.Spec.Image + (candidate.NewTag is null ? string.Empty : ":" + candidate.NewTag) + (candidate.NewDigest is null ? string.Empty : "@" + candidate.NewDigest);
            return string.IsNullOrEmpty(candidate.Spec.KustomizeImageName) ? reference : candidate.Spec.KustomizeImageName + "=" + reference;
        }

        internal enum SourceKind
        {
            Helm,
            Kustomize,
        }

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
        /// The source an image is written to. Single source: spec.source. Multi-source: those of the image's kind (Helm when helm.* keys
        /// are set, Kustomize when kustomize.image-name is), narrowed by git-repository, then the one already carrying the image's
        /// parameter or image entry, then the first — where upstream always takes the first with a helm or kustomize block.
        /// </summary>
        internal static SourceChoice ChooseSource(JsonObject application, ImageUpdateCandidate candidate)
        {
            var spec = candidate.Spec;
            var app = candidate.Application;
            SourceKind? wanted = !string.IsNullOrEmpty(spec.HelmImageName) || !string.IsNullOrEmpty(spec.HelmImageTag) || !string.IsNullOrEmpty(spec.HelmImageSpec)
                ? SourceKind.Helm
                : !string.IsNullOrEmpty(spec.KustomizeImageName) ? SourceKind.Kustomize : null;

            var specNode = application["spec"] as JsonObject;
            if (specNode?["sources"] is JsonArray sources && sources.Count > 0)
            {
                var sourceTypes = application["status"]?["sourceTypes"] as JsonArray;
                var options = new List<(int Index, JsonObject Source, SourceKind Kind)>();
                for (var i = 0; i < sources.Count; i++)
                {
                    if (sources[i] is JsonObject source && KindOf(source, sourceTypes is not null && i < sourceTypes.Count ? Text(sourceTypes[i]) : null) is { } kind && (wanted is null || wanted == kind))
                    {
                        options.Add((i, source, kind));
                    }
                }

                if (options.Count == 0)
                {
                    throw new ImageUpdaterException("ArgoSourceNotFound", FailureKind.InvalidOperation, $"Application '{app}' has no {(wanted is null ? "Helm or Kustomize" : wanted.ToString())} source in spec.sources to write {spec.Image} to. Give the source a helm or kustomize block, or use the git write-back method.", app);
                }

                var repository = candidate.WriteBack.Repository;
                if (!string.IsNullOrEmpty(repository))
                {
                    var sameRepository = options.Where(o => SameRepository(Text(o.Source["repoURL"]), repository!)).ToList();
                    if (sameRepository.Count > 0)
                    {
                        options = sameRepository;
                    }
                }

                var carrying = options.Where(o => Carries(o.Source, o.Kind, candidate)).ToList();
                var chosen = carrying.Count > 0 ? carrying[0] : options[0];
                return new SourceChoice(chosen.Source, "/spec/sources/" + chosen.Index, $"spec.sources[{chosen.Index}]", chosen.Kind);
            }

            if (specNode?["source"] is JsonObject single)
            {
                var kind = wanted ?? KindOf(single, Text(application["status"]?["sourceType"]));
                if (kind is null)
                {
                    throw new ImageUpdaterException("ArgoSourceTypeUnknown", FailureKind.InvalidOperation, $"Cannot tell whether application '{app}' is Helm or Kustomize (its source has neither a helm nor a kustomize block and no status.sourceType). Add the {spec.KeyAlias ?? "<alias>"}.helm.image-name/image-tag or kustomize.image-name annotation.", app);
                }

                return new SourceChoice(single, "/spec/source", "spec.source", kind.Value);
            }

            throw new ImageUpdaterException("ArgoSourceNotFound", FailureKind.InvalidData, $"Application '{app}' has neither spec.source nor spec.sources.", app);
        }

        private static SourceKind? KindOf(JsonObject source, string? statusType)
        {
            if (source["helm"] is JsonObject || !string.IsNullOrEmpty(Text(source["chart"])) || string.Equals(statusType, "Helm", StringComparison.OrdinalIgnoreCase))
            {
                return SourceKind.Helm;
            }

            if (source["kustomize"] is JsonObject || string.Equals(statusType, "Kustomize", StringComparison.OrdinalIgnoreCase))
            {
                return SourceKind.Kustomize;
            }

            return null;
        }

        private static bool Carries(JsonObject source, SourceKind kind, ImageUpdateCandidate candidate)
        {
            if (kind == SourceKind.Helm)
            {
                var names = HelmParameters(candidate).Select(p => p.Key).ToList();
                return source["helm"]?["parameters"] is JsonArray parameters && parameters.OfType<JsonObject>().Any(p => names.Contains(Text(p["name"]) ?? string.Empty));
            }

            var name = candidate.Spec.KustomizeImageName ?? candidate.Spec.Image;
            return source["kustomize"]?["images"] is JsonArray images && images.Any(i => SameImageName(KustomizeEntryName(Text(i) ?? string.Empty), name));
        }

        internal static bool SameRepository(string? a, string b)
        {
            static string Normalize(string url)
            {
                var text = url.Trim().TrimEnd('/');
                if (text.EndsWith(".git", StringComparison.OrdinalIgnoreCase))
                {
                    text = text.Substring(0, text.Length - 4);
                }

                var scheme = text.IndexOf("://", StringComparison.Ordinal);
                return (scheme >= 0 ? text.Substring(scheme + 3) : text).ToLowerInvariant();
            }

            return a is not null && Normalize(a) == Normalize(b);
        }

        /// <summary>The image name a kustomize images entry overrides: the part before '=', else the reference without tag and digest.</summary>
        internal static string KustomizeEntryName(string entry)
        {
            var equals = entry.IndexOf('=');
            if (equals >= 0)
            {
                return entry.Substring(0, equals);
            }

            var at = entry.IndexOf('@');
            var name = at >= 0 ? entry.Substring(0, at) : entry;
            var colon = name.LastIndexOf(':');
            return colon > name.LastIndexOf('/') ? name.Substring(0, colon) : name;
        }

        /// <summary>docker.io/library/nginx, docker.io/nginx and nginx name the same image.</summary>
        internal static bool SameImageName(string a, string b)
        {
            static string Normalize(string name)
            {
                var text = name.Trim();
                foreach (var prefix in new[] { "docker.io/", "index.docker.io/", "library/" })
                {
                    if (text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                    {
                        text = text.Substring(prefix.Length);
                    }
                }

                return text;
            }

            return string.Equals(Normalize(a), Normalize(b), StringComparison.Ordinal);
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

            public void SetKustomizeImage(string name, string entry)
            {
                kustomizeImages ??= choice.Source["kustomize"]?["images"] is JsonArray existing ? (JsonArray)existing.DeepClone() : new JsonArray();
                for (var i = 0; i < kustomizeImages.Count; i++)
                {
                    if (SameImageName(KustomizeEntryName(Text(kustomizeImages[i]) ?? string.Empty), name))
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
