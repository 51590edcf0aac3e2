using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using ImageUpdater.Core.Annotations;

namespace ImageUpdater.Core.Argo
{
    /// <summary>
    /// Migration between annotations and ImageUpdater resources, both ways, written as YAML a person would commit: keys in
    /// the CRD's order, strings double-quoted, and a comment for each annotation that has no field in the resource. Converting
    /// and applying the result gives the same ImageSpecs and WriteBackSpec (the one mapping is <see cref="ImageUpdaterAnnotations"/>).
    /// </summary>
    public static class ImageUpdaterConversion
    {
        private static readonly string[] AppWideSettings = { AnnotationKeys.UpdateStrategy, AnnotationKeys.AllowTags, AnnotationKeys.IgnoreTags, AnnotationKeys.ForceUpdate, AnnotationKeys.PullSecret };

        /// <summary>
        /// ImageUpdater YAML for annotated Applications: one resource per namespace named <paramref name="name"/> with one exact-name
        /// reference per Application (a write-back configuration all share moves to spec), or one resource per Application.
        /// Applications without an image-list are left out.
        /// </summary>
        public static string ToImageUpdaterYaml(IEnumerable<ArgoApplication> applications, string name, bool onePerApplication)
        {
            var documents = new List<string>();
            var annotated = applications.Where(a => a.Annotations.ContainsKey(AnnotationKeys.Prefix + AnnotationKeys.ImageList)).ToList();
            var groups = onePerApplication
                ? annotated.Select(a => (Name: a.Name, Namespace: a.Namespace ?? ApplicationQuery.DefaultNamespace, Apps: new List<ArgoApplication> { a }))
                : annotated.GroupBy(a => a.Namespace ?? ApplicationQuery.DefaultNamespace, StringComparer.Ordinal).Select(g => (Name: name, Namespace: g.Key, Apps: g.ToList()));
            foreach (var group in groups)
            {
                var refs = group.Apps.Select(Reference).ToList();
                var shared = refs.Count > 1 && refs.All(r => r.WriteBack == refs[0].WriteBack) ? refs[0].WriteBack : null;
                var yaml = new StringBuilder();
                yaml.Append("apiVersion: ").Append(ImageUpdaterResource.Group).Append('/').Append(ImageUpdaterResource.Version).Append('\n');
                yaml.Append("kind: ").Append(ImageUpdaterResource.Kind).Append('\n');
                yaml.Append("metadata:\n  name: ").Append(Quote(group.Name)).Append("\n  namespace: ").Append(Quote(group.Namespace)).Append('\n');
                yaml.Append("spec:\n");
                if (shared is not null)
                {
                    yaml.Append(Indent(shared, 2));
                }

                yaml.Append("  applicationRefs:\n");
                foreach (var reference in refs)
                {
                    foreach (var comment in reference.Comments)
                    {
                        yaml.Append("    # ").Append(comment).Append('\n');
                    }

                    yaml.Append("    - namePattern: ").Append(Quote(reference.Name)).Append('\n');
                    var body = new StringBuilder();
                    body.Append(reference.Settings);
                    if (shared is null)
                    {
                        body.Append(reference.WriteBack);
                    }

                    body.Append(reference.Images);
                    yaml.Append(Indent(body.ToString(), 6));
                }

                documents.Add(yaml.ToString());
            }

            return string.Join("---\n", documents);
        }

        /// <summary>
        /// The annotations an ImageUpdater-configured Application (<see cref="ArgoApplication.ConfiguredBy"/>) would carry, as a patch
        /// of its metadata: a value all images share becomes the application-wide key.
        /// </summary>
        public static string ToAnnotationYaml(ArgoApplication app)
        {
            var annotations = Compact(app.Annotations.Where(p => p.Key.StartsWith(AnnotationKeys.Prefix, StringComparison.Ordinal))
                .ToDictionary(p => p.Key.Substring(AnnotationKeys.Prefix.Length), p => p.Value, StringComparer.Ordinal), app.Images);
            var yaml = new StringBuilder();
            if (app.ConfiguredBy is not null)
            {
                yaml.Append("# from ImageUpdater ").Append(app.ConfiguredBy).Append('\n');
            }

            yaml.Append("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ").Append(Quote(app.Name)).Append('\n');
            if (app.Namespace is not null)
            {
                yaml.Append("  namespace: ").Append(Quote(app.Namespace)).Append('\n');
            }

            yaml.Append("  annotations:\n");
            foreach (var pair in annotations)
            {
                yaml.Append("    ").Append(AnnotationKeys.Prefix).Append(pair.Key).Append(": ").Append(Quote(pair.Value)).Append('\n');
            }

            return yaml.ToString();
        }

