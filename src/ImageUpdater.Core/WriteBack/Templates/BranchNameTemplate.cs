using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace ImageUpdater.Core.WriteBack.Templates
{
    /// <summary>Write-branch names from a template over <c>.Images</c> (Name, Alias, OldTag, NewTag) and <c>.SHA256</c>, as upstream's <c>TemplateBranchName</c>.</summary>
    public static class BranchNameTemplate
    {
        /// <summary>Git hosts and upstream cap branch names here.</summary>
        public const int MaxLength = 255;

        public static readonly TemplateFields Fields = new TemplateFields(new Dictionary<string, TemplateFields?>
        {
            ["Images"] = TemplateFields.ListOf("Name", "Alias", "OldTag", "NewTag"),
            ["SHA256"] = null,
            ["AppName"] = null,
            ["AppNamespace"] = null,
        });

        /// <summary>Renders the branch name, truncated to 255 characters; a template that cannot render, or renders a name git or <see cref="GitRefName"/> refuses, throws (upstream refuses to push then too).</summary>
        public static string Render(string template, string appName, string? appNamespace, IReadOnlyList<ImageChange> changes)
        {
            var parsed = GoTemplate.Parse(template);
            var unknown = parsed.Validate(Fields);
            if (unknown.Count > 0)
            {
                throw new ImageUpdaterException("BranchTemplateUnknownField", FailureKind.InvalidData, $"The git-branch template '{template}' of application '{appName}' uses unknown field(s) {string.Join(", ", unknown.Select(u => "." + u))}; it may use .Images (Name, Alias, OldTag, NewTag) and .SHA256.", appName);
            }

            var images = changes.Select(c => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
            {
                ["Name"] = c.Name,
                ["Alias"] = c.Alias ?? string.Empty,
                ["OldTag"] = c.OldTag ?? string.Empty,
                ["NewTag"] = c.NewTag ?? string.Empty,
            }).ToList();
            var name = parsed.Render(new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
            {
                ["Images"] = images,
                ["SHA256"] = Sha256(changes),
                ["AppName"] = appName,
                ["AppNamespace"] = appNamespace ?? string.Empty,
            });
            if (name.Length == 0)
            {
                throw new ImageUpdaterException("BranchTemplateEmpty", FailureKind.InvalidData, $"The git-branch template '{template}' of application '{appName}' renders an empty branch name.", appName);
            }

            name = name.Length > MaxLength ? name.Substring(0, MaxLength) : name;
            if (GitRefName.BranchProblem(name) is { } problem)
            {
                throw new ImageUpdaterException("GitBranchNameInvalid", FailureKind.InvalidData, $"The git-branch '{template}' of application '{appName}' gives an invalid branch name: {problem}. Fix the annotation; other applications are not affected.", appName);
            }

            return name;
        }

        /// <summary>Upstream's hash: hex SHA-256 over <c>"&lt;name&gt;-&lt;old&gt;-&lt;new&gt;,"</c> for each change in order.</summary>
        public static string Sha256(IReadOnlyList<ImageChange> changes)
        {
            var text = string.Concat(changes.Select(c => $"{c.Name}-{c.OldTag}-{c.NewTag},"));
            using var sha = SHA256.Create();
            var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
            return string.Concat(hash.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        }
    }
}
