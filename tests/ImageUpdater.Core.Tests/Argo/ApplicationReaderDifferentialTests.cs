using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Tests.Yaml;
using ImageUpdater.Core.Yaml;
using Xunit;

namespace ImageUpdater.Core.Tests.Argo
{
    /// <summary>
    /// Issue 22: Application manifests are built only as far as <see cref="ApplicationMapper.Fields"/> reaches. The reader must
    /// give the model the previous reading gave (a whole object tree of every document, then mapped) — Applications, ImageUpdaters,
    /// per-document errors and file errors alike — over the corpus, the repository's fixtures, edge cases and mutated inputs.
    /// </summary>
    public class ApplicationReaderDifferentialTests
    {
        private const string Full = @"apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
  namespace: argocd
  resourceVersion: ""42""
  labels: {team: a, tier: 1}
  annotations:
    argocd-image-updater.argoproj.io/image-list: web=ghcr.io/org/web:~1.0, api=ghcr.io/org/api
    argocd-image-updater.argoproj.io/web.helm.image-tag: image.tag
    argocd-image-updater.argoproj.io/write-back-method: git
  finalizers: [resources-finalizer.argocd.argoproj.io]
spec:
  project: default
  destination: {server: https://kubernetes.default.svc, namespace: web}
  source:
    repoURL: https://git.example.com/gitops.git
    path: apps/web
    targetRevision: main
    helm:
      valueFiles: [values.yaml]
      parameters:
        - {name: image.tag, value: '1.0', forceString: true}
  syncPolicy: {automated: {prune: true}}
status:
  sourceType: Helm
  summary:
    images: [ghcr.io/org/web:1.0]
  health: {status: Healthy}
";

        public static readonly TheoryData<string> EdgeCases = new TheoryData<string>
        {
            Full,
            // Anchors defined where nothing is kept, used where everything is.
            "x-defaults: &ann\n  argocd-image-updater.argoproj.io/image-list: a=nginx\nx-src: &src {repoURL: r, path: p, kustomize: {images: [a=b:1]}}\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a, annotations: *ann}\nspec:\n  source: *src\n",
            // An anchor inside a kept mapping used under a skipped key, a scalar anchor, merge keys read as plain keys.
            "apiVersion: argoproj.io/v1alpha1\nkind: &k Application\nmetadata: &m\n  name: b\n  annotations: {argocd-image-updater.argoproj.io/image-list: &img x=nginx:1}\n  other: *img\nspec:\n  <<: *m\n  project: *k\n  sources:\n    - {repoURL: r, helm: {}}\n    - {repoURL: s, ref: values, chart: c}\nstatus: {sourceTypes: [Helm, Kustomize]}\n",
            // Quoted keys, flow and block styles, literal blocks, a key that is a collection, duplicate keys.
            "\"apiVersion\": 'argoproj.io/v1alpha1'\n'kind': \"Application\"\n? [complex, key]\n: dropped\nmetadata:\n  name: c\n  name: c2\n  \"annotations\":\n    argocd-image-updater.argoproj.io/image-list: |\n      one=nginx:1.x\n  ? {k: v}\n  : x\nspec: {source: {repoURL: r, path: '.', kustomize: null}}\n",
            // Several documents: other kinds, an ImageUpdater, invalid names, nulls, an empty document, a list document.
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n---\napiVersion: argocd-image-updater.argoproj.io/v1alpha1\nkind: ImageUpdater\nmetadata: {name: iu, namespace: argocd}\nspec:\n  applicationRefs:\n    - namePattern: web*\n      images: [{alias: web, imageName: nginx}]\n---\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: Not_Valid}\n---\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: d, namespace: ~, labels: null, annotations: {a: [1], b: {c: d}, e: 5}}\nstatus: scalar\n---\n---\n- apiVersion: argoproj.io/v1alpha1\n  kind: Application\n  metadata: {name: inlist}\n",
            // Errors that stop the file: an alias with no anchor, a recursive alias, a key without a value, too deep.
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: e, annotations: *nothing}\n",
            "x: &a\n  - *a\n",
            "skipped:\n  deep: &r {a: *r}\n",
            "a:\n  b: 1\n  : *x\n",
            "ignored: " + new string('[', 300) + new string(']', 300) + "\n",
            "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f]\n",
            "metadata: {name: [unclosed\n",
            "\uFEFFapiVersion: argoproj.io/v1\nkind: Application\nmetadata:\n  name: bom\n",
        };

        [Theory]
        [MemberData(nameof(EdgeCases))]
        public void EdgeCasesGiveThePreviousModel(string text)
        {
            AssertSameAsPrevious(text, "edge.yaml");
        }

        [Fact]
        public void EveryCorpusFileGivesThePreviousModel()
        {
            var files = Directory.GetFiles(SharedData.Require(), "*.yaml", SearchOption.AllDirectories);
            Assert.NotEmpty(files);
            foreach (var file in files)
            {
                AssertSameAsPrevious(File.ReadAllText(file), file);
            }
        }

        [Fact]
        public void EveryRepositoryFixtureGivesThePreviousModel()
        {
            var files = Directory.GetFiles(Path.Combine(SolutionFolder(), "tests"), "*.y*ml", SearchOption.AllDirectories)
                .Concat(Directory.GetFiles(Path.Combine(SolutionFolder(), "examples"), "*.y*ml", SearchOption.AllDirectories))
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                    && !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                .ToArray();
            Assert.NotEmpty(files);
            foreach (var file in files)
            {
                AssertSameAsPrevious(File.ReadAllText(file), file);
            }
        }

        [Fact]
        public void MutatedManifestsGiveThePreviousModel()
        {
            var seeds = EdgeCases.Select(row => (string)row.Data).Take(5).ToList();
            if (SharedData.Path is { } corpus)
            {
                seeds.AddRange(Directory.GetFiles(Path.Combine(corpus, "real-world"), "app-*.yaml").Select(File.ReadAllText));
            }

            var random = new Random(20261130);
            for (var i = 0; i < 1500; i++)
            {
                var text = Encoding.UTF8.GetString(YamlFuzzTests.Mutate(Encoding.UTF8.GetBytes(seeds[random.Next(seeds.Count)]), random));
                AssertSameAsPrevious(text, "case-" + i.ToString(CultureInfo.InvariantCulture) + ".yaml");
            }
        }

        [Fact]
        public void AnImageUpdaterKeepsItsWholeManifest()
        {
            var imageUpdaters = new List<ImageUpdaterResource>();

            ApplicationManifestReader.ReadText(
                "apiVersion: argocd-image-updater.argoproj.io/v1alpha1\nkind: ImageUpdater\nmetadata: {name: iu}\nspec:\n  applicationRefs: [{namePattern: '*'}]\n  extra: {kept: yes}\n",
                "iu.yaml", e => Assert.Fail(e.Message), imageUpdaters);

            var manifest = Assert.Single(imageUpdaters).Manifest!;
            Assert.Equal("yes", ObjectTree.Text(manifest, "spec.extra.kept"));
        }

        [Fact]
        public void TheMapperReadsOnlyKeptPaths()
        {
            // Every look-up the mapper makes in a manifest with every field it knows must fall inside ApplicationMapper.Fields.
            var read = new SortedSet<string>(StringComparer.Ordinal);
            var tree = (IDictionary<string, object?>)YamlObjectReader.Read(Full, "full.yaml")[0]!;

            ApplicationMapper.FromObject((IDictionary<string, object?>)Recording.Wrap(tree, string.Empty, read)!, "full.yaml");
            ApplicationMapper.IsApplication((IDictionary<string, object?>)Recording.Wrap(tree, string.Empty, read)!);

            Assert.Contains("spec.source.helm", read);
            Assert.Contains("status.summary.images", read);
            var kept = (IDictionary<string, object?>)YamlObjectReader.Read(Full, "full.yaml", ApplicationMapper.Fields)[0]!;
            Assert.All(read, path => Assert.True(Reaches(kept, path) == Reaches(tree, path), "The mapper reads '" + path + "', which ApplicationMapper.Fields leaves out."));
        }

        private static bool Reaches(object? node, string path) => path.Split('.').All(part => node is IDictionary<string, object?> map && map.TryGetValue(part, out node));

        private static void AssertSameAsPrevious(string text, string origin)
        {
            var expected = Previous(text, origin);
            string actual;
            try
            {
                var errors = new List<ImageUpdaterException>();
                var imageUpdaters = new List<ImageUpdaterResource>();
                var apps = ApplicationManifestReader.ReadText(text, origin, errors.Add, imageUpdaters);
                actual = Outcome(apps, errors, imageUpdaters);
            }
            catch (ImageUpdaterException ex)
            {
                actual = Failure(ex);
            }

            Assert.True(expected == actual, $"{origin}: the reader's model differs from the previous one.\nPrevious:\n{expected}\nNow:\n{actual}\nInput:\n{text}");
        }

        // The previous ApplicationManifestReader.ReadText: every document built whole, then mapped.
        private static string Previous(string text, string origin)
        {
            var apps = new List<ArgoApplication>();
            var errors = new List<ImageUpdaterException>();
            var imageUpdaters = new List<ImageUpdaterResource>();
            try
            {
                foreach (var document in YamlObjectReader.Read(text, origin))
                {
                    if (document is not IDictionary<string, object?> manifest)
                    {
                        continue;
                    }

                    try
                    {
                        if (ApplicationMapper.IsApplication(manifest))
                        {
                            apps.Add(ApplicationMapper.FromObject(manifest, origin));
                        }
                        else if (ImageUpdaterMapper.IsImageUpdater(manifest))
                        {
                            imageUpdaters.Add(ImageUpdaterMapper.FromObject(manifest, origin));
                        }
                    }
                    catch (ImageUpdaterException ex)
                    {
                        errors.Add(ex);
                    }
                }
            }
            catch (ImageUpdaterException ex)
            {
                return Failure(ex);
            }

            return Outcome(apps, errors, imageUpdaters);
        }

        private static string Failure(ImageUpdaterException ex) => "failed " + ex.ErrorId + " " + ex.Kind + " " + ex.Target + ": " + ex.Message;

        private static string Outcome(IEnumerable<ArgoApplication> apps, List<ImageUpdaterException> errors, List<ImageUpdaterResource> imageUpdaters)
        {
            var text = new StringBuilder();
            foreach (var app in apps)
            {
                Dump(text, app, 0);
            }

            errors.ForEach(e => text.AppendLine("error " + Failure(e)));
            imageUpdaters.ForEach(i => Dump(text, i, 0));
            return text.ToString();
        }

        // Every public property, recursively: the comparison does not depend on which members a model class has today.
        private static void Dump(StringBuilder text, object? value, int depth)
        {
            if (depth > 12)
            {
                text.Append("…");
                return;
            }

            switch (value)
            {
                case null:
                    text.Append("null");
                    return;
                case string s:
                    text.Append('"').Append(s).Append('"');
                    return;
                case IFormattable or bool or Enum or Type or System.Text.RegularExpressions.Regex:
                    text.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                    return;
                case IDictionary map:
                    text.Append('{');
                    foreach (DictionaryEntry entry in map)
                    {
                        text.Append(entry.Key).Append('=');
                        Dump(text, entry.Value, depth + 1);
                        text.Append(", ");
                    }

                    text.Append('}');
                    return;
                case IEnumerable items:
                    text.Append('[');
                    foreach (var item in items)
                    {
                        Dump(text, item, depth + 1);
                        text.Append(", ");
                    }

                    text.Append(']');
                    return;
            }

            text.Append(value.GetType().Name).Append('(');
            foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                // The ImageUpdater's manifest is compared in its own test: the previous reader kept it the same way.
                if (property.Name == nameof(ImageUpdaterResource.Manifest))
                {
                    continue;
                }

                text.Append(property.Name).Append(": ");
                Dump(text, property.GetValue(value), depth + 1);
                text.Append("; ");
            }

            text.AppendLine(")");
        }

        private static string SolutionFolder()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ImageUpdater.PS.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("The solution folder is not above the test binaries.");
        }

        /// <summary>A mapping that records the dotted path of every key looked up in it or below it.</summary>
        private sealed class Recording : Dictionary<string, object?>, IDictionary<string, object?>
        {
            private readonly string path;
            private readonly ISet<string> read;

            private Recording(string path, ISet<string> read)
                : base(StringComparer.Ordinal)
            {
                this.path = path;
                this.read = read;
            }

            public static object? Wrap(object? node, string path, ISet<string> read)
            {
                switch (node)
                {
                    case IDictionary<string, object?> map:
                        var wrapped = new Recording(path, read);
                        foreach (var pair in map)
                        {
                            wrapped.Add(pair.Key, Wrap(pair.Value, path.Length == 0 ? pair.Key : path + "." + pair.Key, read));
                        }

                        return wrapped;
                    case IList<object?> list:
                        return list.Select(item => Wrap(item, path, read)).ToList();
                    default:
                        return node;
                }
            }

            bool IDictionary<string, object?>.ContainsKey(string key) => Note(key) && ContainsKey(key);

            bool IDictionary<string, object?>.TryGetValue(string key, out object? value)
            {
                Note(key);
                return TryGetValue(key, out value);
            }

            private bool Note(string key)
            {
                read.Add(path.Length == 0 ? key : path + "." + key);
                return true;
            }
        }
    }
}
