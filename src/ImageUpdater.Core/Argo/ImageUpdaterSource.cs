using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace ImageUpdater.Core.Argo
{
    /// <summary>
    /// A source whose Applications ImageUpdater resources configure: the resources given, plus any found among the manifests the
    /// inner source reads. Applications are held until the read ends (a resource may come in a later file), unless no resource
    /// was given and no file can hold one: then each passes as soon as it is read. Without any resource they pass unchanged,
    /// configured by their own annotations.
    /// </summary>
    public sealed class ImageUpdaterSource : IApplicationSource
    {
        private readonly IApplicationSource inner;
        private readonly IReadOnlyList<ImageUpdaterResource> given;

        public ImageUpdaterSource(IApplicationSource inner, IEnumerable<ImageUpdaterResource>? given)
        {
            this.inner = inner;
            this.given = given?.ToArray() ?? new ImageUpdaterResource[0];
        }

        public IEnumerable<ApplicationRead> Read(ApplicationQuery query, CancellationToken cancellationToken = default)
        {
            var resources = given.ToList();
            var applications = new List<ArgoApplication>();
            var warnings = new List<ApplicationRead>();
            // No resource given and none possible in the files: nothing can configure an Application read earlier, so each passes at once.
            var streaming = resources.Count == 0 && inner is ManifestFileSource files && !files.MayHoldImageUpdaters();
            var passed = 0;
            foreach (var read in inner.Read(query, cancellationToken))
            {
                switch (read.Kind)
                {
                    case ApplicationReadKind.ImageUpdater:
                        yield return ApplicationRead.Verbose($"Found ImageUpdater '{read.ImageUpdater!.QualifiedName}' in '{read.ImageUpdater.Origin}'.");
                        if (streaming && passed > 0)
                        {
                            // Only a file changed since it was scanned gets here: the Applications already passed stay as they were read.
                            yield return ApplicationRead.Warning($"ImageUpdater '{read.ImageUpdater.QualifiedName}' in '{read.ImageUpdater.Origin}' appeared after {passed} Application(s) were read (the file changed while being read); it configures only the Applications read after it.");
                        }

                        streaming = false;
                        resources.Add(read.ImageUpdater);
                        break;
                    case ApplicationReadKind.Application when streaming:
                        passed++;
                        yield return read;
                        break;
                    case ApplicationReadKind.Application:
                        applications.Add(read.Application!);
                        break;
                    case ApplicationReadKind.Warning:
                        warnings.Add(read);
                        break;
                    default:
                        yield return read;
                        break;
                }
            }

            var answer = resources.Count == 0
                ? applications.Select(ApplicationRead.Found)
                : ImageUpdaterResolver.Apply(resources, applications);
            foreach (var read in warnings.Concat(answer))
            {
                yield return read;
            }
        }

        public void Dispose() => inner.Dispose();
    }
}
