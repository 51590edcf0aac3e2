using System.Collections.Generic;
using System.IO;
using System.Linq;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.Yaml;

namespace ImageUpdater.Core.WriteBack
{
    /// <summary>What an edit does to a value that other mappings share through an anchor, alias or merge key.</summary>
    public enum SharedValuePolicy : long
    {
        /// <summary>Set it as it stands (the others change too); the result names them and a warning says so (-Path, -AllowSharedValueEdit).</summary>
        Edit,

        /// <summary>Create an overriding key where a merge key brings the value; fail the application for any other shared value.</summary>
        Override,
    }

    /// <summary>What every YAML target shares: read, edit each update with <see cref="YamlEditor"/>, report a result per update.</summary>
    public abstract class YamlFileTarget : IWriteBackTarget
    {
        /// <summary>True when the target may create its file (.argocd-source); false when the file must exist.</summary>
        protected abstract bool CreatesFile { get; }

        public virtual string ResolveFile(string fileOrDirectory) => fileOrDirectory;

        /// <summary>What an edit does to a value other mappings share through an anchor, alias or merge key (git write-back: Override).</summary>
        public SharedValuePolicy SharedValues { get; init; }

        public FileEdit Apply(string fileOrDirectory, IReadOnlyList<ImageUpdate> updates)
        {
            var file = ResolveFile(fileOrDirectory);
            return Apply(file, File.Exists(file) ? YamlEditor.ReadBytes(file) : null, updates);
        }

        public FileEdit Apply(string file, byte[]? content, IReadOnlyList<ImageUpdate> updates)
        {
            if (content is null && !CreatesFile)
            {
                throw new ImageUpdaterException("WriteBackFileNotFound", FailureKind.ObjectNotFound, $"The file '{file}' does not exist; check the path (this target edits an existing file).", file);
            }

            var editor = content is null ? YamlEditor.Parse(NewFileText, file) : YamlEditor.FromBytes(content, file);
            var results = new List<ImageUpdateResult>();
            foreach (var update in updates)
            {
                var before = editor.Text;
                var outcome = Edit(editor, update);
                var changed = editor.Text != before || (content is null && results.Count == 0);
                var places = outcome.Changes.SelectMany(c => c.OtherPlaces).Distinct().ToList();
                if (SharedValues == SharedValuePolicy.Override && places.Count > 0)
                {
                    var keys = string.Join(", ", outcome.Changes.Where(c => c.OtherPlaces.Count > 0).Select(c => c.Path));
                    throw new ImageUpdaterException("WriteBackSharedValue", FailureKind.InvalidData,
                        $"Setting {keys} in {file} would also change {string.Join(", ", places)} (the value comes through an anchor, alias or merge key); nothing was written. Give the application its own {keys} key in its mapping (it overrides the merged one), point the annotation at a key only it uses, or let the operator allow it (-AllowSharedValueEdit).", file);
                }

                var where = string.Join(", ", outcome.Changes.Select(c => c.Path).DefaultIfEmpty(outcome.Where));
                // A key a values file lacked is most often a typo (image.tagg): created as upstream does, but never silently.
                var created = ReportsCreatedKeys && content is not null ? outcome.Changes.Where(c => c.Created && c.Overrides.Count == 0).Select(c => c.Path).Distinct().ToList() : new List<string>();
                var overrides = outcome.Changes.Where(c => c.Overrides.Count > 0).ToList();
                var shared = overrides.SelectMany(c => c.Overrides).Concat(places).Distinct().ToList();
                results.Add(new ImageUpdateResult
                {
                    Application = update.Application,
                    Alias = update.Alias,
                    Image = update.Image,
                    OldTag = outcome.OldTag ?? update.OldTag,
                    // The tag part and the digest apart, as on the git and argocd paths.
                    NewTag = update.NewTag.Length == 0 ? null : update.NewTag,
                    NewDigest = update.Digest,
                    Target = file,
                    Status = changed ? UpdateStatus.Updated : UpdateStatus.Unchanged,
                    CreatedKeys = created,
                    OverrideKeys = overrides.Select(c => c.Path).Distinct().ToList(),
                    SharedPlaces = shared,
                    Message = (changed ? $"Set {where} in {file}." : $"{where} in {file} already holds {update.TagValue}.") +
                        (created.Count == 0 ? string.Empty : $" Created {string.Join(", ", created)}, which {file} did not have; check the Helm key for a typo.") +
                        (places.Count == 0 ? string.Empty : $" Through anchors and aliases this also changes: {string.Join(", ", places)}.") +
                        (overrides.Count == 0 ? string.Empty : $" Created {string.Join(", ", overrides.Select(c => c.Path))} to override the value shared through a merge key; {string.Join(", ", shared)} stay as they were."),
                });
            }

            return new FileEdit(file, content is not null, editor, results);
        }

        /// <summary>The text a created file starts from.</summary>
        protected virtual string NewFileText => string.Empty;

        /// <summary>Sets one scalar under the target's <see cref="SharedValues"/> policy (an overriding key where a merge key brings the value).</summary>
        protected YamlScalarChange Set(YamlEditor editor, string keyPath, string value) =>
            SharedValues == SharedValuePolicy.Override ? editor.SetOwnScalar(keyPath, value) : editor.SetScalar(keyPath, value);

        /// <summary>True when a key the file lacked is worth a warning (a values file); an override file gains entries by design.</summary>
        protected virtual bool ReportsCreatedKeys => false;

        /// <summary>Applies one update to the document.</summary>
        protected abstract Outcome Edit(YamlEditor editor, ImageUpdate update);

        /// <summary>What one update did: the tag the file had, the scalar changes made, and a description of where when there is no single key path.</summary>
        protected sealed class Outcome
        {
            public Outcome(string? oldTag, IReadOnlyList<YamlScalarChange> changes, string where)
            {
                OldTag = oldTag;
                Changes = changes;
                Where = where;
            }

            public string? OldTag { get; }

            public IReadOnlyList<YamlScalarChange> Changes { get; }

            public string Where { get; }
        }
    }
}
