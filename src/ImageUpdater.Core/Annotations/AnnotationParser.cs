using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Tags;

namespace ImageUpdater.Core.Annotations
{
    /// <summary>The image specs, write-back settings and problems read from one application's annotations.</summary>
    public sealed class ParsedAnnotations
    {
        public ParsedAnnotations(IReadOnlyList<ImageSpec> images, WriteBackSpec writeBack, IReadOnlyList<AnnotationDiagnostic> diagnostics)
        {
            Images = images;
            WriteBack = writeBack;
            Diagnostics = diagnostics;
        }

        public IReadOnlyList<ImageSpec> Images { get; }

        public WriteBackSpec WriteBack { get; }

        public IReadOnlyList<AnnotationDiagnostic> Diagnostics { get; }
    }

    /// <summary>
    /// Reads <c>argocd-image-updater.argoproj.io/*</c> annotations with upstream semantics (per-image key, then app-wide key, then default)
    /// and, unlike upstream, explains every silent fallback as a diagnostic.
    /// </summary>
    public static class AnnotationParser
    {
        public static ParsedAnnotations Parse(string application, IReadOnlyDictionary<string, string> annotations)
        {
            var diagnostics = new List<AnnotationDiagnostic>();
            var keys = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in annotations)
            {
                if (pair.Key.StartsWith(AnnotationKeys.Prefix, StringComparison.Ordinal))
                {
                    keys[pair.Key.Substring(AnnotationKeys.Prefix.Length)] = pair.Value ?? string.Empty;
                }
            }

            void Report(string key, DiagnosticSeverity severity, string message) =>
                diagnostics.Add(new AnnotationDiagnostic(application, key, severity, message));

            var images = ParseImageList(keys, Report);
            foreach (var image in images)
            {
                ApplyImageOptions(image, keys, Report);
            }

            CheckKeys(keys, images, (key, message) => diagnostics.Add(new AnnotationDiagnostic(application, key, DiagnosticSeverity.Error, message) { UnknownKey = true }));
            var writeBack = ParseWriteBack(keys, Report);

            var parsed = new ParsedAnnotations(images, writeBack, diagnostics);
            diagnostics.AddRange(WriteBack.Templates.TemplateAnnotationCheck.Check(parsed, application));
            return parsed;
        }

        private static List<ImageSpec> ParseImageList(Dictionary<string, string> keys, Action<string, DiagnosticSeverity, string> report)
        {
            var images = new List<ImageSpec>();
            if (!keys.TryGetValue(AnnotationKeys.ImageList, out var list))
            {
                if (keys.Count > 0)
                {
                    report(AnnotationKeys.ImageList, DiagnosticSeverity.Error, "The application has image-updater annotations but no image-list, so no image is updated. Add 'argocd-image-updater.argoproj.io/image-list: alias=registry/repository'.");
                }

                return images;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var raw in list.Split(','))
            {
                var entry = raw.Trim();
                if (entry.Length == 0)
                {
                    continue;
                }

                string? alias = null;
                var reference = entry;
                var eq = entry.IndexOf('=');
                if (eq >= 0)
                {
                    var candidateAlias = entry.Substring(0, eq).Trim();
                    if (candidateAlias.IndexOfAny(new[] { ':', '<', '>', '!', '~', '^' }) >= 0)
                    {
                        // 'nginx:>=1.2' without an alias: upstream splits at the first '=' and mis-parses it; we read it as meant and say so.
                        report(AnnotationKeys.ImageList, DiagnosticSeverity.Error, $"'{entry}' has a constraint containing '=' but no alias; Argo CD Image Updater splits it at the first '=' and mis-parses it. Write it with an alias, e.g. 'app={entry}'.");
                    }
                    else
                    {
                        alias = candidateAlias;
                        reference = entry.Substring(eq + 1).Trim();
                    }
                }

                if (!ImageReference.TryParse(reference, out var parsed, out var parseError))
                {
                    report(AnnotationKeys.ImageList, DiagnosticSeverity.Error, $"'{entry}' is not an image reference: {parseError}");
                    continue;
                }

                if (alias is not null)
                {
                    if (alias.Length == 0)
                    {
                        report(AnnotationKeys.ImageList, DiagnosticSeverity.Error, $"'{entry}' has an empty alias before '='.");
                        alias = null;
                    }
                    else if (!seen.Add(alias.Replace("/", "_")))
                    {
                        report(AnnotationKeys.ImageList, DiagnosticSeverity.Error, $"The alias '{alias}' is used more than once; aliases must be unique within an application, or their options apply to both images.");
                    }
                }

                images.Add(new ImageSpec(alias, parsed));
            }

            if (images.Count == 0)
            {
                report(AnnotationKeys.ImageList, DiagnosticSeverity.Error, "image-list is empty.");
            }

            return images;
        }

