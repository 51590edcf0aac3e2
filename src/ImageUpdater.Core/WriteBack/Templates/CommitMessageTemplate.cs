using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace ImageUpdater.Core.WriteBack.Templates
{
    /// <summary>Commit messages from upstream's template fields (<c>.AppName</c>, <c>.AppChanges</c>) plus top-level <c>.Tag</c>/<c>.NewTag</c>/<c>.OldTag</c>/<c>.Image</c>.</summary>
    public static class CommitMessageTemplate
    {
        /// <summary>Upstream's <c>DefaultGitCommitMessage</c>, byte for byte.</summary>
        public const string Default = "build: automatic update of {{ .AppName }}\n\n{{ range .AppChanges -}}\nupdates image {{ .Image }} tag '{{ .OldTag }}' to '{{ .NewTag }}'\n{{ end -}}\n";

        /// <summary>What a commit-message template may refer to; the annotation linter validates against it.</summary>
        public static readonly TemplateFields Fields = new TemplateFields(new Dictionary<string, TemplateFields?>
        {
            ["AppName"] = null,
            ["AppNamespace"] = null,
            ["AppChanges"] = TemplateFields.ListOf("Image", "Alias", "OldTag", "NewTag", "Tag", "Labels"),
            ["Image"] = null,
            ["Alias"] = null,
            ["OldTag"] = null,
            ["NewTag"] = null,
            ["Tag"] = null,
        });

        /// <summary>Upstream's message when the template cannot be rendered.</summary>
        public static string Fallback(string appName) => "build: update of application " + appName;

        /// <summary>Renders the template (null or empty = <see cref="Default"/>); on any failure returns <see cref="Fallback"/> and reports why through <paramref name="warn"/>.</summary>
        public static string Render(string? template, string appName, string? appNamespace, IReadOnlyList<ImageChange> changes, Action<string>? warn = null)
        {
            var text = string.IsNullOrEmpty(template) ? Default : template!;
            try
            {
                var parsed = GoTemplate.Parse(text);
                var unknown = parsed.Validate(Fields);
                if (unknown.Count > 0)
                {
                    throw new ImageUpdaterException("TemplateUnknownField", FailureKind.InvalidData, $"unknown field(s) {string.Join(", ", unknown.Select(u => "." + u))}; known: {string.Join(", ", Fields.Names.Select(n => "." + n))}");
                }

                return Safe(parsed.Render(Data(appName, appNamespace, changes)), appName, warn);
            }
            catch (ImageUpdaterException e)
            {
                warn?.Invoke($"The commit message template of application '{appName}' cannot be rendered ({e.Message}); using '{Fallback(appName)}'.");
                return Fallback(appName);
            }
        }

        /// <summary>Longest message a template may produce; longer ones are cut (a bot commit message is a few lines).</summary>
        public const int MaxLength = 64 * 1024;

        // Trailers git and forges read as attestations; a template or value from an annotation must not forge them.
        private static readonly Regex Trailer = new Regex(@"^[ \t]*(signed-off-by|co-authored-by|reviewed-by|acked-by|tested-by|reported-by|approved-by|helped-by|change-id)[ \t]*:",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Multiline);

        /// <summary>The rendered message without forged trailer lines and capped at <see cref="MaxLength"/>; <paramref name="warn"/> says what was removed.</summary>
        internal static string Safe(string message, string appName, Action<string>? warn)
        {
            var lines = message.Split('\n');
            var kept = lines.Where(l => !Trailer.IsMatch(l)).ToList();
            if (kept.Count != lines.Length)
            {
                warn?.Invoke($"The commit message of application '{appName}' had {lines.Length - kept.Count} trailer line(s) (Signed-off-by:, Co-authored-by:, …); they were removed, as the updater signs nothing for anyone.");
                message = string.Join("\n", kept);
            }

            if (message.Length > MaxLength)
            {
                warn?.Invoke($"The commit message of application '{appName}' has {message.Length:N0} characters; it was cut to {MaxLength:N0}.");
                message = message.Substring(0, MaxLength);
            }

            return message;
        }

        internal static IReadOnlyDictionary<string, object?> Data(string appName, string? appNamespace, IReadOnlyList<ImageChange> changes)
        {
            var list = changes.Select(c => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
            {
                ["Image"] = c.Name,
                ["Alias"] = c.Alias ?? string.Empty,
                ["OldTag"] = c.OldTag ?? string.Empty,
                ["NewTag"] = c.NewTag ?? string.Empty,
                ["Tag"] = c.NewTag ?? string.Empty,
                // A map as in Go: index finds keys exactly, a missing key is "".
                ["Labels"] = c.Labels.ToDictionary(l => l.Key, l => (object?)l.Value, StringComparer.Ordinal) as IReadOnlyDictionary<string, object?>,
            }).ToList();
            return new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
            {
                ["AppName"] = appName,
                ["AppNamespace"] = appNamespace ?? string.Empty,
                ["AppChanges"] = list,
                ["Image"] = Join(changes.Select(c => c.Name)),
                ["Alias"] = Join(changes.Select(c => c.Alias)),
                ["OldTag"] = Join(changes.Select(c => c.OldTag)),
                ["NewTag"] = Join(changes.Select(c => c.NewTag)),
                ["Tag"] = Join(changes.Select(c => c.NewTag)),
            };
        }

        private static string Join(IEnumerable<string?> values) => string.Join(", ", values.Where(v => !string.IsNullOrEmpty(v)));
    }
}
