using System;
using System.IO;

namespace ImageUpdater.Core.IO
{
    /// <summary>
    /// Replaces a file's content all at once: a temporary file in the same folder, flushed, then renamed over it. A symbolic link
    /// is written through: its final target is replaced in the target's folder and the link stays a link.
    /// </summary>
    public static class AtomicFile
    {
        public static void Write(string path, byte[] content)
        {
            var full = LinkTarget(Path.GetFullPath(path));
            var folder = Path.GetDirectoryName(full) ?? ".";
            var temp = Path.Combine(folder, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    stream.Write(content, 0, content.Length);
                    stream.Flush(true);
                }

                var exists = File.Exists(full);
#if NET8_0_OR_GREATER
                if (exists && !OperatingSystem.IsWindows())
                {
                    // Keep the file's permissions (an executable or private file stays so).
                    File.SetUnixFileMode(temp, File.GetUnixFileMode(full));
                }

                File.Move(temp, full, true);
#else
                if (exists)
                {
                    File.Replace(temp, full, null);
                }
                else
                {
                    File.Move(temp, full);
                }
#endif
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                TryDelete(temp);
                throw new ImageUpdaterException("FileWriteFailed", ex is UnauthorizedAccessException ? FailureKind.PermissionDenied : FailureKind.WriteError,
                    $"Could not write '{full}': {ex.Message} The file was left as it was.", full, ex);
            }
        }

        /// <summary>The file a write to <paramref name="full"/> must replace: itself, or the final target of the link it is.</summary>
        public static string LinkTarget(string full)
        {
#if NET8_0_OR_GREATER
            var info = new FileInfo(full);
            if (info.LinkTarget is null)
            {
                return full;
            }

            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            if (target is null || !target.Exists || target is not FileInfo)
            {
                throw new ImageUpdaterException("FileLinkBroken", FailureKind.InvalidArgument, $"'{full}' is a symbolic link to '{info.LinkTarget}', which is not an existing file; nothing was written.", full);
            }

            return target.FullName;
#else
            if (File.Exists(full) && (File.GetAttributes(full) & FileAttributes.ReparsePoint) != 0)
            {
                throw new ImageUpdaterException("FileIsLink", FailureKind.InvalidArgument, $"'{full}' is a symbolic link; edit the file it points to. Nothing was written.", full);
            }

            return full;
#endif
        }

        private static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
