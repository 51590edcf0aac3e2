using System;
using System.Collections.Concurrent;
using System.Threading.Tasks;
using System.Management.Automation;
using ImageUpdater.Core;

namespace ImageUpdater.PS
{
    /// <summary>Base of every cmdlet: typed output with <c>ImageUpdater.*</c> type names and errors built from Core failures.</summary>
    public abstract class ImageUpdaterCmdlet : PSCmdlet
    {
        private readonly ConcurrentQueue<string> messages = new ConcurrentQueue<string>();

        /// <summary>A sink for Core's log lines, callable from any thread; <see cref="FlushVerbose"/> writes them on the pipeline thread.</summary>
        protected void QueueVerbose(string message) => messages.Enqueue(message);

        protected void FlushVerbose()
        {
            while (messages.TryDequeue(out var message))
            {
                WriteVerbose(message);
            }
        }

        /// <summary>Runs Core's async work to completion on the pipeline thread, writing its -Verbose lines (and <paramref name="onTick"/>, e.g. progress) as they come.</summary>
        protected T Await<T>(Task<T> task, Action? onTick = null)
        {
            while (!task.IsCompleted)
            {
                ((IAsyncResult)task).AsyncWaitHandle.WaitOne(100);
                FlushVerbose();
                onTick?.Invoke();
            }

            FlushVerbose();
            return task.GetAwaiter().GetResult();
        }

        /// <summary>Writes a Core object with the PSTypeName <c>ImageUpdater.&lt;ClassName&gt;</c> that the format file keys on.</summary>
        protected void WriteTyped(object item)
        {
            WriteObject(AsTyped(item));
        }

        internal static PSObject AsTyped(object item)
        {
            var pso = PSObject.AsPSObject(item);
            var typeName = "ImageUpdater." + item.GetType().Name;
            if (!pso.TypeNames.Contains(typeName))
            {
                pso.TypeNames.Insert(0, typeName);
            }

            return pso;
        }

        /// <summary>A non-terminating error for one item; the pipeline goes on with the next.</summary>
        protected void WriteFailure(Exception exception, object? target = null)
        {
            WriteError(ToErrorRecord(exception, target));
        }

        /// <summary>A terminating error: bad invocation, nothing more can be done.</summary>
        protected void ThrowFailure(Exception exception, object? target = null)
        {
            ThrowTerminatingError(ToErrorRecord(exception, target));
        }

        internal static ErrorRecord ToErrorRecord(Exception exception, object? target)
        {
            if (exception is ImageUpdaterException failure)
            {
                return new ErrorRecord(failure, failure.ErrorId, ToCategory(failure.Kind), target ?? failure.Target);
            }

            var category = exception switch
            {
                ArgumentException => ErrorCategory.InvalidArgument,
                FormatException => ErrorCategory.InvalidData,
                UnauthorizedAccessException => ErrorCategory.PermissionDenied,
                System.IO.FileNotFoundException => ErrorCategory.ObjectNotFound,
                System.IO.DirectoryNotFoundException => ErrorCategory.ObjectNotFound,
                System.IO.IOException => ErrorCategory.WriteError,
                TimeoutException => ErrorCategory.OperationTimeout,
                OperationCanceledException => ErrorCategory.OperationStopped,
                System.Net.Http.HttpRequestException => ErrorCategory.ConnectionError,
                _ => ErrorCategory.NotSpecified,
            };
            return new ErrorRecord(exception, exception.GetType().Name, category, target);
        }

        internal static ErrorCategory ToCategory(FailureKind kind) =>
            Enum.TryParse<ErrorCategory>(kind.ToString(), out var category) ? category : ErrorCategory.NotSpecified;
    }
}
