using System;
using System.Reflection;
using System.Runtime.InteropServices;
using LibGit2Sharp;

namespace ImageUpdater.Core.WriteBack.Git
{
    /// <summary>
    /// libgit2's connect and read timeouts (GIT_OPT_SET_SERVER_CONNECT_TIMEOUT/_TIMEOUT, process-wide), which LibGit2Sharp 0.32 does not
    /// expose: without them a server that accepts and never answers holds a run forever.
    /// </summary>
    internal static class GitTimeouts
    {
        private const int SetServerConnectTimeout = 39;
        private const int SetServerTimeout = 41;
        private static readonly object Gate = new object();
        private static int applied = -1;

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate int SetInt(int option, int value);

        // Apple arm64 passes variadic arguments on the stack: fill the eight registers first (as LibGit2Sharp does).
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate int SetIntOnStack(int option, IntPtr r1, IntPtr r2, IntPtr r3, IntPtr r4, IntPtr r5, IntPtr r6, IntPtr r7, int value);

        /// <summary>Sets both timeouts to <paramref name="timeout"/> (once per value); a failure is a warning, never fatal.</summary>
        public static void Apply(TimeSpan timeout, Action<string>? warning)
        {
            var milliseconds = (int)Math.Min(int.MaxValue, Math.Max(0, timeout.TotalMilliseconds));
            lock (Gate)
            {
                if (applied == milliseconds)
                {
                    return;
                }

                try
                {
                    var function = Export();
                    if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX) && RuntimeInformation.ProcessArchitecture == Architecture.Arm64)
                    {
                        var set = Marshal.GetDelegateForFunctionPointer<SetIntOnStack>(function);
                        Check(set(SetServerConnectTimeout, default, default, default, default, default, default, default, milliseconds));
                        Check(set(SetServerTimeout, default, default, default, default, default, default, default, milliseconds));
                    }
                    else
                    {
                        var set = Marshal.GetDelegateForFunctionPointer<SetInt>(function);
                        Check(set(SetServerConnectTimeout, milliseconds));
                        Check(set(SetServerTimeout, milliseconds));
                    }

                    applied = milliseconds;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    warning?.Invoke($"Cannot set libgit2's network timeouts ({e.Message}); a git server that stops answering may hold the run.");
                    applied = milliseconds;
                }
            }
        }

        private static void Check(int result)
        {
            if (result != 0)
            {
                throw new InvalidOperationException("git_libgit2_opts returned " + result);
            }
        }

        /// <summary>git_libgit2_opts of the libgit2 LibGit2Sharp loaded (its name carries the build: git2-5853918).</summary>
        private static IntPtr Export()
        {
            _ = GlobalSettings.Version; // loads and initialises the native library
            var assembly = typeof(Repository).Assembly;
            var name = assembly.GetType("LibGit2Sharp.Core.NativeDllName")?.GetField("Name", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null) as string
                ?? throw new InvalidOperationException("LibGit2Sharp's native library name is unknown");
#if NET8_0_OR_GREATER
            var library = NativeLibrary.Load(name, assembly, null);
            return NativeLibrary.GetExport(library, "git_libgit2_opts");
#else
            var module = GetModuleHandle(name + ".dll");
            if (module == IntPtr.Zero)
            {
                throw new InvalidOperationException(name + " is not loaded");
            }

            var function = GetProcAddress(module, "git_libgit2_opts");
            return function != IntPtr.Zero ? function : throw new InvalidOperationException("git_libgit2_opts not found in " + name);
#endif
        }

#if !NET8_0_OR_GREATER
        [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern IntPtr GetModuleHandle(string name);

        [DllImport("kernel32", CharSet = CharSet.Ansi, SetLastError = true, BestFitMapping = false)]
        private static extern IntPtr GetProcAddress(IntPtr module, string name);
#endif
    }
}
