using System;
using System.IO;
using System.Linq;
using System.Text;
using ImageUpdater.Core.Argo;
using Xunit;

namespace ImageUpdater.Core.Tests.Argo
{
    /// <summary>Files without ImageUpdater resources stream their Applications; a resource anywhere still configures every Application.</summary>
    public sealed class ImageUpdaterSourceStreamingTests : IDisposable
    {
        private const string Resource = "apiVersion: argocd-image-updater.argoproj.io/v1alpha1\nkind: ImageUpdater\nmetadata: {name: fleet, namespace: argocd}\nspec:\n  applicationRefs:\n  - namePattern: 'app-*'\n    images:\n    - {alias: web, imageName: 'nginx:1.x'}\n";

        private readonly string folder = Directory.CreateTempSubdirectory("streaming").FullName;

        public void Dispose() => Directory.Delete(folder, true);

        private static string Manifest(string name) =>
            $"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n  namespace: argocd\nspec:\n  project: default\n  source: {{repoURL: 'https://git.example.com/a.git', path: apps/{name}}}\n";

        private void Write(string name, string text, Encoding? encoding = null) =>
            File.WriteAllText(Path.Combine(folder, name), text, encoding ?? new UTF8Encoding(false));

        private System.Collections.Generic.List<string> Order()
        {
            using var source = ApplicationSources.Create(new ApplicationSourceOptions { Paths = new[] { folder }, Parallelism = 2 });
            return source.Read(ApplicationQuery.All).Where(r => r.Kind is ApplicationReadKind.Application or ApplicationReadKind.Error)
                .Select(r => r.Kind == ApplicationReadKind.Error ? "error" : r.Application!.Name + (r.Application.Images.Count > 0 ? "+web" : string.Empty)).ToList();
        }

        [Fact]
        public void WithoutResources_ApplicationsPassInFileOrder_AnErrorInItsPlace()
        {
            for (var i = 0; i < 6; i++)
            {
                Write($"app-{i}.yaml", Manifest($"app-{i}"));
            }

            Write("app-2b.yaml", "kind: Application\nmetadata: [unclosed");
            using var files = new ManifestFileSource(new[] { folder }, false);
            Assert.False(files.MayHoldImageUpdaters());
            // Streamed: the broken file's error comes between the applications around it (held, it came first).
            Assert.Equal(new[] { "app-0", "app-1", "app-2", "error", "app-3", "app-4", "app-5" }, Order());
        }

        [Fact]
        public void AResourceInTheLastFile_StillConfiguresTheFirstApplication()
        {
            Write("app-0.yaml", Manifest("app-0"));
            Write("app-1.yaml", "kind: Application\nmetadata: [unclosed");
            Write("app-2.yaml", Manifest("app-2"));
            Write("zz-updater.yaml", Resource);
            Assert.Equal(new[] { "error", "app-0+web", "app-2+web" }, Order());
        }

        [Theory]
        [InlineData("escaped kind", "kind: \"Image\\u0055pdater\"")]
        [InlineData("escaped line break", "kind: \"Image\\\n  Updater\"")]
        public void AKindSpelledWithAnEscape_HoldsTheApplicationsToo(string why, string kind)
        {
            Write("app-0.yaml", Manifest("app-0"));
            Write("zz-updater.yaml", Resource.Replace("kind: ImageUpdater", kind));
            using var files = new ManifestFileSource(new[] { folder }, false);
            Assert.True(files.MayHoldImageUpdaters(), why);
            Assert.Equal(new[] { "app-0+web" }, Order());
        }

        [Fact]
        public void AResourceInUtf16_IsSeenAsTheReaderDecodesIt()
        {
            Write("app-0.yaml", Manifest("app-0"));
            Write("zz-updater.yaml", Resource, Encoding.Unicode);
            using var files = new ManifestFileSource(new[] { folder }, false);
            Assert.True(files.MayHoldImageUpdaters());
            Assert.Equal(new[] { "app-0+web" }, Order());
        }
    }
}
