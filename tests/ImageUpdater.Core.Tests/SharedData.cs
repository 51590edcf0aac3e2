using System;
using System.IO;
using Xunit;

namespace ImageUpdater.Core.Tests
{
    /// <summary>The read-only corpus in ../shared/data beside the repository (present in CI).</summary>
    public static class SharedData
    {
        private static readonly Lazy<string?> Root = new Lazy<string?>(FindRoot);

        /// <summary>The corpus folder, or null when ../shared is absent.</summary>
        public static string? Path => Root.Value;

        public static string RealWorld(string file) => System.IO.Path.Combine(Require(), "real-world", file);

        public static string ApiModel(string file) => System.IO.Path.Combine(Require(), "api-models", file);

        /// <summary>The corpus folder; outside CI a test without it is skipped, in CI it fails.</summary>
        public static string Require()
        {
            var root = Path;
            if (root is null)
            {
                if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException("../shared/data is missing, and under CI=true the corpus tier must run.");
                }

                Assert.Skip("../shared/data is absent: the corpus tier runs only beside the shared folder.");
            }

            return root!;
        }

        private static string? FindRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null)
            {
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "ImageUpdater.PS.sln")))
                {
                    var shared = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared", "data"));
                    return Directory.Exists(shared) ? shared : null;
                }

                dir = dir.Parent;
            }

            return null;
        }
    }
}
