using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Updating;

namespace ImageUpdater.Core.WriteBack
{
    /// <summary>
    /// What an application read from a file writes back to now: the value at its write-back target in the git checkout the manifest
    /// lives in, read the way the git writer reads it (same target, same YAML target class), so the planner and the writer agree.
    /// Only a checkout whose remote is the application's write-back repository is read. An instance is one run: it reads each file
    /// once (every application of the run sees the same bytes), and the next run, with a new instance, reads the file again.
    /// </summary>
    public sealed class CheckoutCurrentTag : ICurrentTagSource
    {
        private readonly ConcurrentDictionary<string, Lazy<byte[]?>> files = new ConcurrentDictionary<string, Lazy<byte[]?>>(StringComparer.Ordinal);

        public CurrentImage? Read(ArgoApplication app, ImageSpec spec)
        {
            if (app.Origin is null || app.WriteBack.Method != WriteBackMethod.Git || !File.Exists(app.Origin))
            {
                return null;
            }

            try
            {
                var root = CheckoutOf(Path.GetDirectoryName(Path.GetFullPath(app.Origin)));
                if (root is null || !RemoteIs(root, GitWriteBack.RepositoryOf(app)))
                {
                    return null;
                }

                var target = GitTarget.Resolve(root, app, app.AnnotatedSource, RepositoryFiles.WorkingTree);
                var bytes = ReadOnce(target.FullPath);
                if (bytes is null)
                {
                    return null;
                }

                // Any tag will do: the edit is computed in memory for the value it replaces, never written.
                var probe = new ImageUpdateCandidate(app, spec) { NewTag = "probe" };
                var old = GitTargetEditor.For(target).Apply(target.FullPath, bytes, new[] { ImageUpdate.From(probe) }).Results.FirstOrDefault()?.OldTag;
                if (string.IsNullOrEmpty(old))
                {
                    return null;
                }

                TagText.Parse(old, out var tag, out var digest);
                return new CurrentImage(tag, digest, target.RelativePath);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Unreadable here means unknown, as before; the write-back reports the real problem with its own error.
                return null;
            }
        }

        private byte[]? ReadOnce(string path) =>
            files.GetOrAdd(path, p => new Lazy<byte[]?>(() => File.Exists(p) ? Yaml.YamlEditor.ReadBytes(p) : null)).Value;

        private static string? CheckoutOf(string? folder)
        {
            for (var dir = folder; !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
            {
                if (Directory.Exists(Path.Combine(dir, ".git")))
                {
                    return dir;
                }
            }

            return null;
        }

        /// <summary>True when the checkout's .git/config names <paramref name="repository"/> as a remote URL.</summary>
        private static bool RemoteIs(string root, string? repository)
        {
            var config = Path.Combine(root, ".git", "config");
            if (repository is null || !File.Exists(config))
            {
                return false;
            }

            var wanted = LocalPath(repository);
            return File.ReadAllLines(config)
                .Select(l => l.Trim())
                .Where(l => l.StartsWith("url", StringComparison.Ordinal) && l.IndexOf('=') > 0)
                .Any(l => RepositoryUrl.Same(LocalPath(l.Substring(l.IndexOf('=') + 1).Trim()), wanted));
        }

        // A clone of a local repository records its path where the Application may say file://; compare them as paths.
        private static string LocalPath(string url) =>
            url.StartsWith("file://", StringComparison.OrdinalIgnoreCase) && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.LocalPath : url;
    }
}
