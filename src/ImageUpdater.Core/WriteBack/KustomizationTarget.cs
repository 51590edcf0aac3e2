using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Yaml;

namespace ImageUpdater.Core.WriteBack
{
    /// <summary>
    /// A kustomization's <c>images:</c> list (write-back-target <c>kustomization[:path]</c>), edited as <c>kustomize edit set image</c> does:
    /// the entry named like the image gets newName/newTag/digest, the entry or the list is created when missing.
    /// A new tag drops a stale digest and a new digest a stale tag (kustomize would use them instead); newName stays unless given.
    /// </summary>
    public sealed class KustomizationTarget : YamlFileTarget
    {
        /// <summary>The file names kustomize looks for in a folder, in its order.</summary>
        public static readonly IReadOnlyList<string> FileNames = new[] { "kustomization.yaml", "kustomization.yml", "Kustomization" };

        // OCI digest grammar: algorithm ":" encoded.
        private static readonly Regex DigestPattern = new Regex(@"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$", RegexOptions.CultureInvariant);

        protected override bool CreatesFile => false;

        public override string ResolveFile(string fileOrDirectory)
        {
            if (!Directory.Exists(fileOrDirectory))
            {
                return fileOrDirectory;
            }

            return FileNames.Select(n => Path.Combine(fileOrDirectory, n)).FirstOrDefault(File.Exists)
                ?? throw new ImageUpdaterException("KustomizationNotFound", FailureKind.ObjectNotFound,
                    $"The folder '{fileOrDirectory}' has no kustomization.yaml, kustomization.yml or Kustomization; point -Path at the kustomization file or its folder.", fileOrDirectory);
        }

        protected override Outcome Edit(YamlEditor editor, ImageUpdate update)
        {
            if (editor.DocumentCount > 1)
            {
                throw new YamlEditException("KustomizationMultiDocument", FailureKind.InvalidData, editor.SourceName, 0, 0,
                    $"The kustomization holds {editor.DocumentCount} YAML documents; kustomize reads only one. Fix the file.");
            }

            var name = update.KustomizeImageName ?? update.Image
                ?? throw new ImageUpdaterException("KustomizeImageNameMissing", FailureKind.InvalidArgument, "No image name was given to find the kustomization's images entry; pass -Name.", update);
            var newName = update.NewName ?? (update.KustomizeImageName is not null && update.Image is not null && update.Image != update.KustomizeImageName ? update.Image : null);
            if (update.Digest is not null && !DigestPattern.IsMatch(update.Digest))
            {
                throw new ImageUpdaterException("KustomizeDigestInvalid", FailureKind.InvalidArgument, $"'{update.Digest}' is not a digest; write it as sha256:<hex>.", update);
            }

            if (newName is null && update.NewTag.Length == 0 && update.Digest is null)
            {
                throw new ImageUpdaterException("KustomizeNothingToSet", FailureKind.InvalidArgument, $"Nothing to set for image '{name}'; pass -NewName, -Tag or -Digest.", update);
            }

            var names = editor.GetItems("images", "name");
            var index = names is null ? -1 : IndexOf(names, name);
            if (index < 0)
            {
                var fields = new List<KeyValuePair<string, string>> { new KeyValuePair<string, string>("name", name) };
                if (newName is not null) fields.Add(new KeyValuePair<string, string>("newName", newName));
                if (update.NewTag.Length > 0) fields.Add(new KeyValuePair<string, string>("newTag", update.NewTag));
                if (update.Digest is not null) fields.Add(new KeyValuePair<string, string>("digest", update.Digest));
                editor.AppendItem("images", fields);
                return new Outcome(null, new List<YamlScalarChange>(), $"images entry '{name}' (added)");
            }

            var entry = $"images[{index}]";
            var oldTag = editor.GetScalar(entry + ".newTag");
            var oldDigest = editor.GetScalar(entry + ".digest");
            var changes = new List<YamlScalarChange>();
            if (newName is not null)
            {
                changes.Add(Set(editor, entry + ".newName", newName));
            }

            if (update.NewTag.Length > 0)
            {
                changes.Add(Set(editor, entry + ".newTag", update.NewTag));
                if (update.Digest is null)
                {
                    editor.RemoveKey(entry + ".digest");
                }
            }

            if (update.Digest is not null)
            {
                changes.Add(Set(editor, entry + ".digest", update.Digest));
                if (update.NewTag.Length == 0)
                {
                    editor.RemoveKey(entry + ".newTag");
                }
            }

            var old = oldTag is null && oldDigest is null ? null : TagText.Format(oldTag, oldDigest);
            return new Outcome(old, changes, entry);
        }

        /// <summary>The entry kustomize would apply to the image: the exact name, else the same name without docker.io/library.</summary>
        private static int IndexOf(IReadOnlyList<string?> names, string name)
        {
            var exact = names.ToList().IndexOf(name);
            if (exact >= 0)
            {
                return exact;
            }

            for (var i = 0; i < names.Count; i++)
            {
                if (ImageName.SameImage(names[i], name))
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
