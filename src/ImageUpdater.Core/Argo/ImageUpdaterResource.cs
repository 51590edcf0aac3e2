using System;
using System.Collections.Generic;
using System.Linq;

namespace ImageUpdater.Core.Argo
{
    /// <summary>
    /// An <c>ImageUpdater</c> resource of Argo CD Image Updater v1.x (<c>argocd-image-updater.argoproj.io/v1alpha1</c>):
    /// settings at spec level and a list of application references (PSTypeName ImageUpdater.ImageUpdaterResource).
    /// </summary>
    public sealed class ImageUpdaterResource
    {
        public const string Group = "argocd-image-updater.argoproj.io";
        public const string Version = "v1alpha1";
        public const string Kind = "ImageUpdater";
        public const string Plural = "imageupdaters";

        public ImageUpdaterResource(string name)
        {
            Name = name;
        }

        public string Name { get; }

        /// <summary>metadata.namespace; upstream selects Applications of this namespace only.</summary>
        public string? Namespace { get; set; }

        public IReadOnlyDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>();

        /// <summary>spec.commonUpdateSettings, or null.</summary>
        public UpdateSettings? CommonUpdateSettings { get; set; }

        /// <summary>spec.writeBackConfig, or null.</summary>
        public WriteBackConfig? WriteBackConfig { get; set; }

        /// <summary>spec.imagesVerification: null when absent, else whether it is enabled (the module cannot verify signatures).</summary>
        public bool? ImagesVerification { get; set; }

        public IReadOnlyList<ApplicationRef> ApplicationRefs { get; set; } = Array.Empty<ApplicationRef>();

        /// <summary>status.applicationsMatched as the controller last wrote it (cluster only), or null.</summary>
        public int? ApplicationsMatched { get; set; }

        /// <summary>Where the resource was read: a file path or an API server URL.</summary>
        public string? Origin { get; set; }

        /// <summary>The object as read, for validation against the CRD's schema.</summary>
        public IDictionary<string, object?>? Manifest { get; set; }

        /// <summary>namespace/name.</summary>
        public string QualifiedName => string.IsNullOrEmpty(Namespace) ? Name : Namespace + "/" + Name;

        /// <summary>Every image alias the references name (for views).</summary>
        public IEnumerable<string> Aliases => ApplicationRefs.SelectMany(r => r.Images).Select(i => i.Alias);

        public override string ToString() => QualifiedName;
    }

    /// <summary>commonUpdateSettings: each field null when not set, so that the three levels merge field by field.</summary>
    public sealed class UpdateSettings
    {
        public string? UpdateStrategy { get; set; }

        public bool? ForceUpdate { get; set; }

        public string? AllowTags { get; set; }

        public IReadOnlyList<string>? IgnoreTags { get; set; }

        public string? PullSecret { get; set; }

        public IReadOnlyList<string>? Platforms { get; set; }

        /// <summary>Upstream's merge: a later level's set field replaces the earlier one (lists whole, not item by item).</summary>
        public static UpdateSettings Merge(params UpdateSettings?[] levels)
        {
            var merged = new UpdateSettings();
            foreach (var level in levels.Where(l => l is not null))
            {
                merged.UpdateStrategy = level!.UpdateStrategy ?? merged.UpdateStrategy;
                merged.ForceUpdate = level.ForceUpdate ?? merged.ForceUpdate;
                merged.AllowTags = level.AllowTags ?? merged.AllowTags;
                merged.IgnoreTags = level.IgnoreTags ?? merged.IgnoreTags;
                merged.PullSecret = level.PullSecret ?? merged.PullSecret;
                merged.Platforms = level.Platforms ?? merged.Platforms;
            }

            return merged;
        }

        public bool IsEmpty => UpdateStrategy is null && ForceUpdate is null && AllowTags is null && IgnoreTags is null && PullSecret is null && Platforms is null;
    }

    /// <summary>writeBackConfig: method and gitConfig (repository, branch, writeBackTarget, pullRequest).</summary>
    public sealed class WriteBackConfig
    {
        /// <summary>argocd, git or git:&lt;credentials&gt;; null = inherit (argocd at the end).</summary>
        public string? Method { get; set; }

        public string? Repository { get; set; }

        public string? Branch { get; set; }

        public string? WriteBackTarget { get; set; }

        /// <summary>gitConfig.pullRequest's provider (github, gitlab), or null; it becomes the git.pull-request annotation (the host comes from the operator's settings).</summary>
        public string? PullRequest { get; set; }

        /// <summary>gitConfig.pullRequest.labels (not applied: reported as a warning).</summary>
        public System.Collections.Generic.IReadOnlyList<string>? PullRequestLabels { get; set; }

        /// <summary>Upstream's merge: the reference's method and git fields replace the spec's one by one; pullRequest whole.</summary>
        public static WriteBackConfig Merge(WriteBackConfig? global, WriteBackConfig? local)
        {
            var merged = new WriteBackConfig
            {
                Method = global?.Method,
                Repository = global?.Repository,
                Branch = global?.Branch,
                WriteBackTarget = global?.WriteBackTarget,
                PullRequest = global?.PullRequest,
                PullRequestLabels = global?.PullRequestLabels,
            };
            if (local is not null)
            {
                merged.Method = local.Method ?? merged.Method;
                merged.Repository = local.Repository ?? merged.Repository;
                merged.Branch = local.Branch ?? merged.Branch;
                merged.WriteBackTarget = local.WriteBackTarget ?? merged.WriteBackTarget;
                merged.PullRequestLabels = local.PullRequest is null ? merged.PullRequestLabels : local.PullRequestLabels;
                merged.PullRequest = local.PullRequest ?? merged.PullRequest;
            }

            return merged;
        }

