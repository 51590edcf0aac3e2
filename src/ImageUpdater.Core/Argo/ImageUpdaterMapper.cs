using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;

namespace ImageUpdater.Core.Argo
{
    /// <summary>Maps an ImageUpdater object tree (a YAML document or a Kubernetes API answer) to <see cref="ImageUpdaterResource"/>.</summary>
    public static class ImageUpdaterMapper
    {
        /// <summary>True when the tree is an ImageUpdater (kind ImageUpdater, apiVersion argocd-image-updater.argoproj.io/*).</summary>
        public static bool IsImageUpdater(IDictionary<string, object?> manifest) =>
            ObjectTree.Text(manifest, "kind") == ImageUpdaterResource.Kind
            && (ObjectTree.Text(manifest, "apiVersion") ?? string.Empty).StartsWith(ImageUpdaterResource.Group + "/", StringComparison.Ordinal);

        public static ImageUpdaterResource FromJson(JsonElement item, string origin)
        {
            if (ObjectTree.FromJson(item) is not IDictionary<string, object?> tree)
            {
                throw new ImageUpdaterException("ImageUpdaterInvalid", FailureKind.InvalidData, $"{origin} returned an ImageUpdater that is not a JSON object.", origin);
            }

            return FromObject(tree, origin);
        }

        public static ImageUpdaterResource FromObject(IDictionary<string, object?> manifest, string origin)
        {
            var name = ObjectTree.Text(manifest, "metadata.name");
            if (string.IsNullOrWhiteSpace(name) || !ApplicationMapper.IsName(name!))
            {
                throw Invalid(origin, name, string.IsNullOrWhiteSpace(name) ? "it has no metadata.name" : "metadata.name is not a valid Kubernetes name");
            }

            var ns = ObjectTree.Text(manifest, "metadata.namespace");
            if (ns is not null && !ApplicationMapper.IsNamespace(ns))
            {
                throw Invalid(origin, name, "metadata.namespace is not a valid Kubernetes namespace");
            }

            var spec = ObjectTree.Map(manifest, "spec");
            var refs = ObjectTree.List(spec, "applicationRefs");
            if (refs is null || refs.Count == 0)
            {
                throw Invalid(origin, name, "spec.applicationRefs is missing or empty (the CRD requires at least one)");
            }

            var resource = new ImageUpdaterResource(name!)
            {
                Namespace = ns,
                Labels = ObjectTree.StringMap(ObjectTree.Get(manifest, "metadata.labels")),
                CommonUpdateSettings = Settings(ObjectTree.Map(spec, "commonUpdateSettings")),
                WriteBackConfig = WriteBack(ObjectTree.Map(spec, "writeBackConfig")),
                ImagesVerification = Verification(ObjectTree.Map(spec, "imagesVerification")),
                ApplicationsMatched = int.TryParse(ObjectTree.Text(manifest, "status.applicationsMatched"), NumberStyles.None, CultureInfo.InvariantCulture, out var matched) ? matched : null,
                Origin = origin,
                Manifest = manifest,
            };
            resource.ApplicationRefs = refs.Select((r, i) => Reference(r, i, origin, name!)).ToArray();
            return resource;
        }

        private static ApplicationRef Reference(object? node, int index, string origin, string name)
        {
            var pattern = ObjectTree.Text(node, "namePattern");
            if (string.IsNullOrEmpty(pattern))
            {
                throw Invalid(origin, name, $"spec.applicationRefs[{index}] has no namePattern");
            }

            var images = ObjectTree.List(node, "images") ?? new List<object?>();
            return new ApplicationRef(pattern!)
            {
                Index = index,
                LabelSelectors = Selector(ObjectTree.Map(node, "labelSelectors")),
                UseAnnotations = ObjectTree.Text(node, "useAnnotations") == "true",
                CommonUpdateSettings = Settings(ObjectTree.Map(node, "commonUpdateSettings")),
                WriteBackConfig = WriteBack(ObjectTree.Map(node, "writeBackConfig")),
                ImagesVerification = Verification(ObjectTree.Map(node, "imagesVerification")),
                Images = images.Select((im, j) => Image(im, $"spec.applicationRefs[{index}].images[{j}]", origin, name)).ToArray(),
            };
        }

