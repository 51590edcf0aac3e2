namespace ImageUpdater.Core.Argo
{
    /// <summary>What an <see cref="ApplicationRead"/> carries.</summary>
    public enum ApplicationReadKind
    {
        Application,
        Error,
        Warning,
        Verbose,

        /// <summary>An ImageUpdater resource found among the manifests (files hold both kinds).</summary>
        ImageUpdater,
    }

    /// <summary>
    /// One item of a source's answer, in order: an Application, an error for one file or application (the others still come),
    /// or a line for -Verbose or a warning (what was asked, why nothing matched).
    /// </summary>
    public sealed class ApplicationRead
    {
        private ApplicationRead(ApplicationReadKind kind, ArgoApplication? application, ImageUpdaterException? error, string? message, object? target)
        {
            Kind = kind;
            Application = application;
            Error = error;
            Message = message;
            Target = target;
        }

        public ApplicationReadKind Kind { get; }

        public ArgoApplication? Application { get; }

        public ImageUpdaterResource? ImageUpdater { get; private set; }

        public ImageUpdaterException? Error { get; }

        /// <summary>The text of a warning or verbose line.</summary>
        public string? Message { get; }

        /// <summary>What an error concerns: the file, the application name, or the server or namespace listed.</summary>
        public object? Target { get; }

        public static ApplicationRead Found(ArgoApplication application) => new ApplicationRead(ApplicationReadKind.Application, application, null, null, null);

        public static ApplicationRead Failed(ImageUpdaterException error, object? target = null) => new ApplicationRead(ApplicationReadKind.Error, null, error, error.Message, target ?? error.Target);

        public static ApplicationRead ImageUpdaterFound(ImageUpdaterResource resource) => new ApplicationRead(ApplicationReadKind.ImageUpdater, null, null, null, null) { ImageUpdater = resource };

        public static ApplicationRead Warning(string message) => new ApplicationRead(ApplicationReadKind.Warning, null, null, message, null);

        public static ApplicationRead Verbose(string message) => new ApplicationRead(ApplicationReadKind.Verbose, null, null, message, null);

        public override string ToString() => Kind == ApplicationReadKind.Application ? Application!.ToString() : Kind + ": " + Message;
    }
}
