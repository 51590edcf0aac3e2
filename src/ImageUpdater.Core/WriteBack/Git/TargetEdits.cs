using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.IO;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.Yaml;

namespace ImageUpdater.Core.WriteBack.Git
{
    /// <summary>One application's edit of its target file (several applications may share a file).</summary>
    internal sealed class TargetEdit
    {
        public TargetEdit(GitTarget target, List<ImageUpdateCandidate> candidates, byte[]? original, bool changed)
        {
            Target = target;
            Candidates = candidates;
            Original = original;
            Changed = changed;
        }

        public GitTarget Target { get; }

        public List<ImageUpdateCandidate> Candidates { get; }

        /// <summary>The file before any application of the group edited it; null when it did not exist.</summary>
        public byte[]? Original { get; }

        public bool Changed { get; set; }

        public string? Diff { get; set; }
    }

    /// <summary>
    /// The edits of one branch group, whichever writer commits them: every target's new content (applications sharing a file edit it in
    /// turn), which edits really change their file, and the one way both writers report Unchanged, WhatIf and Updated results.
    /// </summary>
    internal sealed class TargetEdits
    {
        private readonly Dictionary<string, byte[]?> contents;

        private TargetEdits(List<TargetEdit> all, Dictionary<string, byte[]?> contents)
        {
            All = all;
            this.contents = contents;
        }

        public List<TargetEdit> All { get; }

        public List<TargetEdit> Changed => All.Where(e => e.Changed).ToList();

        /// <summary>The files to commit, each once.</summary>
        public List<string> ChangedPaths => Changed.Select(e => e.Target.RelativePath).Distinct().ToList();

        /// <summary>The changed applications, each with its candidates (what the commit message lists).</summary>
        public List<IGrouping<ArgoApplication, ImageUpdateCandidate>> ChangedApplications =>
            Changed.SelectMany(e => e.Candidates.Select(c => (e.Target.Application, c))).GroupBy(p => p.Application, p => p.c).ToList();

        public byte[] Content(string path) => contents[path]!;

        /// <summary>
        /// Edits every application of <paramref name="group"/> not yet failed, reading current content through <paramref name="files"/>. An application whose
        /// edit throws (whatever the exception) gets a Failed result naming it, its file and the repository, and is skipped on later attempts.
        /// A candidate <paramref name="holds"/> holds gets a Held result and leaves the group (later attempts do not ask again).
        /// </summary>
        public static TargetEdits Compute(IGitTargetEditor editor, string root, BranchGroup group, string url, WriteBackOutcome outcome, RepositoryFiles files, IReadOnlyList<string>? allowedProtectedPaths = null, HoldCheck? holds = null)
        {
            var held = new List<ImageUpdateCandidate>();
            var edits = new List<TargetEdit>();
            var contents = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
            var originals = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
            foreach (var app in group.Candidates.GroupBy(c => c.ApplicationObject))
            {
                if (group.Failed.Contains(app.Key))
                {
                    continue;
                }

                GitTarget? target = null;
                try
                {
                    target = GitTarget.Resolve(root, app.Key, app.Key.AnnotatedSource, files, allowedProtectedPaths);
                    if (!contents.TryGetValue(target.RelativePath, out var before))
                    {
                        before = files.Read(target);
                        originals[target.RelativePath] = before;
                    }

                    var changes = app.ToList();
                    foreach (var candidate in holds is null ? new List<ImageUpdateCandidate>() : changes.ToList())
                    {
                        if (holds!.Held(target, candidate) is { } reason)
                        {
                            outcome.Add(candidate, GitWriteBack.Result(candidate, url, group.Push, target.RelativePath, UpdateStatus.Held, reason));
                            held.Add(candidate);
                            changes.Remove(candidate);
                        }
                    }

                    if (changes.Count == 0)
                    {
                        continue;
                    }

                    var after = editor.Edit(target, before, changes);
                    contents[target.RelativePath] = after;
                    edits.Add(new TargetEdit(target, changes, originals[target.RelativePath], before is null || !after.AsSpan().SequenceEqual(before)));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    group.Failed.Add(app.Key);
                    GitWriteBack.Fail(outcome, app, url, group.Push, GitErrors.EditFailed(e, app.Key, root, target?.RelativePath, group.Push, url), target?.RelativePath);
                }
            }

            group.Candidates.RemoveAll(held.Contains);
            foreach (var pair in contents)
            {
                var original = edits.First(e => e.Target.RelativePath == pair.Key).Original;
                if (pair.Value is null || (original is not null && pair.Value.AsSpan().SequenceEqual(original)))
                {
                    // Several applications' edits of one file can cancel out; then none of them changed it.
                    foreach (var same in edits.Where(e => e.Target.RelativePath == pair.Key))
                    {
                        same.Changed = false;
                    }
                }
            }

            return new TargetEdits(edits, contents);
        }