        private static string? Option(Dictionary<string, string> keys, ImageSpec image, string option, bool appWide)
        {
            if (keys.TryGetValue(image.KeyAlias + "." + option, out var specific))
            {
                return specific;
            }

            return appWide && keys.TryGetValue(option, out var general) ? general : null;
        }

        private static string KeyOf(Dictionary<string, string> keys, ImageSpec image, string option) =>
            keys.ContainsKey(image.KeyAlias + "." + option) ? image.KeyAlias + "." + option : option;

        private static void ApplyImageOptions(ImageSpec image, Dictionary<string, string> keys, Action<string, DiagnosticSeverity, string> report)
        {
            var strategy = Option(keys, image, AnnotationKeys.UpdateStrategy, appWide: true);
            if (strategy is not null)
            {
                var key = KeyOf(keys, image, AnnotationKeys.UpdateStrategy);
                if (UpdateStrategyNames.TryParse(strategy, out var parsed, out var deprecated))
                {
                    image.UpdateStrategy = parsed;
                    if (deprecated)
                    {
                        report(key, DiagnosticSeverity.Warning, $"Strategy '{strategy.Trim()}' is a deprecated name; write '{parsed.ToAnnotationValue()}'.");
                    }
                }
                else
                {
                    image.UpdateStrategy = UpdateStrategy.Semver;
                    report(key, DiagnosticSeverity.Error, $"Unknown update strategy '{strategy}'; Argo CD Image Updater silently falls back to semver. Use {UpdateStrategyNames.Choices}.");
                }
            }

            var allow = Option(keys, image, AnnotationKeys.AllowTags, appWide: true);
            if (allow is null)
            {
                allow = Option(keys, image, AnnotationKeys.TagMatch, appWide: true);
                if (allow is not null)
                {
                    report(KeyOf(keys, image, AnnotationKeys.TagMatch), DiagnosticSeverity.Warning, "tag-match is the deprecated name of allow-tags; rename the key.");
                }
            }

            if (allow is not null)
            {
                image.AllowTags = allow.Trim();
                var key = KeyOf(keys, image, keys.ContainsKey(KeyOf(keys, image, AnnotationKeys.AllowTags)) ? AnnotationKeys.AllowTags : AnnotationKeys.TagMatch);
                if (!AllowTagsFilter.TryParse(image.AllowTags, out _, out var allowError))
                {
                    report(key, DiagnosticSeverity.Error, allowError + "; the image is never updated.");
                }
            }

            var ignore = Option(keys, image, AnnotationKeys.IgnoreTags, appWide: true);
            if (ignore is not null)
            {
                image.IgnoreTags = ignore.Split(',').Select(t => t.Trim()).Where(t => t.Length > 0).ToArray();
                foreach (var pattern in image.IgnoreTags)
                {
                    if (!TagGlob.TryParse(pattern, out _, out var globError))
                    {
                        report(KeyOf(keys, image, AnnotationKeys.IgnoreTags), DiagnosticSeverity.Error, globError!);
                    }
                }
            }

            var platforms = Option(keys, image, AnnotationKeys.Platforms, appWide: false);
            if (platforms is not null)
            {
                image.Platforms = platforms.Split(',').Select(t => t.Trim()).Where(t => t.Length > 0).ToArray();
                foreach (var platform in image.Platforms)
                {
                    if (!PlatformFilter.TryParse(new[] { platform }, out _, out var platformError))
                    {
                        report(KeyOf(keys, image, AnnotationKeys.Platforms), DiagnosticSeverity.Error, char.ToUpperInvariant(platformError![0]) + platformError.Substring(1) + ".");
                    }
                }
            }

            var minAge = Option(keys, image, AnnotationKeys.MinAge, appWide: true);
            if (minAge is not null)
            {
                if (MinimumAge.TryParse(minAge, out var age, out var ageError))
                {
                    image.MinimumAge = age;
                }
                else
                {
                    // Unreadable: the image is held rather than updated to a tag that is perhaps too young.
                    image.MinimumAge = TimeSpan.FromDays(36500);
                    report(KeyOf(keys, image, AnnotationKeys.MinAge), DiagnosticSeverity.Error, char.ToUpperInvariant(ageError[0]) + ageError.Substring(1) + "; the image is not updated.");
                }
            }

            var hold = Option(keys, image, AnnotationKeys.Hold, appWide: true);
            if (hold is not null)
            {
                // Unreadable: held, since a person meant to say something about this image.
                image.Hold = Updating.HoldSetting.TryParse(hold, out var setting, out var holdError) ? setting : Updating.HoldSetting.Indefinite;
                if (holdError.Length > 0)
                {
                    report(KeyOf(keys, image, AnnotationKeys.Hold), DiagnosticSeverity.Error, char.ToUpperInvariant(holdError[0]) + holdError.Substring(1) + "; the image is held.");
                }
            }

            image.ForceUpdate = Option(keys, image, AnnotationKeys.ForceUpdate, appWide: true) == "true";
            image.PullSecret = Option(keys, image, AnnotationKeys.PullSecret, appWide: true);
            image.HelmImageName = Option(keys, image, AnnotationKeys.HelmImageName, appWide: false);
            image.HelmImageTag = Option(keys, image, AnnotationKeys.HelmImageTag, appWide: false);
            image.HelmImageSpec = Option(keys, image, AnnotationKeys.HelmImageSpec, appWide: false);
            image.KustomizeImageName = Option(keys, image, AnnotationKeys.KustomizeImageName, appWide: false);

            // The constraint is written in image-list, so a problem with it is reported there.
            if (image.UpdateStrategy.CheckConstraint(image.Constraint, image.Image) is { } constraintProblem)
            {
                report(AnnotationKeys.ImageList, DiagnosticSeverity.Error, constraintProblem);
            }

            if (image.HelmImageSpec is not null && (image.HelmImageName is not null || image.HelmImageTag is not null))
            {
                report(KeyOf(keys, image, AnnotationKeys.HelmImageSpec), DiagnosticSeverity.Warning, "helm.image-spec is set, so helm.image-name and helm.image-tag are ignored.");
            }
        }

