using System;

namespace ImageUpdater.Core
{
    /// <summary>What kind of failure an <see cref="ImageUpdaterException"/> is; the names match PowerShell's ErrorCategory so the cmdlet layer maps them one to one.</summary>
    public enum FailureKind
    {
        NotSpecified,
        InvalidArgument,
        InvalidData,
        InvalidOperation,
        ObjectNotFound,
        PermissionDenied,
        AuthenticationError,
        ResourceUnavailable,
        ConnectionError,
        LimitsExceeded,
        WriteError,
        ReadError,
        OperationTimeout,
        SecurityError,
        ResourceExists,
        NotImplemented,
    }

    /// <summary>A failure the user can act on: an error id, a kind, a message that says what to do, and the object it concerns.</summary>
    public class ImageUpdaterException : Exception
    {
        public ImageUpdaterException(string errorId, FailureKind kind, string message, object? target = null, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Kind = kind;
            Target = target;
        }

        public string ErrorId { get; }

        public FailureKind Kind { get; }

        public object? Target { get; }
    }
}
