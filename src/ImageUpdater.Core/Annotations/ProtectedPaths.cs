using System;
using System.Collections.Generic;
using System.Linq;

namespace ImageUpdater.Core.Annotations
{
    /// <summary>
    /// Repository files that configure what runs (CI workflows, git attributes and submodules): a write-back target named by an
    /// annotation must not land there, or whoever edits an Application (or a registry's tag) writes into a pipeline.
    /// </summary>
    public static class ProtectedPaths
    {
        /// <summary>Folders (any file below) and files (at any depth), compared ignoring case.</summary>
        public static readonly IReadOnlyList<string> Folders = new[] { ".github", ".git", ".gitlab", ".azure-pipelines", ".circleci", ".buildkite" };

        public static readonly IReadOnlyList<string> Files = new[] { ".gitlab-ci.yml", ".gitattributes", ".gitmodules", "azure-pipelines.yml", "azure-pipelines.yaml", "Jenkinsfile", "bitbucket-pipelines.yml", ".travis.yml" };

        /// <summary>
        /// Why <paramref name="relativePath"/> ('/'-separated, from the repository root) is protected, or null. An entry of
        /// <paramref name="allowed"/> equal to the path or to a folder above it lifts the protection (the operator's choice).
        /// </summary>
        public static string? Problem(string relativePath, IEnumerable<string>? allowed = null)
        {
            var segments = relativePath.Replace('\\', '/').Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries);
            if (segments.Length == 0)
            {
                return null;
            }

            var normalized = string.Join("/", segments);
            foreach (var entry in allowed ?? Array.Empty<string>())
            {
                var allow = (entry ?? string.Empty).Replace('\\', '/').Trim('/');
                if (allow.Length > 0 && (string.Equals(normalized, allow, StringComparison.OrdinalIgnoreCase)
                    || normalized.StartsWith(allow + "/", StringComparison.OrdinalIgnoreCase)))
                {
                    return null;
                }
            }

            // Trailing dots and spaces are dropped by Windows file systems, so '.github. ' is '.github' there.
            var names = segments.Select(s => s.TrimEnd('.', ' ')).ToArray();
            for (var i = 0; i < names.Length - 1; i++)
            {
                if (Folders.Any(f => string.Equals(f, names[i], StringComparison.OrdinalIgnoreCase)))
                {
                    return $"'{normalized}' is under {names[i]}/, which holds CI or git configuration";
                }
            }

            var file = names[names.Length - 1];
            if (Files.Any(f => string.Equals(f, file, StringComparison.OrdinalIgnoreCase)) || string.Equals(file, ".git", StringComparison.OrdinalIgnoreCase))
            {
                return $"'{normalized}' is {file}, a file that configures CI or git";
            }

            return null;
        }
    }
}