        private static void CheckKeys(Dictionary<string, string> keys, List<ImageSpec> images, Action<string, string> report)
        {
            var aliases = new HashSet<string>(images.Select(i => i.KeyAlias), StringComparer.Ordinal);
            var known = AnnotationKeys.ApplicationKeys.Concat(aliases.SelectMany(a => AnnotationKeys.PerImageOptions.Select(o => a + "." + o))).ToList();
            foreach (var key in keys.Keys.OrderBy(k => k, StringComparer.Ordinal))
            {
                if (AnnotationKeys.ApplicationKeys.Contains(key))
                {
                    continue;
                }

                var option = AnnotationKeys.PerImageOptions.FirstOrDefault(o => key.EndsWith("." + o, StringComparison.Ordinal) && key.Length > o.Length + 1);
                if (option is null)
                {
                    var hint = key == AnnotationKeys.Platforms || AnnotationKeys.PerImageOptions.Contains(key)
                        ? $" '{key}' exists only per image: write '<alias>.{key}'."
                        : DidYouMean(key, known);
                    report(key, $"Unknown annotation key '{AnnotationKeys.Prefix}{key}'; Argo CD Image Updater ignores it.{hint}");
                    continue;
                }

                var alias = key.Substring(0, key.Length - option.Length - 1);
                if (!aliases.Contains(alias))
                {
                    var list = aliases.Count == 0 ? "image-list defines no alias" : "aliases in image-list: " + string.Join(", ", aliases.OrderBy(a => a, StringComparer.Ordinal));
                    report(key, $"'{key}' names the alias '{alias}', which is not in image-list ({list}); the option is ignored.{DidYouMean(key, known)}");
                }
            }
        }

