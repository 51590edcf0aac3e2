namespace ImageUpdater.Core.Annotations
{
    // 64-bit on purpose: PowerShell's ConvertTo-Json writes such enums by name ("Status": "Updated"), not as a number.
    public enum DiagnosticSeverity : long
    {
        Warning,
        Error,
    }

    /// <summary>One problem found in an application's annotations (PSTypeName ImageUpdater.AnnotationDiagnostic).</summary>
    public sealed class AnnotationDiagnostic
    {
        public AnnotationDiagnostic(string application, string key, DiagnosticSeverity severity, string message)
        {
            Application = application;
            Key = key;
            Severity = severity;
            Message = message;
        }

        public string Application { get; }

        /// <summary>The annotation key without the prefix (e.g. <c>nginx.update-strategy</c>).</summary>
        public string Key { get; }

        public DiagnosticSeverity Severity { get; }

        public string Message { get; }

        /// <summary>An unknown key or an option for an alias not in image-list: upstream ignores it silently, so the run warns too.</summary>
        public bool UnknownKey { get; init; }

        public override string ToString() => $"{Severity}: {Application}: {Key}: {Message}";
    }
}