        public override string ToString() => (Method ?? "argocd") + (WriteBackTarget is null ? string.Empty : " → " + WriteBackTarget);
    }

    /// <summary>One entry of spec.applicationRefs.</summary>
    public sealed class ApplicationRef
    {
        public ApplicationRef(string namePattern)
        {
            NamePattern = namePattern;
        }

        /// <summary>A Go filepath.Match glob over Application names (*, ?, [a-z], [^a-z], \ escapes).</summary>
        public string NamePattern { get; }

        /// <summary>labelSelectors, or null (any labels).</summary>
        public LabelSelector? LabelSelectors { get; set; }

        /// <summary>Read the Application's annotations instead of this reference's settings and images.</summary>
        public bool UseAnnotations { get; set; }

        public UpdateSettings? CommonUpdateSettings { get; set; }

        public WriteBackConfig? WriteBackConfig { get; set; }

        public bool? ImagesVerification { get; set; }

        public IReadOnlyList<ImageConfig> Images { get; set; } = Array.Empty<ImageConfig>();

        /// <summary>Position in spec.applicationRefs (for messages: applicationRefs[2]).</summary>
        public int Index { get; set; }

        public override string ToString() => NamePattern + (LabelSelectors is null ? string.Empty : " " + LabelSelectors);
    }

    /// <summary>One entry of an application reference's images.</summary>
    public sealed class ImageConfig
    {
        public ImageConfig(string alias, string imageName)
        {
            Alias = alias;
            ImageName = imageName;
        }

        public string Alias { get; }

        /// <summary>The image with its constraint as tag (nginx:1.20), as in an image-list entry.</summary>
        public string ImageName { get; }

        public UpdateSettings? CommonUpdateSettings { get; set; }

        public string? HelmName { get; set; }

        public string? HelmTag { get; set; }

        public string? HelmSpec { get; set; }

        public string? KustomizeName { get; set; }

        /// <summary>manifestTargets.plugin is set (environment variables of a config management plugin: not written by the module).</summary>
        public bool Plugin { get; set; }

        public bool? ImagesVerification { get; set; }

        public override string ToString() => Alias + "=" + ImageName;
    }

    /// <summary>A Kubernetes metav1.LabelSelector: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist), all ANDed.</summary>
    public sealed class LabelSelector
    {
        public IReadOnlyDictionary<string, string> MatchLabels { get; set; } = new Dictionary<string, string>();

        public IReadOnlyList<LabelRequirement> MatchExpressions { get; set; } = Array.Empty<LabelRequirement>();

        /// <summary>Why the selector is invalid (unknown operator, values where none belong), or null. An invalid selector matches nothing, as upstream.</summary>
        public string? Problem() => MatchExpressions.Select(e => e.Problem()).FirstOrDefault(p => p is not null);

        public bool Matches(IReadOnlyDictionary<string, string> labels)
        {
            if (Problem() is not null)
            {
                return false;
            }

            return MatchLabels.All(p => labels.TryGetValue(p.Key, out var v) && v == p.Value) && MatchExpressions.All(e => e.Matches(labels));
        }

        public override string ToString() => string.Join(",", MatchLabels.Select(p => p.Key + "=" + p.Value).Concat(MatchExpressions.Select(e => e.ToString())));
    }

    /// <summary>One matchExpressions entry.</summary>
    public sealed class LabelRequirement
    {
        public LabelRequirement(string key, string @operator, IReadOnlyList<string> values)
        {
            Key = key;
            Operator = @operator;
            Values = values;
        }

        public string Key { get; }

        public string Operator { get; }

        public IReadOnlyList<string> Values { get; }

        public string? Problem() => Operator switch
        {
            "In" or "NotIn" when Values.Count == 0 => $"the operator {Operator} of key '{Key}' needs at least one value",
            "In" or "NotIn" => null,
            "Exists" or "DoesNotExist" when Values.Count > 0 => $"the operator {Operator} of key '{Key}' takes no values",
            "Exists" or "DoesNotExist" => null,
            _ => $"'{Operator}' is not a label selector operator (In, NotIn, Exists, DoesNotExist)",
        };

        public bool Matches(IReadOnlyDictionary<string, string> labels) => Operator switch
        {
            "In" => labels.TryGetValue(Key, out var v) && Values.Contains(v),
            "NotIn" => !labels.TryGetValue(Key, out var v) || !Values.Contains(v),
            "Exists" => labels.ContainsKey(Key),
            "DoesNotExist" => !labels.ContainsKey(Key),
            _ => false,
        };

        public override string ToString() => Operator switch
        {
            "Exists" => Key,
            "DoesNotExist" => "!" + Key,
            _ => Key + " " + Operator.ToLowerInvariant() + " (" + string.Join(",", Values) + ")",
        };
    }
}