        /// <summary>" Did you mean 'x'?" for the one known key nearest to a mistyped one (at most 2 edits, or a quarter of its length), else empty.</summary>
        internal static string DidYouMean(string key, IEnumerable<string> known)
        {
            var limit = Math.Max(2, key.Length / 4);
            var best = known.Select(k => (Key: k, Distance: EditDistance(key, k))).Where(c => c.Distance <= limit)
                .OrderBy(c => c.Distance).ThenBy(c => c.Key, StringComparer.Ordinal).FirstOrDefault();
            return best.Key is null ? string.Empty : $" Did you mean '{best.Key}'?";
        }

        private static int EditDistance(string a, string b)
        {
            var previous = Enumerable.Range(0, b.Length + 1).ToArray();
            for (var i = 1; i <= a.Length; i++)
            {
                var current = new int[b.Length + 1];
                current[0] = i;
                for (var j = 1; j <= b.Length; j++)
                {
                    current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                }

                previous = current;
            }

            return previous[b.Length];
        }

        private static WriteBackSpec ParseWriteBack(Dictionary<string, string> keys, Action<string, DiagnosticSeverity, string> report)
        {
            var spec = new WriteBackSpec();
            if (keys.TryGetValue(AnnotationKeys.WriteBackMethod, out var method))
            {
                var m = method.Trim();
                if (m == "argocd")
                {
                    spec.Method = WriteBackMethod.Argocd;
                }
                else if (m == "git" || m == "git:repocreds")
                {
                    spec.Method = WriteBackMethod.Git;
                    spec.Credentials = "repocreds";
                }
                else if (m.StartsWith("git:secret:", StringComparison.Ordinal) && Regex.IsMatch(m.Substring("git:secret:".Length), "^[^/\\s]+/[^/\\s]+$"))
                {
                    spec.Method = WriteBackMethod.Git;
                    spec.Credentials = m.Substring("git:".Length);
                }
                else
                {
                    report(AnnotationKeys.WriteBackMethod, DiagnosticSeverity.Error, $"Invalid write-back method '{method}'; use argocd, git, git:repocreds or git:secret:<namespace>/<secret>.");
                }
            }

            if (keys.TryGetValue(AnnotationKeys.WriteBackTarget, out var target))
            {
                spec.Target = ParseTarget(target.Trim(), report);
                if (spec.Method != WriteBackMethod.Git)
                {
                    report(AnnotationKeys.WriteBackTarget, DiagnosticSeverity.Warning, "write-back-target has no effect unless write-back-method is git.");
                }
            }

            var branchKey = keys.ContainsKey(AnnotationKeys.GitBranch) ? AnnotationKeys.GitBranch : AnnotationKeys.GitBranchDotted;
            if (keys.TryGetValue(branchKey, out var branch))
            {
                if (keys.ContainsKey(AnnotationKeys.GitBranch) && keys.ContainsKey(AnnotationKeys.GitBranchDotted) && keys[AnnotationKeys.GitBranch] != keys[AnnotationKeys.GitBranchDotted])
                {
                    report(AnnotationKeys.GitBranchDotted, DiagnosticSeverity.Warning, "Both git-branch and git.branch are set and differ; git-branch wins.");
                }

                var parts = branch.Trim().Split(':');
                if (parts.Length > 2)
                {
                    report(branchKey, DiagnosticSeverity.Error, $"'{branch}' has more than one ':'; write 'branch', 'base:write' or ':write'.");
                }
                else
                {
                    spec.BaseBranch = parts[0].Trim().Length == 0 ? null : parts[0].Trim();
                    spec.WriteBranch = parts.Length == 2 ? parts[1].Trim() : null;
                    if (parts.Length == 2 && spec.WriteBranch!.Length == 0)
                    {
                        report(branchKey, DiagnosticSeverity.Error, $"'{branch}' has an empty write branch after ':'.");
                        spec.WriteBranch = null;
                    }
                }
            }

            spec.Repository = Value(keys, AnnotationKeys.GitRepository);
            spec.CommitMessage = keys.TryGetValue(AnnotationKeys.GitCommitMessage, out var message) && message.Trim().Length > 0 ? message : null;
            spec.AuthorName = Value(keys, AnnotationKeys.GitUser);
            spec.AuthorEmail = Value(keys, AnnotationKeys.GitEmail);
            spec.SigningKey = Value(keys, AnnotationKeys.GitCommitSigningKey);
            switch (Value(keys, AnnotationKeys.GitCommitSigningMethod)?.ToLowerInvariant())
            {
                case null: break;
                case "openpgp": spec.SigningMethod = CommitSigningMethod.OpenPgp; break;
                case "ssh": spec.SigningMethod = CommitSigningMethod.Ssh; break;
                case var other: report(AnnotationKeys.GitCommitSigningMethod, DiagnosticSeverity.Error, $"Invalid commit signing method '{other}'; use openpgp or ssh."); break;
            }

            switch (Value(keys, AnnotationKeys.GitCommitSignOff)?.ToLowerInvariant())
            {
                case null: break;
                case "true": spec.SignOff = true; break;
                case "false": spec.SignOff = false; break;
                case var other: report(AnnotationKeys.GitCommitSignOff, DiagnosticSeverity.Error, $"Invalid git.commit-sign-off '{other}'; use true or false."); break;
            }

            switch (Value(keys, AnnotationKeys.GitPullRequest)?.ToLowerInvariant())
            {
                case null: break;
                case "true": spec.PullRequest = true; break;
                case "false": spec.PullRequest = false; break;
                case var other: report(AnnotationKeys.GitPullRequest, DiagnosticSeverity.Error, $"Invalid git.pull-request '{other}'; use true or false."); break;
            }

            return spec;
        }