        /// <summary>Gives each edit its file's patch.</summary>
        public void SetDiffs(Func<string, string?> patchOf)
        {
            foreach (var edit in All)
            {
                edit.Diff = patchOf(edit.Target.RelativePath);
            }
        }

        /// <summary>
        /// A result for every candidate of the group: a changed edit gets <paramref name="status"/>, <paramref name="commit"/> and
        /// <paramref name="changedMessage"/>; the others say their file already has the new tags (and, when nothing changed at all, that nothing was committed).
        /// </summary>
        public void Report(WriteBackOutcome outcome, string url, string branch, UpdateStatus status, string? commit, Func<TargetEdit, string> changedMessage, string? pullRequest = null)
        {
            var any = All.Any(e => e.Changed);
            foreach (var edit in All)
            {
                var message = edit.Changed ? changedMessage(edit)
                    : any ? $"{edit.Target.RelativePath} already has the new tag(s)."
                    : $"{edit.Target.RelativePath} already has the new tag(s) on {branch}; nothing to commit.";
                foreach (var candidate in edit.Candidates)
                {
                    var created = edit.Changed ? candidate.CreatedKeys : Array.Empty<string>();
                    var createdText = edit.Changed && edit.Original is null ? $" Created {edit.Target.RelativePath}, which did not exist."
                        : created.Count == 0 ? string.Empty : $" Created {string.Join(", ", created)}, which {edit.Target.RelativePath} did not have; check the Helm key for a typo.";
                    var overrides = edit.Changed ? candidate.OverrideKeys : Array.Empty<string>();
                    var shared = edit.Changed ? candidate.SharedPlaces : Array.Empty<string>();
                    createdText += overrides.Count > 0 ? $" Created {string.Join(", ", overrides)} to override the value shared through a merge key; {string.Join(", ", shared)} stay as they were."
                        : shared.Count > 0 ? $" Through anchors and aliases this also changes: {string.Join(", ", shared)}." : string.Empty;
                    outcome.Add(candidate, GitWriteBack.Result(candidate, url, branch, edit.Target.RelativePath, edit.Changed ? status : UpdateStatus.Unchanged, message + createdText) with
                    {
                        CreatedKeys = created,
                        OverrideKeys = overrides,
                        SharedPlaces = shared,
                        Commit = edit.Changed ? commit : null,
                        PullRequest = pullRequest,
                        Diff = edit.Changed ? edit.Diff : null,
                    });
                }
            }
        }

        /// <summary>Writes the changed files into a working tree, each all at once (temporary file and rename).</summary>
        public void WriteFiles()
        {
            foreach (var pair in contents)
            {
                var edit = All.First(e => e.Target.RelativePath == pair.Key);
                if (pair.Value is not null && (edit.Original is null || !pair.Value.AsSpan().SequenceEqual(edit.Original)))
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(edit.Target.FullPath)!);
                    AtomicFile.Write(edit.Target.FullPath, pair.Value!);
                }
            }
        }

        /// <summary>Puts the changed files of a working tree back as they were (only ours: the user's other changes stay).</summary>
        public void Restore()
        {
            foreach (var edit in Changed)
            {
                if (edit.Original is null)
                {
                    File.Delete(edit.Target.FullPath);
                }
                else
                {
                    File.WriteAllBytes(edit.Target.FullPath, edit.Original);
                }
            }
        }
    }
}
