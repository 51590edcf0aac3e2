using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace ImageUpdater.Core.Argo
{
    /// <summary>
    /// A source whose Applications ImageUpdater resources configure: the resources given, plus any found among the manifests the
    /// inner source reads. Applications are held until the read ends (a resource may come in a later file); without any resource
    /// they pass unchanged, configured by their own annotations.
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
            foreach (var read in inner.Read(query, cancellationToken))
            {
                switch (read.Kind)
                {
                    case ApplicationReadKind.ImageUpdater:
                        yield return ApplicationRead.Verbose($"Found ImageUpdater '{read.ImageUpdater!.QualifiedName}' in '{read.ImageUpdater.Origin}'.");
                        resources.Add(read.ImageUpdater);
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
