using System;
using System.Runtime.InteropServices;

namespace DecodeBench
{
    /// <summary>The calling thread's CPU time (Linux clock_gettime with CLOCK_THREAD_CPUTIME_ID); null elsewhere.</summary>
    internal static class ThreadCpu
    {
        private const int ClockThreadCpuTime = 3;

        public static double? Milliseconds()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                return null;
            }

            return ClockGetTime(ClockThreadCpuTime, out var time) == 0 ? time.Seconds * 1000.0 + time.Nanoseconds / 1_000_000.0 : null;
        }

        [DllImport("libc", EntryPoint = "clock_gettime")]
        private static extern int ClockGetTime(int clock, out TimeSpec time);

        [StructLayout(LayoutKind.Sequential)]
        private struct TimeSpec
        {
            public long Seconds;
            public long Nanoseconds;
        }
    }
}
