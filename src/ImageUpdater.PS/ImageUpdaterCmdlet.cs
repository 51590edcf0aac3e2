using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using System.Management.Automation;
using ImageUpdater.Core;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Run;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.Security;
using ImageUpdater.Core.Tags;

namespace ImageUpdater.PS
{
    /// <summary>Base of every cmdlet: typed output with <c>ImageUpdater.*</c> type names and errors built from Core failures.</summary>
    public abstract class ImageUpdaterCmdlet : PSCmdlet
    {
        private readonly ConcurrentQueue<string> messages = new ConcurrentQueue<string>();
        private readonly ConcurrentQueue<string> warnings = new ConcurrentQueue<string>();

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

        /// <summary>As <see cref="QueueVerbose"/>, for warnings.</summary>
        protected void QueueWarning(string message) => warnings.Enqueue(message);

        protected void FlushVerbose()
        {
            while (warnings.TryDequeue(out var warning))
            {
                WriteWarning(warning);
            }

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

        /// <summary>
        /// The one confirmation rule of every writing path: ShouldProcess answers with its reason, so a -WhatIf inherited from a
        /// calling script is a what-if (not a declined prompt), and -Confirm declined is Declined.
        /// </summary>
        internal Confirmation Confirm(string target, string action) =>
            Confirm($"Performing the operation \"{action}\" on target \"{target}\".", $"Are you sure you want to perform this action?{Environment.NewLine}{action} on \"{target}\".", "Confirm");

        /// <summary><see cref="Confirm(string, string)"/> with the host's own texts (a diff, say).</summary>
        internal Confirmation Confirm(string description, string question, string caption)
        {
            if (ShouldProcess(description, question, caption, out var reason))
            {
                return Confirmation.Proceed;
            }

            return reason == ShouldProcessReason.WhatIf ? Confirmation.WhatIf : Confirmation.Declined;
        }

        /// <summary>
        /// Writes a run's events: objects, errors, progress and -Verbose lines, confirming each unit before it is written. The run
        /// does the work on its own threads; this loop is the only place that talks to PowerShell. Under -ErrorAction Stop the first
        /// error is held: no further unit starts, the units already writing finish and their results are written, then
        /// <paramref name="beforeStop"/> runs and the held error ends the command (so no pushed commit goes unreported).
        /// </summary>
        internal void WriteRun(ImageUpdateRun run, IEnumerable<RunEvent> events, string activity, bool passThru, Action? beforeStop = null)
        {
            var progress = new ProgressRecord(1, activity, "Looking up images");
            var progressShown = false;
            var stopOnError = ErrorActionIsStop();
            var started = new HashSet<IWriteBackUnit>();
            ImageUpdaterException? held = null;
            foreach (var item in events)
            {
                switch (item)
                {
                    case RunEvent.Log line when line.Level == RunLogLevel.Warning:
                        WriteWarning(line.Text);
                        break;
                    case RunEvent.Log line:
                        WriteVerbose(line.Text);
                        break;
                    case RunEvent.Planned planned:
                        WriteVerbose($"{planned.Candidate.Application}: {planned.Candidate.Image}: {planned.Candidate.Reason}");
                        if (passThru && held is null)
                        {
                            WriteTyped(planned.Candidate);
                        }

                        break;
                    case RunEvent.Progress step:
                        progress.StatusDescription = $"{step.Current} ({step.PlannedCount} of {step.Total})";
                        progress.PercentComplete = step.Percent;
                        WriteProgress(progress);
                        progressShown = true;
                        break;
                    case RunEvent.UnitReady ready when held is not null:
                        run.Decline(ready.Unit);
                        break;
                    case RunEvent.UnitReady ready:
                        switch (ConfirmUnit(ready.Unit))
                        {
                            case Confirmation.Proceed:
                                started.Add(ready.Unit);
                                run.Start(ready.Unit, whatIf: false);
                                break;
                            case Confirmation.WhatIf:
                                started.Add(ready.Unit);
                                run.Start(ready.Unit, whatIf: true);
                                break;
                            default:
                                run.Decline(ready.Unit);
                                break;
                        }

                        break;
                    case RunEvent.Finished finished when held is not null && (finished.Unit is null || !started.Contains(finished.Unit)):
                        // Stopping: only what was already being written is reported.
                        break;
                    case RunEvent.Finished finished:
                        foreach (var result in finished.Outcome.Results)
                        {
                            WriteResultWarning(result);
                            WriteTyped(result);
                        }

                        foreach (var error in finished.Outcome.Errors)
                        {
                            if (stopOnError)
                            {
                                held ??= error;
                                continue;
                            }

                            WriteFailure(error);
                        }

                        break;
                }

                FlushVerbose();
            }

            if (progressShown)
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }

            beforeStop?.Invoke();
            if (held is not null)
            {
                WriteFailure(held);
            }
        }

