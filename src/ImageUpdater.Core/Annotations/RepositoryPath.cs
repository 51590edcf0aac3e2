using System;
using System.Collections.Generic;
using System.Linq;

namespace ImageUpdater.Core.Annotations
{
    /// <summary>
    /// The one rule for a write-back-target path inside a repository, used by annotation validation and by git write-back:
    /// relative to the source path, or '/'-rooted from the repository root; '/' and '\' both separate; '.' is dropped.
    /// A '..' above the root, a drive letter (<c>C:</c>) or a UNC prefix (<c>\\server</c>, <c>//server</c>) leaves the repository.
    /// </summary>
    public static class RepositoryPath
    {
        /// <summary>The '/'-separated path from the repository root (empty for the root itself); null when it leaves the repository.</summary>
        public static string? Resolve(string? sourcePath, string path)
        {
            var text = path.Replace('\\', '/');
            if (text.StartsWith("//", StringComparison.Ordinal) || HasDrive(text) || HasDrive((sourcePath ?? string.Empty).Replace('\\', '/').TrimStart('/')))
            {
                return null;
            }

            var parts = new List<string>();
            if (!text.StartsWith("/", StringComparison.Ordinal) && !string.IsNullOrEmpty(sourcePath))
            {
                if (!Append(parts, sourcePath!))
                {
                    return null;
                }
            }

            return Append(parts, text) ? string.Join("/", parts) : null;
        }

        private static bool Append(List<string> parts, string path)
        {
            foreach (var part in path.Replace('\\', '/').Split('/').Where(p => p.Length > 0 && p != "."))
            {
                if (part != "..")
                {
                    parts.Add(part);
                }
                else if (parts.Count == 0)
                {
                    return false;
                }
                else
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }

            return true;
        }

        private static bool HasDrive(string path) =>
            path.Length >= 2 && path[1] == ':' && ((path[0] >= 'A' && path[0] <= 'Z') || (path[0] >= 'a' && path[0] <= 'z'));
    }
}