        // image-list first, then application keys, then per-image keys by alias; an option every image sets alike becomes app-wide.
        private static List<KeyValuePair<string, string>> Compact(Dictionary<string, string> keys, IReadOnlyList<ImageSpec> images)
        {
            var aliases = images.Select(i => i.KeyAlias).ToList();
            foreach (var option in AppWideSettings)
            {
                var values = aliases.Select(a => keys.TryGetValue(a + "." + option, out var v) ? v : null).ToList();
                if (aliases.Count > 1 && values.All(v => v is not null && v == values[0]) && !keys.ContainsKey(option))
                {
                    keys[option] = values[0]!;
                    aliases.ForEach(a => keys.Remove(a + "." + option));
                }
            }

            return keys.OrderBy(p => p.Key == AnnotationKeys.ImageList ? 0 : p.Key.Contains('.') && !p.Key.StartsWith("git.", StringComparison.Ordinal) ? 2 : 1)
                .ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
        }

        private sealed class ConvertedReference
        {
            public string Name = string.Empty;
            public List<string> Comments = new List<string>();
            public string Settings = string.Empty;
            public string WriteBack = string.Empty;
            public string Images = string.Empty;
        }

        private static ConvertedReference Reference(ArgoApplication app)
        {
            var keys = app.Annotations.Where(p => p.Key.StartsWith(AnnotationKeys.Prefix, StringComparison.Ordinal))
                .ToDictionary(p => p.Key.Substring(AnnotationKeys.Prefix.Length), p => p.Value, StringComparer.Ordinal);
            var used = new HashSet<string>(StringComparer.Ordinal) { AnnotationKeys.ImageList };
            var converted = new ConvertedReference { Name = app.Name };
            converted.Settings = SettingsBlock(option => Take(keys, used, option));
            if (keys.ContainsKey(AnnotationKeys.Platforms))
            {
                used.Add(AnnotationKeys.Platforms);
                converted.Comments.Add($"{AnnotationKeys.Platforms}: {Escape(keys[AnnotationKeys.Platforms])} (ignored without an alias, as upstream ignores it; not converted)");
            }

            var git = new StringBuilder();
            void GitField(string field, string key)
            {
                if (Take(keys, used, key) is { } value)
                {
                    git.Append("  ").Append(field).Append(": ").Append(Quote(value.Trim())).Append('\n');
                }
            }

            GitField("repository", AnnotationKeys.GitRepository);
            var branchKey = keys.ContainsKey(AnnotationKeys.GitBranch) ? AnnotationKeys.GitBranch : AnnotationKeys.GitBranchDotted;
            GitField("branch", branchKey);
            if (branchKey == AnnotationKeys.GitBranch && keys.ContainsKey(AnnotationKeys.GitBranchDotted))
            {
                used.Add(AnnotationKeys.GitBranchDotted);
                converted.Comments.Add($"{AnnotationKeys.GitBranchDotted}: {Escape(keys[AnnotationKeys.GitBranchDotted])} (git-branch wins over it; not converted)");
            }

            GitField("writeBackTarget", AnnotationKeys.WriteBackTarget);
            if (keys.TryGetValue(AnnotationKeys.GitPullRequest, out var pullRequest) && pullRequest.Trim().Equals("true", StringComparison.OrdinalIgnoreCase))
            {
                // The CRD wants one provider; it matters only to upstream (ImageUpdater.PS takes the host from -GitHost).
                used.Add(AnnotationKeys.GitPullRequest);
                var repository = keys.TryGetValue(AnnotationKeys.GitRepository, out var r) ? r : app.AnnotatedSource?.RepoUrl ?? string.Empty;
                git.Append("  pullRequest:\n    ").Append(repository.IndexOf("gitlab", StringComparison.OrdinalIgnoreCase) >= 0 ? "gitlab" : "github").Append(": {}\n");
            }
            var method = Take(keys, used, AnnotationKeys.WriteBackMethod)?.Trim();
            if (method is not null || git.Length > 0)
            {
                converted.WriteBack = "writeBackConfig:\n" + (method is null ? string.Empty : "  method: " + Quote(method) + "\n") + (git.Length > 0 ? "  gitConfig:\n" + Indent(git.ToString(), 2) : string.Empty);
            }

            var images = new StringBuilder();
            foreach (var image in app.Images)
            {
                var alias = image.KeyAlias;
                images.Append("- alias: ").Append(Quote(alias)).Append('\n');
                images.Append("  imageName: ").Append(Quote(image.Reference.Original)).Append('\n');
                // tag-match is allow-tags' old name: per image it loses to an application-wide allow-tags, as the annotation parser reads it.
                images.Append(Indent(SettingsBlock(option => option == AnnotationKeys.AllowTags && !keys.ContainsKey(alias + "." + option) && !keys.ContainsKey(option) ? Take(keys, used, alias + "." + AnnotationKeys.TagMatch) : Take(keys, used, alias + "." + option), perImage: true), 2));
                var targets = new StringBuilder();
                var helm = new StringBuilder();
                void HelmField(string field, string option)
                {
                    if (Take(keys, used, alias + "." + option) is { } value)
                    {
                        helm.Append("    ").Append(field).Append(": ").Append(Quote(value)).Append('\n');
                    }
                }

                HelmField("name", AnnotationKeys.HelmImageName);
                HelmField("tag", AnnotationKeys.HelmImageTag);
                HelmField("spec", AnnotationKeys.HelmImageSpec);
                var kustomize = Take(keys, used, alias + "." + AnnotationKeys.KustomizeImageName);
                if (helm.Length > 0 && kustomize is not null)
                {
                    // The CRD allows one target kind; the annotations may name both (the source kind decides which is used).
                    targets.Append("  helm:\n").Append(helm);
                    converted.Comments.Add($"{alias}.{AnnotationKeys.KustomizeImageName}: {Escape(kustomize)} (the CRD allows one manifest target; the helm keys were kept)");
                }
                else if (helm.Length > 0)
                {
                    targets.Append("  helm:\n").Append(helm);
                }
                else if (kustomize is not null)
                {
                    targets.Append("  kustomize:\n    name: ").Append(Quote(kustomize)).Append('\n');
                }

                if (targets.Length > 0)
                {
                    images.Append("  manifestTargets:\n").Append(Indent(targets.ToString(), 2));
                }
            }

            converted.Images = "images:\n" + Indent(images.ToString(), 2);
            foreach (var key in keys.Keys.Where(k => !used.Contains(k)).OrderBy(k => k, StringComparer.Ordinal))
            {
                var why = key == AnnotationKeys.GitUser || key == AnnotationKeys.GitEmail || key == AnnotationKeys.GitCommitMessage
                    ? "no ImageUpdater field: upstream takes it from the controller's settings; use -AuthorName, -AuthorEmail or the default message"
                    : "not an option of an image in image-list, so the annotations ignore it too";
                converted.Comments.Add($"{key}: {Escape(keys[key])} ({why})");
            }

            return converted;
        }