        /// <summary>The confirmation of one unit: -WhatIf prints one line per unit, the -Confirm question also lists each image's old → new tag.</summary>
        private Confirmation ConfirmUnit(IWriteBackUnit unit) =>
            Confirm($"Performing the operation \"{unit.Action}\" on target \"{unit.Target}\".",
                $"Are you sure you want to perform this action?{Environment.NewLine}{unit.Action} on \"{unit.Target}\":{Environment.NewLine}{WriteBackPlan.Changes(unit).Replace("\n", Environment.NewLine)}", "Confirm");

        /// <summary>True when this command's errors stop it (-ErrorAction Stop, or $ErrorActionPreference = 'Stop').</summary>
        private bool ErrorActionIsStop()
        {
            var value = MyInvocation.BoundParameters.TryGetValue("ErrorAction", out var bound) ? bound : GetVariableValue("ErrorActionPreference");
            return value is not null && Enum.TryParse<ActionPreference>(value.ToString(), ignoreCase: true, out var preference) && preference == ActionPreference.Stop;
        }

        /// <summary>A result that wrote nothing because no tag qualifies, created a key the file did not have, or met a value shared through anchors also warns: none is silent.</summary>
        protected void WriteResultWarning(ImageUpdateResult result)
        {
            if (result.Status == UpdateStatus.NoTag)
            {
                WriteWarning($"{result.Application}: {result.Image}: no tag qualifies, nothing written: {result.Message}");
            }

            if (result.Status == UpdateStatus.Held)
            {
                WriteWarning($"{result.Application}: {result.Image}: {result.Message}");
            }

            if (result.OverrideKeys is { Count: > 0 } overrides)
            {
                WriteWarning($"{result.Application}: {result.Image}: in {result.Target} the value of {string.Join(", ", overrides)} came through a merge key shared with {string.Join(", ", result.SharedPlaces)}; {(result.Status == UpdateStatus.WhatIf ? "an overriding key would be created" : "created an overriding key")} in the application's own mapping, and the shared value stays as it was.");
            }
            else if (result.SharedPlaces is { Count: > 0 } shared && result.Status != UpdateStatus.Failed)
            {
                WriteWarning($"{result.Application}: {result.Image}: the value set in {result.Target} is shared through an anchor, alias or merge key: {string.Join(", ", shared)} {(result.Status == UpdateStatus.WhatIf ? "would change" : "changed")} too.");
            }

            if (result.CreatedKeys is { Count: > 0 } created)
            {
                WriteWarning($"{result.Application}: {result.Image}: {result.Target} had no {string.Join(", ", created)}; {(result.Status == UpdateStatus.WhatIf ? "it would be created" : "created it")} (check the helm.image-name/helm.image-tag annotation for a typo).");
            }
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
                ThrowFailure(new ImageUpdaterException("UpdateStrategyInvalid", FailureKind.InvalidArgument, $"Unknown update strategy '{name}'; use {UpdateStrategyNames.Choices}.", name));
            }

            if (deprecated)
            {
                WriteWarning($"The update strategy '{name}' is a deprecated name; use '{strategy.ToAnnotationValue()}'.");
            }

            return strategy;
        }

        /// <summary>registries.conf (or the ConfigMap holding it) from -RegistriesConfig; none given = no configured registries.</summary>
        protected internal RegistriesConfig LoadRegistriesConfig(string? path)
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
        protected internal void ThrowFailure(Exception exception, object? target = null)
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

    /// <summary>What the user (or an inherited -WhatIf) said to one write.</summary>
    internal enum Confirmation
    {
        Proceed,
        WhatIf,
        Declined,
    }
}
