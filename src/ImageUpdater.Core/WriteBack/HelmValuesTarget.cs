using System.Collections.Generic;
using ImageUpdater.Core.Images;

namespace ImageUpdater.Core.WriteBack
{
    /// <summary>
    /// A Helm values file (write-back-target <c>helmvalues[:path]</c>): writes the tag at the image-tag key, the name at the image-name key
    /// (a name already there that names the same image, such as Docker Hub's <c>bitnami/nginx</c>, is kept), or <c>name:tag</c> at the image-spec key.
    /// </summary>
    public sealed class HelmValuesTarget : YamlFileTarget
    {
        protected override bool CreatesFile => false;

        protected override bool ReportsCreatedKeys => true;

        /// <summary>A folder resolves to its values.yaml (the helmvalues target's default file).</summary>
        public override string ResolveFile(string fileOrDirectory) =>
            System.IO.Directory.Exists(fileOrDirectory) ? System.IO.Path.Combine(fileOrDirectory, "values.yaml") : fileOrDirectory;

        protected override Outcome Edit(Yaml.YamlEditor editor, ImageUpdate update)
        {
            if (update.HelmImageTagKey is null && update.HelmImageSpecKey is null && update.HelmImageNameKey is null)
            {
                throw new ImageUpdaterException("HelmImageKeyMissing", FailureKind.InvalidArgument,
                    $"No Helm key says where {update.Image ?? "the image"} goes in {editor.SourceName}; set the helm.image-tag (and helm.image-name) or helm.image-spec annotation, or pass -ImageTagKey / -ImageSpecKey.", update);
            }

            var changes = new List<Yaml.YamlScalarChange>();
            string? oldTag = null;
            if (update.HelmImageSpecKey is { } specKey)
            {
                var existing = editor.GetScalar(specKey);
                var name = update.NewName ?? update.Image ?? TagText.NameOf(existing)
                    ?? throw new ImageUpdaterException("HelmImageNameMissing", FailureKind.InvalidArgument,
                        $"'{specKey}' in {editor.SourceName} holds no image to keep, and no image name was given; pass -Image.", update);
                oldTag = TagText.Of(existing);
                changes.Add(Set(editor, specKey, TagText.Reference(name, update.NewTag, update.Digest)));
            }

            if (update.HelmImageNameKey is { } nameKey && (update.NewName ?? update.Image) is { } image)
            {
                var existing = editor.GetScalar(nameKey);
                if (existing is null || !ImageName.SameImage(existing, image))
                {
                    changes.Add(Set(editor, nameKey, image));
                }
            }

            if (update.HelmImageTagKey is { } tagKey)
            {
                oldTag = editor.GetScalar(tagKey);
                changes.Add(Set(editor, tagKey, update.TagValue));
            }

            return new Outcome(oldTag, changes, update.HelmImageTagKey ?? update.HelmImageSpecKey ?? string.Empty);
        }
    }
}
