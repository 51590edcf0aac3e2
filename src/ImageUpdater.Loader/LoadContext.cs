using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace ImageUpdater.Loader
{
    /// <summary>
    /// Loads ImageUpdater.PS.dll and every dependency beside it into one AssemblyLoadContext of the module's own,
    /// so another module's YamlDotNet, LibGit2Sharp or AWSSDK.Core (always versioned 4.0.0.0) is never handed to us.
    /// </summary>
    public sealed class LoadContext : AssemblyLoadContext
    {
        private static readonly object Sync = new object();
        private static LoadContext? instance;

        private readonly string assemblyDirectory;
        private readonly Assembly loaderAssembly;
        private readonly AssemblyName loaderAssemblyName;
        private readonly Assembly moduleAssembly;

        private LoadContext(string moduleAssemblyPath)
            : base("ImageUpdater.PS", isCollectible: false)
        {
            assemblyDirectory = Path.GetDirectoryName(moduleAssemblyPath)!;
            loaderAssembly = typeof(LoadContext).Assembly;
            loaderAssemblyName = loaderAssembly.GetName();
            moduleAssembly = LoadFromAssemblyPath(moduleAssemblyPath);
        }

        /// <summary>Returns the module assembly, loading it into the module's context on first call.</summary>
        public static Assembly Initialize()
        {
            lock (Sync)
            {
                if (instance is null)
                {
                    var dir = Path.GetDirectoryName(typeof(LoadContext).Assembly.Location)!;
                    instance = new LoadContext(Path.Combine(dir, "ImageUpdater.PS.dll"));
                }

                return instance.moduleAssembly;
            }
        }

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (AssemblyName.ReferenceMatchesDefinition(loaderAssemblyName, assemblyName))
            {
                return loaderAssembly;
            }

            var path = Path.Combine(assemblyDirectory, assemblyName.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
        {
            // LibGit2Sharp asks for "git2-<sha>"; the NuGet layout keeps it under runtimes/<rid>/native with a lib prefix on Unix.
            if (unmanagedDllName.StartsWith("git2-", StringComparison.Ordinal) || unmanagedDllName.StartsWith("libgit2-", StringComparison.Ordinal))
            {
                var name = unmanagedDllName.StartsWith("lib", StringComparison.Ordinal) ? unmanagedDllName.Substring(3) : unmanagedDllName;
                var path = Path.Combine(assemblyDirectory, "runtimes", RuntimeIdentifier(), "native", NativeFileName(name));
                if (File.Exists(path))
                {
                    return LoadUnmanagedDllFromPath(path);
                }
            }

            return IntPtr.Zero;
        }

        private static string NativeFileName(string name)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return name + ".dll";
            }

            return "lib" + name + (RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? ".dylib" : ".so");
        }

        private static string RuntimeIdentifier()
        {
            var arch = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 => "x64",
                Architecture.X86 => "x86",
                Architecture.Arm64 => "arm64",
                Architecture.Arm => "arm",
                _ => RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(),
            };

            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return "win-" + arch;
            }

            if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
            {
                return "osx-" + arch;
            }

            // musl distributions (Alpine) have no glibc loader.
            var musl = File.Exists("/etc/alpine-release") || !File.Exists("/lib64/ld-linux-x86-64.so.2") && Directory.Exists("/lib") && Directory.GetFiles("/lib", "ld-musl-*").Length > 0;
            return (musl ? "linux-musl-" : "linux-") + arch;
        }
    }
}
