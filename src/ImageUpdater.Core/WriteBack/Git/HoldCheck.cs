using System;
using System.Diagnostics;
using System.Linq;
using ImageUpdater.Core.Updating;
using LibGit2Sharp;

namespace ImageUpdater.Core.WriteBack.Git
{
    /// <summary>
    /// Finds who last changed the value a candidate's edit replaces (first-parent history of the write branch, bounded by commits and time) and asks
    /// <see cref="HoldRule"/> whether that hand change, or the hold annotation, holds the update.
    /// </summary>
    internal sealed class HoldCheck
    {
        private readonly Commit? start;
        private readonly IGitTargetEditor editor;
        private readonly GitWriteBackOptions options;

        public HoldCheck(Commit? start, IGitTargetEditor editor, GitWriteBackOptions options)
        {
            this.start = start;
            this.editor = editor;
            this.options = options;
        }

        /// <summary>The Reason that holds <paramref name="candidate"/>, or null when its update may be written.</summary>
        public string? Held(GitTarget target, ImageUpdateCandidate candidate)
        {
            var setting = candidate.Spec.Hold;
            if (options.IgnoreHold || string.IsNullOrEmpty(candidate.NewTag) || setting is { Release: true })
            {
                return null;
            }

            var now = DateTimeOffset.UtcNow;
            var explicitHold = setting is not null && (setting.Until is null || now < setting.Until.Value);
            var change = explicitHold ? null : LastHandChange(target, candidate);
            return HoldRule.Decide(setting, change, candidate.Spec.UpdateStrategy, candidate.NewTag!, now);
        }

        /// <summary>The last commit that changed the value, when its author is not the updater; null for none, a seed commit or the updater's own.</summary>
        public HandChange? LastHandChange(GitTarget target, ImageUpdateCandidate candidate)
        {
            var path = target.RelativePath.Replace('\\', '/');
            var commit = start;
            var entry = commit?[path];
            var value = ValueIn(entry, target, candidate);
            if (value is null)
            {
                return null;
            }

            // A held result's OldTag is what the file holds (what runs may differ), as an edited one's is.
            candidate.FileTag = value;
            var clock = Stopwatch.StartNew();
            for (var read = 0; commit is not null && read < options.HoldHistoryCommits; read++)
            {
                if (clock.Elapsed > options.HoldHistoryBudget)
                {
                    options.Verbose?.Invoke($"Looked for a hand change of {path} for {candidate.Application} for {clock.Elapsed.TotalMilliseconds:0} ms ({read} commit(s)); stopped without one.");
                    return null;
                }

                var parent = commit.Parents.FirstOrDefault();
                var parentEntry = parent?[path];
                if (parentEntry is not null && entry is not null && parentEntry.Target.Id == entry.Target.Id)
                {
                    commit = parent;
                    continue;
                }

                var before = ValueIn(parentEntry, target, candidate);
                if (before == value)
                {
                    commit = parent;
                    entry = parentEntry;
                    continue;
                }

                // The value first appeared here (a seed or the file's creation): setting a value is not changing one by hand.
                if (before is null || IsUpdater(commit.Author, target))
                {
                    return null;
                }

                return new HandChange(commit.Sha, commit.Author.Name, commit.Author.Email, commit.Author.When, before, value);
            }

            return null;
        }

        private bool IsUpdater(Signature author, GitTarget target)
        {
            var (name, email) = CommitText.Author(new[] { target.Application }, options);
            return string.IsNullOrEmpty(email) ? string.Equals(author.Name, name, StringComparison.Ordinal) : string.Equals(author.Email, email, StringComparison.OrdinalIgnoreCase);
        }

        private string? ValueIn(TreeEntry? entry, GitTarget target, ImageUpdateCandidate candidate)
        {
            if (entry?.Target is not Blob blob)
            {
                return null;
            }

            try
            {
                using var stream = blob.GetContentStream();
                using var buffer = new System.IO.MemoryStream();
                stream.CopyTo(buffer);
                return editor.ValueOf(target, buffer.ToArray(), candidate);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // An old version that no longer parses ends the search: nothing before it is read as a hand change.
                return null;
            }
        }
    }
}