        private static string? Value(Dictionary<string, string> keys, string key) =>
            keys.TryGetValue(key, out var value) && value.Trim().Length > 0 ? value.Trim() : null;

        private static WriteBackTarget ParseTarget(string target, Action<string, DiagnosticSeverity, string> report)
        {
            WriteBackTarget result;
            if (target == "helmvalues" || target.StartsWith("helmvalues:", StringComparison.Ordinal))
            {
                result = new WriteBackTarget(WriteBackTargetKind.HelmValues, target.Length > "helmvalues:".Length ? target.Substring("helmvalues:".Length) : null);
            }
            else if (target == "kustomization" || target.StartsWith("kustomization:", StringComparison.Ordinal))
            {
                result = new WriteBackTarget(WriteBackTargetKind.Kustomization, target.Length > "kustomization:".Length ? target.Substring("kustomization:".Length) : null);
            }
            else if (target.Length == 0)
            {
                report(AnnotationKeys.WriteBackTarget, DiagnosticSeverity.Error, "write-back-target is empty; remove it for the default .argocd-source file, or write helmvalues[:path] or kustomization[:path].");
                return new WriteBackTarget(WriteBackTargetKind.ArgoCDSource, null);
            }
            else
            {
                result = new WriteBackTarget(WriteBackTargetKind.File, target);
                report(AnnotationKeys.WriteBackTarget, DiagnosticSeverity.Warning, $"'{target}' is neither helmvalues[:path] nor kustomization[:path]; it is used verbatim as a file path (upstream backward compatibility).");
            }

            return result;
        }
    }
}
