using System.Collections.Generic;

namespace ImageUpdater.Core.Argo
{
    /// <summary>Where to read Applications from: files (<see cref="Paths"/>), a cluster (<see cref="Kubeconfig"/>), else an Argo CD server.</summary>
    public sealed class ApplicationSourceOptions
    {
        /// <summary>Manifest files or folders (file system paths); set = read files.</summary>
        public IReadOnlyList<string>? Paths { get; set; }

        public bool Recurse { get; set; }

        /// <summary>A kubeconfig file; set = read Application resources through the Kubernetes API.</summary>
        public string? Kubeconfig { get; set; }

        /// <summary>The kubeconfig context; null = its current-context.</summary>
        public string? Context { get; set; }

        /// <summary>Argo CD server; null = the session's, else ARGOCD_SERVER.</summary>
        public string? Server { get; set; }

        /// <summary>Argo CD token; null = the session's (same server), else ARGOCD_AUTH_TOKEN.</summary>
        public string? Token { get; set; }

        public bool SkipCertificateCheck { get; set; }

        /// <summary>The Connect-ArgoCD session, if any.</summary>
        public ArgoCDConnection? Session { get; set; }

        /// <summary>ImageUpdater resources that configure the Applications read (with any found among manifest files); null = none given.</summary>
        public IReadOnlyList<ImageUpdaterResource>? ImageUpdaters { get; set; }

        /// <summary>Files parsed at once; 0 = one per core, at most 8.</summary>
        public int Parallelism { get; set; }
    }

    /// <summary>The one place that turns source options into an <see cref="IApplicationSource"/>.</summary>
    public static class ApplicationSources
    {
        /// <summary>The source the options name. Throws an <see cref="ImageUpdaterException"/> when it cannot be opened (no server, no kubeconfig).</summary>
        public static IApplicationSource Create(ApplicationSourceOptions options)
        {
            // Files may hold ImageUpdater resources beside the Applications, so a file source always looks for them.
            var source = Open(options);
            return options.Paths is not null || options.ImageUpdaters is { Count: > 0 } ? new ImageUpdaterSource(source, options.ImageUpdaters) : source;
        }

        private static IApplicationSource Open(ApplicationSourceOptions options)
        {
            if (options.Paths is not null)
            {
                return new ManifestFileSource(options.Paths, options.Recurse, options.Parallelism);
            }

            if (options.Kubeconfig is not null)
            {
                return new KubernetesSource(new KubernetesApplicationReader(options.Kubeconfig, options.Context));
            }

            var connection = ArgoCDConnection.Resolve(options.Server, options.Token, options.SkipCertificateCheck, options.Session);
            return new ArgoCDApiSource(new ArgoCDClient(connection));
        }
    }
}
