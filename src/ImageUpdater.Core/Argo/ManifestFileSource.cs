using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;

namespace ImageUpdater.Core.Argo
{
    /// <summary>
    /// Applications from manifest files and folders: files are parsed on several cores and answered in file order, and a file
    /// that cannot be read or parsed is one error while the others are still read.
    /// </summary>
    public sealed class ManifestFileSource : IApplicationSource
    {
        private readonly IReadOnlyList<string> paths;
        private readonly bool recurse;
        private readonly int parallelism;

        /// <param name="paths">Files or folders (file system paths; a missing one is an error in the answer).</param>
        /// <param name="recurse">Read the subfolders of folders too.</param>
        public ManifestFileSource(IEnumerable<string> paths, bool recurse, int parallelism = 0)
        {
            this.paths = paths.ToArray();
            this.recurse = recurse;
            this.parallelism = parallelism > 0 ? parallelism : Math.Max(1, Math.Min(Environment.ProcessorCount, 8));
        }

        public IEnumerable<ApplicationRead> Read(ApplicationQuery query, CancellationToken cancellationToken = default)
        {
            if (query.Selector is not null)
            {
                yield return ApplicationRead.Failed(new ImageUpdaterException("SelectorNotSupported", FailureKind.InvalidArgument,
                    "A label selector is applied by the Argo CD or Kubernetes API; manifest files cannot be filtered with it. Use -Name or Where-Object on Labels.", query.Selector));
                yield break;
            }

            var files = new List<string>();
            var failed = false;
            foreach (var path in paths)
            {
                var (found, error) = Enumerate(path);
                if (error is not null)
                {
                    failed = true;
                    yield return ApplicationRead.Failed(error, path);
                }

                files.AddRange(found);
            }

            var read = 0;
            var matched = new List<ArgoApplication>();
            var parsed = files.AsParallel().AsOrdered().WithDegreeOfParallelism(parallelism).WithCancellation(cancellationToken).Select(Parse);
            foreach (var file in parsed)
            {
                yield return ApplicationRead.Verbose($"Reading Applications from '{file.Path}'.");
                foreach (var resource in file.ImageUpdaters)
                {
                    yield return ApplicationRead.ImageUpdaterFound(resource);
                }

                read += file.Applications.Count;
                foreach (var app in file.Applications.Where(query.Matches))
                {
                    matched.Add(app);
                    yield return ApplicationRead.Found(app);
                }

                foreach (var error in file.Errors)
                {
                    failed = true;
                    yield return ApplicationRead.Failed(error, file.Path);
                }
            }

            if (!failed)
            {
                var where = "under " + string.Join(", ", paths.Select(p => "'" + p + "'"));
                foreach (var warning in query.Explain(where, read, matched, recurse ? null : SubfolderHint()))
                {
                    yield return warning;
                }
            }
        }

        public void Dispose()
        {
        }

        /// <summary>
        /// False when no file can hold an ImageUpdater resource: its text, decoded as the reader decodes it, neither names the kind nor
        /// has a backslash (a YAML or JSON escape could spell it). A file that cannot be read now may hold one.
        /// </summary>
        public bool MayHoldImageUpdaters() =>
            paths.SelectMany(p => Enumerate(p).Files).AsParallel().WithDegreeOfParallelism(parallelism).Any(MayHoldImageUpdater);

        private static bool MayHoldImageUpdater(string file)
        {
            try
            {
                var text = Yaml.YamlObjectReader.ReadFile(file);
                return text.IndexOf(ImageUpdaterResource.Kind, StringComparison.Ordinal) >= 0 || text.IndexOf('\\') >= 0;
            }
            catch (Exception)
            {
                return true;
            }
        }

        private (string[] Files, ImageUpdaterException? Error) Enumerate(string path)
        {
            try
            {
                return (ApplicationManifestReader.EnumerateFiles(path, recurse).ToArray(), null);
            }
            catch (ImageUpdaterException ex)
            {
                return (Array.Empty<string>(), ex);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return (Array.Empty<string>(), new ImageUpdaterException("PathUnreadable", FailureKind.ReadError, $"Cannot list '{path}': {ex.Message}", path, ex));
            }
        }

        private string? SubfolderHint()
        {
            var hasSubfolders = paths.Any(p =>
            {
                try
                {
                    return Directory.Exists(p) && Directory.EnumerateDirectories(p).Any();
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    return false;
                }
            });
            return hasSubfolders ? " Subfolders are not read without -Recurse." : null;
        }

        private static ParsedFile Parse(string path)
        {
            var errors = new List<ImageUpdaterException>();
            var imageUpdaters = new List<ImageUpdaterResource>();
            try
            {
                return new ParsedFile(path, ApplicationManifestReader.ReadFile(path, errors.Add, imageUpdaters), errors) { ImageUpdaters = imageUpdaters };
            }
            catch (ImageUpdaterException ex)
            {
                errors.Add(ex);
                return new ParsedFile(path, Array.Empty<ArgoApplication>(), errors);
            }
        }

        private sealed class ParsedFile
        {
            public ParsedFile(string path, IReadOnlyList<ArgoApplication> applications, List<ImageUpdaterException> errors)
            {
                Path = path;
                Applications = applications;
                Errors = errors;
            }

            public string Path { get; }

            public IReadOnlyList<ArgoApplication> Applications { get; }

            public List<ImageUpdaterException> Errors { get; }

            public IReadOnlyList<ImageUpdaterResource> ImageUpdaters { get; set; } = Array.Empty<ImageUpdaterResource>();
        }
    }
}