        private static string SettingsBlock(Func<string, string?> value, bool perImage = false)
        {
            var block = new StringBuilder();
            void Scalar(string field, string? text)
            {
                if (text is not null)
                {
                    block.Append("  ").Append(field).Append(": ").Append(Quote(text.Trim())).Append('\n');
                }
            }

            void List(string field, string? text)
            {
                if (text is not null)
                {
                    block.Append("  ").Append(field).Append(":\n");
                    foreach (var item in text.Split(',').Select(t => t.Trim()).Where(t => t.Length > 0))
                    {
                        block.Append("    - ").Append(Quote(item)).Append('\n');
                    }
                }
            }

            Scalar("updateStrategy", value(AnnotationKeys.UpdateStrategy));
            if (value(AnnotationKeys.ForceUpdate) is { } force)
            {
                block.Append("  forceUpdate: ").Append(force == "true" ? "true" : "false").Append('\n');
            }

            Scalar("allowTags", value(AnnotationKeys.AllowTags) ?? (perImage ? null : value(AnnotationKeys.TagMatch)));
            List("ignoreTags", value(AnnotationKeys.IgnoreTags));
            Scalar("pullSecret", value(AnnotationKeys.PullSecret));
            if (perImage)
            {
                List("platforms", value(AnnotationKeys.Platforms));
            }

            return block.Length == 0 ? string.Empty : "commonUpdateSettings:\n" + block;
        }

        private static string? Take(Dictionary<string, string> keys, HashSet<string> used, string key)
        {
            if (!keys.TryGetValue(key, out var value))
            {
                return null;
            }

            used.Add(key);
            return value;
        }

        private static string Indent(string text, int spaces)
        {
            var pad = new string(' ', spaces);
            return string.Concat(text.Split('\n').Where(l => l.Length > 0).Select(l => pad + l + "\n"));
        }

        /// <summary>A YAML double-quoted scalar (JSON escapes are valid YAML).</summary>
        internal static string Quote(string text)
        {
            var sb = new StringBuilder("\"");
            foreach (var c in text)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default:
                        if (c < ' ' || c == '\u007f')
                        {
                            sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            sb.Append(c);
                        }

                        break;
                }
            }

            return sb.Append('"').ToString();
        }

        // A value in a comment stays on one line.
        private static string Escape(string value) => Quote(value);
    }
}
