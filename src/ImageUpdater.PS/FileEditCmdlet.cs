using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Management.Automation;
using ImageUpdater.Core;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;

namespace ImageUpdater.PS
{
    /// <summary>Base of the cmdlets that edit local files: path resolution, ShouldProcess with the diff, results with -PassThru.</summary>
    public abstract class FileEditCmdlet : ImageUpdaterCmdlet
    {
        /// <summary>The parameter set that edits files named by -Path.</summary>
        protected const string PathSet = "Path";

        /// <summary>Files to edit, or folders where the target kind allows (wildcards allowed).</summary>
        [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName", "PSPath")]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>Emit an ImageUpdater.ImageUpdateResult per image (also for Unchanged and WhatIf).</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>Resolves -Path values (wildcards allowed) to file-system paths; one that resolves to nothing is a non-terminating error.</summary>
        protected IEnumerable<string> ResolvePaths(IEnumerable<string> paths)
        {
            foreach (var path in paths)
            {
                Collection<string> resolved;
                ProviderInfo provider;
                try
                {
                    resolved = GetResolvedProviderPathFromPSPath(path, out provider);
                }
                catch (ItemNotFoundException)
                {
                    WriteFailure(new ImageUpdaterException("PathNotFound", FailureKind.ObjectNotFound, $"Cannot find '{path}': no such file or folder.", path));
                    continue;
                }

                if (provider.Name != "FileSystem")
                {
                    WriteFailure(new ImageUpdaterException("PathNotFileSystem", FailureKind.InvalidArgument, $"'{path}' is on the {provider.Name} drive; give a file-system path.", path));
                    continue;
                }

                foreach (var file in resolved)
                {
                    yield return file;
                }
            }
        }

        /// <summary>Computes the edit with <paramref name="target"/>, then writes it unless -WhatIf (which prints the diff) or a declined -Confirm.</summary>
        protected void Run(IWriteBackTarget target, string path, IReadOnlyList<ImageUpdate> updates)
        {
            FileEdit edit;
            try
            {
                edit = target.Apply(path, updates);
            }
            catch (ImageUpdaterException ex)
            {
                WriteFailure(ex, path);
                return;
            }

            if (!edit.Changed)
            {
                WriteVerbose($"'{edit.Path}' already has {string.Join(", ", Tags(edit))}; the file was not rewritten.");
                Emit(edit);
                return;
            }

            var description = $"Update '{edit.Path}':{Environment.NewLine}{edit.Diff.TrimEnd('\n')}";
            var answer = Confirm(description, $"Update '{edit.Path}' as this diff shows?{Environment.NewLine}{edit.Diff.TrimEnd('\n')}", "Update file");
            if (answer == Confirmation.Proceed)
            {
                try
                {
                    edit.Write();
                }
                catch (ImageUpdaterException ex)
                {
                    WriteFailure(ex, edit.Path);
                    return;
                }

                WriteVerbose($"Wrote '{edit.Path}'.");
                Emit(edit);
            }
            else if (answer == Confirmation.WhatIf)
            {
                Emit(edit, UpdateStatus.WhatIf);
            }
            else
            {
                // Declined reads as it does on the git and argocd paths: Skipped, with the same message.
                Emit(edit, UpdateStatus.Skipped, WriteBackOutcome.DeclinedMessage);
            }
        }

        /// <summary>With -PassThru, the edit's results; <paramref name="updated"/> is what an Updated result becomes (WhatIf or Skipped when nothing was written).</summary>
        private void Emit(FileEdit edit, UpdateStatus updated = UpdateStatus.Updated, string? message = null)
        {
            foreach (var result in edit.Results)
            {
                var changed = result.Status == UpdateStatus.Updated;
                var shown = result with { Method = result.Method ?? "file", Status = changed ? updated : result.Status, Message = changed && message is not null ? message : result.Message };
                WriteResultWarning(shown);
                if (PassThru)
                {
                    WriteTyped(shown);
                }
            }
        }

        private static IEnumerable<string> Tags(FileEdit edit)
        {
            foreach (var result in edit.Results)
            {
                yield return result.NewTag ?? string.Empty;
            }
        }
    }
}
