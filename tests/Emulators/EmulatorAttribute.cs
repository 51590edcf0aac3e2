using System;

namespace ImageUpdater.Emulators
{
    /// <summary>
    /// Marks <c>public static Task&lt;IEmulator&gt; Start(string[] options)</c> as the entry of an emulator kind
    /// (<c>ImageUpdater.Emulators &lt;kind&gt;</c>), so adding an emulator needs no edit of Program.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
    public sealed class EmulatorAttribute : Attribute
    {
        public EmulatorAttribute(string kind)
        {
            Kind = kind;
        }

        public string Kind { get; }
    }
}
