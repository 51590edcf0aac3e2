using System.Collections.Generic;
using System.Linq;
using ImageUpdater.Core.IO;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.Yaml;

namespace ImageUpdater.Core.WriteBack
{
    /// <summary>The computed change of one file: old and new content, the diff and a result per image. Nothing is written until <see cref="Write"/>.</summary>
    public sealed class FileEdit
    {
        internal FileEdit(string path, bool existed, YamlEditor editor, IReadOnlyList<ImageUpdateResult> results)
        {
            Path = path;
            Existed = existed;
            OldText = existed ? editor.OriginalText : string.Empty;
            NewText = editor.Text;
            NewBytes = editor.ToBytes();
            Changed = !existed || editor.IsChanged;
            Diff = Changed ? UnifiedDiff.Create(OldText, NewText, path, path) : string.Empty;
            var diff = Diff.Length == 0 ? null : Diff;
            Results = results.Select(r => r with { Diff = diff }).ToList();
        }

        public string Path { get; }

        /// <summary>False when the file is created by this edit.</summary>
        public bool Existed { get; }

        /// <summary>Text before (without BOM; "" for a new file).</summary>
        public string OldText { get; }

        public string NewText { get; }

        /// <summary>What <see cref="Write"/> writes: UTF-8, with the file's BOM if it had one.</summary>
        public byte[] NewBytes { get; }

        public bool Changed { get; }

        /// <summary>Unified diff, "" when nothing changes.</summary>
        public string Diff { get; }

        /// <summary>One per image update, Status Updated or Unchanged, Target the file.</summary>
        public IReadOnlyList<ImageUpdateResult> Results { get; }

        /// <summary>Writes the new content atomically (temporary file + rename); does nothing when unchanged.</summary>
        public void Write()
        {
            if (Changed)
            {
                AtomicFile.Write(Path, NewBytes);
            }
        }
    }
}
