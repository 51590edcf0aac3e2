using System;

namespace ImageUpdater.Core.Yaml
{
    /// <summary>A YAML file that cannot be edited safely, with the place in the file (1-based line and column; 0 when not known).</summary>
    public sealed class YamlEditException : ImageUpdaterException
    {
        public YamlEditException(string errorId, FailureKind kind, string file, int line, int column, string message, Exception? inner = null)
            : base(errorId, kind, Locate(file, line, column) + message, file, inner)
        {
            File = file;
            Line = line;
            Column = column;
        }

        public string File { get; }

        public int Line { get; }

        public int Column { get; }

        private static string Locate(string file, int line, int column) =>
            line > 0 ? $"{file}:{line}:{column}: " : file + ": ";
    }
}
