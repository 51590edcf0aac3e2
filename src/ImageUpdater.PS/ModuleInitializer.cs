#if NET472
using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;

namespace ImageUpdater.PS
{
    /// <summary>
    /// Windows PowerShell 5.1 has no AssemblyLoadContext and no binding redirects: facade and dependency requests whose
    /// version differs from the file we ship (System.Memory, System.Text.Json, …) are answered from our own bin folder.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly string Directory = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!;

        public void OnImport() => AppDomain.CurrentDomain.AssemblyResolve += Resolve;

        public void OnRemove(PSModuleInfo module) => AppDomain.CurrentDomain.AssemblyResolve -= Resolve;

        private static Assembly? Resolve(object? sender, ResolveEventArgs args)
        {
            var name = new AssemblyName(args.Name).Name;
            var path = Path.Combine(Directory, name + ".dll");
            return File.Exists(path) ? Assembly.LoadFrom(path) : null;
        }
    }
}
#endif