        private static ImageConfig Image(object? node, string path, string origin, string name)
        {
            var alias = ObjectTree.Text(node, "alias");
            var image = ObjectTree.Text(node, "imageName");
            if (string.IsNullOrEmpty(alias) || string.IsNullOrEmpty(image))
            {
                throw Invalid(origin, name, $"{path} needs both alias and imageName");
            }

            var targets = ObjectTree.Map(node, "manifestTargets");
            return new ImageConfig(alias!, image!)
            {
                CommonUpdateSettings = Settings(ObjectTree.Map(node, "commonUpdateSettings")),
                HelmName = ObjectTree.Text(targets, "helm.name"),
                HelmTag = ObjectTree.Text(targets, "helm.tag"),
                HelmSpec = ObjectTree.Text(targets, "helm.spec"),
                KustomizeName = ObjectTree.Text(targets, "kustomize.name"),
                Plugin = ObjectTree.Map(targets, "plugin") is not null,
                ImagesVerification = Verification(ObjectTree.Map(node, "imagesVerification")),
            };
        }

        // The block defaults to enabled when present (the CRD's default), and enabled: false opts a level out.
        private static bool? Verification(IDictionary<string, object?>? node) => node is null ? null : ObjectTree.Text(node, "enabled") != "false";

        private static UpdateSettings? Settings(IDictionary<string, object?>? node)
        {
            if (node is null)
            {
                return null;
            }

            var force = ObjectTree.Text(node, "forceUpdate");
            return new UpdateSettings
            {
                UpdateStrategy = ObjectTree.Text(node, "updateStrategy"),
                ForceUpdate = force is null ? null : force == "true",
                AllowTags = ObjectTree.Text(node, "allowTags"),
                IgnoreTags = Strings(ObjectTree.Get(node, "ignoreTags")),
                PullSecret = ObjectTree.Text(node, "pullSecret"),
                Platforms = Strings(ObjectTree.Get(node, "platforms")),
            };
        }

        private static WriteBackConfig? WriteBack(IDictionary<string, object?>? node)
        {
            if (node is null)
            {
                return null;
            }

            var pullRequest = ObjectTree.Map(node, "gitConfig.pullRequest");
            return new WriteBackConfig
            {
                Method = ObjectTree.Text(node, "method"),
                Repository = ObjectTree.Text(node, "gitConfig.repository"),
                Branch = ObjectTree.Text(node, "gitConfig.branch"),
                WriteBackTarget = ObjectTree.Text(node, "gitConfig.writeBackTarget"),
                PullRequest = pullRequest is null ? null : pullRequest.ContainsKey("github") ? "github" : pullRequest.ContainsKey("gitlab") ? "gitlab" : "unknown",
                PullRequestLabels = pullRequest is null ? null : Strings(ObjectTree.Get(pullRequest, "labels")),
            };
        }

        private static LabelSelector? Selector(IDictionary<string, object?>? node)
        {
            if (node is null)
            {
                return null;
            }

            var expressions = (ObjectTree.List(node, "matchExpressions") ?? new List<object?>())
                .Select(e => new LabelRequirement(ObjectTree.Text(e, "key") ?? string.Empty, ObjectTree.Text(e, "operator") ?? string.Empty, Strings(ObjectTree.Get(e, "values")) ?? Array.Empty<string>()))
                .ToArray();
            return new LabelSelector { MatchLabels = ObjectTree.StringMap(ObjectTree.Get(node, "matchLabels")), MatchExpressions = expressions };
        }

        private static IReadOnlyList<string>? Strings(object? node) => node switch
        {
            IList<object?> list => list.Select(v => v is null ? string.Empty : Convert.ToString(v, CultureInfo.InvariantCulture) ?? string.Empty).ToArray(),
            string s => new[] { s },
            _ => null,
        };

        private static ImageUpdaterException Invalid(string origin, string? name, string problem) =>
            new ImageUpdaterException("ImageUpdaterInvalid", FailureKind.InvalidData, $"{origin}: ImageUpdater '{name ?? "?"}' is refused: {problem}.", origin);
    }
}
