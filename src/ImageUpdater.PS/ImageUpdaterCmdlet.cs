using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading.Tasks;
using System.Management.Automation;
using ImageUpdater.Core;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Security;
using ImageUpdater.Core.Tags;

namespace ImageUpdater.PS
{
    /// <summary>Base of every cmdlet: typed output with <c>ImageUpdater.*</c> type names and errors built from Core failures.</summary>
    public abstract class ImageUpdaterCmdlet : PSCmdlet
    {
        private readonly ConcurrentQueue<string> messages = new ConcurrentQueue<string>();

        // Every line the cmdlets write leaves through these: secrets in URLs (user:token@, ?token=) are masked here, once.
        public new void WriteVerbose(string text) => base.WriteVerbose(UrlRedaction.Redact(text)!);

        public new void WriteWarning(string text) => base.WriteWarning(UrlRedaction.Redact(text)!);

        public new bool ShouldProcess(string target) => base.ShouldProcess(UrlRedaction.Redact(target));

        public new bool ShouldProcess(string target, string action) => base.ShouldProcess(UrlRedaction.Redact(target), UrlRedaction.Redact(action));

        public new bool ShouldProcess(string verboseDescription, string verboseWarning, string caption, out ShouldProcessReason shouldProcessReason) =>
            base.ShouldProcess(UrlRedaction.Redact(verboseDescription), UrlRedaction.Redact(verboseWarning), caption, out shouldProcessReason);

        public new void WriteProgress(ProgressRecord progressRecord)
        {
            progressRecord.StatusDescription = UrlRedaction.Redact(progressRecord.StatusDescription);
            progressRecord.CurrentOperation = UrlRedaction.Redact(progressRecord.CurrentOperation);
            base.WriteProgress(progressRecord);
        }

        public new void WriteError(ErrorRecord errorRecord) => base.WriteError(Redacted(errorRecord));

        public new void ThrowTerminatingError(ErrorRecord errorRecord) => base.ThrowTerminatingError(Redacted(errorRecord));

        /// <summary>The record, or a copy whose exception, details and target have URL secrets masked (inner exceptions dropped: they may repeat the URL).</summary>
        internal static ErrorRecord Redacted(ErrorRecord record)
        {
            var exception = record.Exception;
            var target = record.TargetObject as string;
            if (!UrlRedaction.HasSecret(exception.ToString()) && !UrlRedaction.HasSecret(target) && !UrlRedaction.HasSecret(record.ErrorDetails?.Message))
            {
                return record;
            }

            var failure = exception as ImageUpdaterException;
            var errorId = failure?.ErrorId ?? exception.GetType().Name;
            var message = UrlRedaction.Redact(record.ErrorDetails?.Message ?? exception.Message)!;
            var safe = new ImageUpdaterException(errorId, failure?.Kind ?? FailureKind.NotSpecified, message, failure?.Target is string t ? UrlRedaction.Redact(t) : failure?.Target);
            return new ErrorRecord(safe, errorId, record.CategoryInfo.Category, target is null ? record.TargetObject : UrlRedaction.Redact(target));
        }

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

        /// <summary>An -UpdateStrategy value as a strategy; a deprecated name (latest, name) works with a warning.</summary>
        protected UpdateStrategy ParseUpdateStrategy(string name)
        {
            if (!UpdateStrategyNames.TryParse(name, out var strategy, out var deprecated))
            {
                ThrowFailure(new ImageUpdaterException("UpdateStrategyInvalid", FailureKind.InvalidArgument, $"Unknown update strategy '{name}'; use semver, newest-build, alphabetical or digest.", name));
            }

            if (deprecated)
            {
                WriteWarning($"The update strategy '{name}' is a deprecated name; use '{strategy.ToAnnotationValue()}'.");
            }

            return strategy;
        }

        /// <summary>registries.conf (or the ConfigMap holding it) from -RegistriesConfig; none given = no configured registries.</summary>
        protected RegistriesConfig LoadRegistriesConfig(string? path)
        {
            if (path is null)
            {
                return RegistriesConfig.Empty;
            }

            var config = RegistriesConfig.Empty;
            try
            {
                config = RegistriesConfig.Load(GetUnresolvedProviderPathFromPSPath(path));
            }
            catch (ImageUpdaterException ex)
            {
                ThrowFailure(ex, path);
            }

            WriteVerbose($"Registries from {path}: " + (config.Registries.Count == 0 ? "none" : string.Join(", ", config.Registries.Select(r => $"{r.Name} ({(r.Prefix.Length == 0 ? "any" : r.Prefix)} → {r.ApiUrl})"))));
            return config;
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
