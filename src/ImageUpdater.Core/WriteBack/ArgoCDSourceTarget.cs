using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Yaml;

namespace ImageUpdater.Core.WriteBack
{
    /// <summary>Which half of an <c>.argocd-source-&lt;app&gt;.yaml</c> file is written.</summary>
    // 64-bit on purpose: PowerShell's ConvertTo-Json writes such enums by name ("Status": "Updated"), not as a number.
    public enum ArgoCDSourceForm : long
    {
        /// <summary><c>helm.parameters</c>: name/value/forceString entries.</summary>
        Helm,

        /// <summary><c>kustomize.images</c>: <c>[original=]name:tag[@digest]</c> strings.</summary>
        Kustomize,
    }

    /// <summary>
    /// The parameter-override file Argo CD reads from a source folder (upstream's default git write-back target).
    /// Only the managed image parameters are merged into what the file holds (never a dump of every parameter, upstream #561);
    /// everything else in the file stays byte for byte.
    /// </summary>
    public sealed class ArgoCDSourceTarget : YamlFileTarget
    {
        public ArgoCDSourceTarget(string application, ArgoCDSourceForm form)
        {
            Application = string.IsNullOrEmpty(application) ? throw new ArgumentException("An application name is needed for .argocd-source-<app>.yaml.", nameof(application)) : application;
            Form = form;
        }

        public string Application { get; }

        public ArgoCDSourceForm Form { get; }

        /// <summary>The file name Argo CD looks for: <c>.argocd-source-&lt;app&gt;.yaml</c>.</summary>
        public string FileName => ".argocd-source-" + Application + ".yaml";

        protected override bool CreatesFile => true;

        /// <summary>A folder (the application's source path) resolves to the file in it.</summary>
        public override string ResolveFile(string fileOrDirectory) =>
            Directory.Exists(fileOrDirectory) ? Path.Combine(fileOrDirectory, FileName) : fileOrDirectory;

        protected override Outcome Edit(YamlEditor editor, ImageUpdate update) =>
            Form == ArgoCDSourceForm.Helm ? EditHelm(editor, update) : EditKustomize(editor, update);

        private static Outcome EditHelm(YamlEditor editor, ImageUpdate update)
        {
            var parameters = new List<KeyValuePair<string, string>>();
            var keys = HelmImageKeys.For(update.HelmImageSpecKey, update.HelmImageNameKey, update.HelmImageTagKey);
            if (keys.Spec is { } specKey)
            {
                parameters.Add(new KeyValuePair<string, string>(specKey, TagText.Reference(update.NewName ?? update.Image ?? Missing(update), update.NewTag, update.Digest)));
            }
            else
            {
                if ((update.NewName ?? update.Image) is { } image)
                {
                    parameters.Add(new KeyValuePair<string, string>(keys.Name, image));
                }

                parameters.Add(new KeyValuePair<string, string>(keys.Tag, update.TagValue));
            }

            var changes = new List<YamlScalarChange>();
            string? oldTag = null;
            foreach (var parameter in parameters)
            {
                var names = editor.GetItems("helm.parameters", "name");
                var index = names is null ? -1 : names.ToList().IndexOf(parameter.Key);
                var forceKey = ForceStringKey(editor, names?.Count ?? 0, index);
                if (index < 0)
                {
                    editor.AppendItem("helm.parameters", new List<KeyValuePair<string, object>>
                    {
                        new KeyValuePair<string, object>("name", parameter.Key),
                        new KeyValuePair<string, object>("value", parameter.Value),
                        new KeyValuePair<string, object>(forceKey, true),
                    });
                    continue;
                }

                var entry = $"helm.parameters[{index}]";
                var old = editor.GetScalar(entry + ".value");
                oldTag = parameter.Key == keys.Spec ? TagText.Of(old) : parameter.Key == keys.Tag ? old : oldTag;
                changes.Add(editor.SetScalar(entry + ".value", parameter.Value));
                changes.Add(editor.SetScalar(entry + "." + forceKey, true));
            }

            return new Outcome(oldTag, changes, "helm.parameters " + string.Join(", ", parameters.ConvertAll(p => p.Key)));
        }

        private static Outcome EditKustomize(YamlEditor editor, ImageUpdate update)
        {
            var image = update.Image ?? Missing(update);
            var wanted = new KustomizeImageEntry(update.KustomizeImageName, image, update.NewTag, update.Digest);
            var value = wanted.ToString();
            var items = editor.GetItems("kustomize.images", null);
            var index = -1;
            for (var i = 0; items is not null && i < items.Count; i++)
            {
                if (items[i] is { } item && KustomizeImageEntry.Parse(item).IsReplacedBy(wanted))
                {
                    index = i;
                    break;
                }
            }

            if (index < 0)
            {
                editor.AppendItem("kustomize.images", value);
                return new Outcome(null, new List<YamlScalarChange>(), "kustomize.images " + value);
            }

            var oldTag = TagText.Of(items![index]);
            return new Outcome(oldTag, new List<YamlScalarChange> { editor.SetScalar($"kustomize.images[{index}]", value) }, "kustomize.images");
        }

        /// <summary>The entry's own spelling of forceString, else the file's, else Argo CD's field name (its reader ignores case).</summary>
        private static string ForceStringKey(YamlEditor editor, int count, int index)
        {
            var order = new List<int>();
            if (index >= 0)
            {
                order.Add(index);
            }

            for (var i = 0; i < count; i++)
            {
                order.Add(i);
            }

            foreach (var i in order)
            {
                foreach (var spelling in new[] { "forcestring", "forceString" })
                {
                    if (editor.Exists($"helm.parameters[{i}].{spelling}"))
                    {
                        return spelling;
                    }
                }
            }

            return "forceString";
        }

        private static string Missing(ImageUpdate update) =>
            throw new ImageUpdaterException("ArgoCDSourceImageMissing", FailureKind.InvalidArgument, $"The update to {update.TagValue} names no image; an .argocd-source file needs the image name.", update);
    }
}
