using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace ImageUpdater.Emulators
{
    /// <summary>
    /// Starts one loopback emulator and prints <c>{"url": "..."}</c> on stdout once it listens; it stops when stdin closes.
    /// Usage: ImageUpdater.Emulators &lt;kind&gt; [options]. Each kind is a static method marked with <see cref="EmulatorAttribute"/>.
    /// </summary>
    public static class Program
    {
        /// <summary>Emulator kinds: name → factory taking the command-line options and returning a started server.</summary>
        public static readonly Dictionary<string, Func<string[], Task<IEmulator>>> Kinds = Discover();

        private static Dictionary<string, Func<string[], Task<IEmulator>>> Discover()
        {
            var kinds = new Dictionary<string, Func<string[], Task<IEmulator>>>(StringComparer.OrdinalIgnoreCase);
            foreach (var type in typeof(Program).Assembly.GetTypes())
            {
                foreach (var method in type.GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
                {
                    if (method.GetCustomAttributes(typeof(EmulatorAttribute), false) is EmulatorAttribute[] marks && marks.Length == 1)
                    {
                        kinds[marks[0].Kind] = (Func<string[], Task<IEmulator>>)Delegate.CreateDelegate(typeof(Func<string[], Task<IEmulator>>), method);
                    }
                }
            }

            return kinds;
        }

        public static async Task<int> Main(string[] args)
        {
            if (args.Length == 0 || !Kinds.TryGetValue(args[0], out var start))
            {
                Console.Error.WriteLine("usage: ImageUpdater.Emulators <" + string.Join("|", Kinds.Keys) + "> [options]");
                return 2;
            }

            var options = new string[args.Length - 1];
            Array.Copy(args, 1, options, 0, options.Length);
            await using var emulator = await start(options).ConfigureAwait(false);
            Console.Out.WriteLine(emulator.Describe());
            Console.Out.Flush();
            // Runs until the parent closes stdin (or the process is killed).
            await Console.In.ReadToEndAsync().ConfigureAwait(false);
            return 0;
        }
    }

    /// <summary>A running emulator.</summary>
    public interface IEmulator : IAsyncDisposable
    {
        /// <summary>One JSON line for the parent process: at least <c>url</c>.</summary>
        string Describe();
    }
}
