using System;
using System.Globalization;
using System.Linq;
using ImageUpdater.Core.Tags;

namespace TagSelectionBench
{
    /// <summary>Prints the median time of TagSelector.Select over N generated tags with a constraint and an allow-tags regexp (default N = 100 000).</summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            int count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
            int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 31;
            var tags = BenchTags.Generate(count);
            var options = BenchTags.Options();
            TagSelectionResult? result = null;
            var process = System.Diagnostics.Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var times = BenchTags.Time(() => result = TagSelector.Select(tags, options), warmup: 5, runs: runs);
            process.Refresh();

            // CPU time per run (all threads, warm-up included) is less sensitive than wall time to other processes on the machine.
            double cpuPerRun = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / (runs + 5);
            var sorted = times.OrderBy(t => t).ToArray();
            Console.WriteLine(string.Format(
                CultureInfo.InvariantCulture,
                "TagSelector.Select, {0} tags, constraint {1}, allow-tags {2}: median {3:F2} ms (min {4:F2}, max {5:F2}, {6} runs; CPU {8:F2} ms per run) on {7}",
                count,
                BenchTags.Constraint,
                BenchTags.AllowTags,
                BenchTags.Median(times),
                sorted[0],
                sorted[sorted.Length - 1],
                runs,
                System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
                cpuPerRun));
            if (System.IO.File.Exists("/proc/loadavg"))
            {
                // The figures are wall-clock; on a shared machine the load says how much they are inflated.
                Console.WriteLine("Load average: " + System.IO.File.ReadAllText("/proc/loadavg").Trim() + " on " + Environment.ProcessorCount + " CPUs");
            }

            Console.WriteLine("Winner: " + result!.WinnerText);
            Console.WriteLine("Reason: " + result.Reason);
            return 0;
        }
    }
}
