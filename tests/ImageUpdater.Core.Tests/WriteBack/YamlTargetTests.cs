using System;
using System.IO;
using System.Text;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Tests.Yaml;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;
using ImageUpdater.Core.Yaml;
using Xunit;

namespace ImageUpdater.Core.Tests.WriteBack
{
    public class YamlTargetTests
    {
        private static FileEdit Apply(IWriteBackTarget target, string? text, params ImageUpdate[] updates) =>
            target.Apply("file.yaml", text is null ? null : Encoding.UTF8.GetBytes(text), updates);

        [Fact]
        public void HelmWritesNameAndTagAndKeepsShortName()
        {
            var edit = Apply(new HelmValuesTarget(), "image:\n  repository: bitnami/nginx\n  tag: 1.27.1\n",
                new ImageUpdate("docker.io/bitnami/nginx", "1.27.5") { HelmImageNameKey = "image.repository", HelmImageTagKey = "image.tag" });
            Assert.Equal("image:\n  repository: bitnami/nginx\n  tag: 1.27.5\n", edit.NewText);
            Assert.Equal(UpdateStatus.Updated, edit.Results[0].Status);
            Assert.Equal("1.27.1", edit.Results[0].OldTag);
            Assert.Equal("1.27.5", edit.Results[0].NewTag);
            Assert.Equal("--- file.yaml\n+++ file.yaml\n@@ -1,3 +1,3 @@\n image:\n   repository: bitnami/nginx\n-  tag: 1.27.1\n+  tag: 1.27.5\n", edit.Diff);

            edit = Apply(new HelmValuesTarget(), "image:\n  repository: nginx\n  tag: 1.27.1\n",
                new ImageUpdate("ghcr.io/acme/web", "2.0") { HelmImageNameKey = "image.repository", HelmImageTagKey = "image.tag" });
            Assert.Equal("image:\n  repository: ghcr.io/acme/web\n  tag: \"2.0\"\n", edit.NewText);
        }

        [Fact]
        public void HelmSpecKeyKeepsTheNameAlreadyThere()
        {
            var edit = Apply(new HelmValuesTarget(), "web:\n  image: \"ghcr.io/acme/web:1.0.0\" # pinned\n",
                new ImageUpdate(null, "1.1.0") { HelmImageSpecKey = "web.image" });
            Assert.Equal("web:\n  image: \"ghcr.io/acme/web:1.1.0\" # pinned\n", edit.NewText);
            Assert.Equal("1.0.0", edit.Results[0].OldTag);
        }

        [Fact]
        public void HelmDigestGoesIntoTheTag()
        {
            var digest = "sha256:" + new string('b', 64);
            var edit = Apply(new HelmValuesTarget(), "image:\n  tag: v1\n", new ImageUpdate("x", "v2") { Digest = digest, HelmImageTagKey = "image.tag" });
            Assert.Equal("image:\n  tag: v2@" + digest + "\n", edit.NewText);
        }

        [Fact]
        public void HelmWithoutKeysIsAnError()
        {
            var ex = Assert.Throws<ImageUpdaterException>(() => Apply(new HelmValuesTarget(), "a: 1\n", new ImageUpdate("x", "v2")));
            Assert.Equal("HelmImageKeyMissing", ex.ErrorId);
        }

        [Fact]
        public void HelmUnchangedIsReported()
        {
            var edit = Apply(new HelmValuesTarget(), "image:\n  tag: \"1.10\"\n", new ImageUpdate(null, "1.10") { HelmImageTagKey = "image.tag" });
            Assert.False(edit.Changed);
            Assert.Equal(UpdateStatus.Unchanged, edit.Results[0].Status);
            Assert.Equal(string.Empty, edit.Diff);
            Assert.Null(edit.Results[0].Diff);
        }

        [Fact]
        public void MissingFileIsAnErrorForHelmAndKustomize()
        {
            Assert.Equal("WriteBackFileNotFound", Assert.Throws<ImageUpdaterException>(() => Apply(new HelmValuesTarget(), null, new ImageUpdate("x", "1") { HelmImageTagKey = "t" })).ErrorId);
            Assert.Equal("WriteBackFileNotFound", Assert.Throws<ImageUpdaterException>(() => Apply(new KustomizationTarget(), null, new ImageUpdate("x", "1"))).ErrorId);
        }

        [Fact]
        public void KustomizeSetsNewNameTagAndDigestLikeKustomize()
        {
            var text = "resources:\n- a.yaml\nimages:\n- name: nginx # web\n  newName: mirror/nginx\n  digest: sha256:1111\n- name: redis\n  newTag: \"7.0\"\n";
            var edit = Apply(new KustomizationTarget(), text, new ImageUpdate("nginx", "1.27.5"));
            Assert.Equal("resources:\n- a.yaml\nimages:\n- name: nginx # web\n  newName: mirror/nginx\n  newTag: 1.27.5\n- name: redis\n  newTag: \"7.0\"\n", edit.NewText);
            // One tag-text rule (TagText.Format): a digest without a tag reads latest@digest; this target used to report the bare digest.
            Assert.Equal("latest@sha256:1111", edit.Results[0].OldTag);

            edit = Apply(new KustomizationTarget(), text, new ImageUpdate("redis", string.Empty) { Digest = "sha256:2222", NewName = "mirror/redis" });
            Assert.Equal("resources:\n- a.yaml\nimages:\n- name: nginx # web\n  newName: mirror/nginx\n  digest: sha256:1111\n- name: redis\n  newName: mirror/redis\n  digest: sha256:2222\n", edit.NewText);
        }

        [Fact]
        public void KustomizeAppendsEntryOrListAndMatchesDockerHubNames()
        {
            var edit = Apply(new KustomizationTarget(), "images:\n  - name: nginx\n    newTag: \"1.0\"\n", new ImageUpdate("docker.io/library/nginx", "1.10"));
            Assert.Equal("images:\n  - name: nginx\n    newTag: \"1.10\"\n", edit.NewText);

            edit = Apply(new KustomizationTarget(), "images:\n- name: nginx\n  newTag: \"1.0\"\n", new ImageUpdate("redis", "7.2") { NewName = "mirror/redis" });
            Assert.Equal("images:\n- name: nginx\n  newTag: \"1.0\"\n- name: redis\n  newName: mirror/redis\n  newTag: \"7.2\"\n", edit.NewText);

            edit = Apply(new KustomizationTarget(), "kind: Kustomization\r\nresources:\r\n- a.yaml", new ImageUpdate("redis", "v7"));
            Assert.Equal("kind: Kustomization\r\nresources:\r\n- a.yaml\r\nimages:\r\n- name: redis\r\n  newTag: v7", edit.NewText);
        }

        [Fact]
        public void KustomizeRefusesSeveralDocumentsAndBadDigests()
        {
            Assert.Equal("KustomizationMultiDocument", Assert.Throws<YamlEditException>(() => Apply(new KustomizationTarget(), "a: 1\n---\nb: 2\n", new ImageUpdate("x", "1"))).ErrorId);
            Assert.Equal("KustomizeDigestInvalid", Assert.Throws<ImageUpdaterException>(() => Apply(new KustomizationTarget(), "a: 1\n", new ImageUpdate("x", "") { Digest = "nope" })).ErrorId);
        }

        [Fact]
        public void KustomizationFolderResolvesInKustomizesOrder()
        {
            var dir = Directory.CreateTempSubdirectory("kust").FullName;
            try
            {
                File.WriteAllText(Path.Combine(dir, "Kustomization"), "images: []\n");
                Assert.Equal(Path.Combine(dir, "Kustomization"), new KustomizationTarget().ResolveFile(dir));
                File.WriteAllText(Path.Combine(dir, "kustomization.yml"), "images: []\n");
                Assert.Equal(Path.Combine(dir, "kustomization.yml"), new KustomizationTarget().ResolveFile(dir));
                var edit = new KustomizationTarget().Apply(dir, new[] { new ImageUpdate("nginx", "1.2.3") });
                Assert.Equal("images: [{name: nginx, newTag: 1.2.3}]\n", edit.NewText);
                File.Delete(Path.Combine(dir, "kustomization.yml"));
                File.Delete(Path.Combine(dir, "Kustomization"));
                Assert.Equal("KustomizationNotFound", Assert.Throws<ImageUpdaterException>(() => new KustomizationTarget().ResolveFile(dir)).ErrorId);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void ArgoCDSourceCreatesTheHelmForm()
        {
            var target = new ArgoCDSourceTarget("web", ArgoCDSourceForm.Helm);
            var edit = Apply(target, null, new ImageUpdate("ghcr.io/acme/web", "1.10") { HelmImageNameKey = "image.repository", HelmImageTagKey = "image.tag" });
            Assert.False(edit.Existed);
            Assert.True(edit.Changed);
            Assert.Equal("helm:\n  parameters:\n  - name: image.repository\n    value: ghcr.io/acme/web\n    forceString: true\n  - name: image.tag\n    value: \"1.10\"\n    forceString: true\n", edit.NewText);
            Assert.Equal(UpdateStatus.Updated, edit.Results[0].Status);
        }

        [Fact]
        public void ArgoCDSourceMergesIntoExistingParameters()
        {
            var text = "helm:\n  parameters:\n  - name: env\n    value: us\n    forcestring: false\n  - name: image.tag\n    value: v1\n";
            var edit = Apply(new ArgoCDSourceTarget("web", ArgoCDSourceForm.Helm), text, new ImageUpdate("ghcr.io/acme/web", "v2"));
            Assert.Equal("helm:\n  parameters:\n  - name: env\n    value: us\n    forcestring: false\n  - name: image.tag\n    value: v2\n    forcestring: true\n  - name: image.name\n    value: ghcr.io/acme/web\n    forcestring: true\n", edit.NewText);
            Assert.Equal("v1", edit.Results[0].OldTag);
        }

        [Fact]
        public void ArgoCDSourceKustomizeFormCreatesAndReplaces()
        {
            var target = new ArgoCDSourceTarget("web", ArgoCDSourceForm.Kustomize);
            Assert.Equal("kustomize:\n  images:\n  - ghcr.io/acme/web:v2\n", Apply(target, null, new ImageUpdate("ghcr.io/acme/web", "v2")).NewText);
            Assert.Equal("kustomize:\n  images:\n  - nginx=mirror/nginx:1.2\n  - redis:7\n",
                Apply(target, "kustomize:\n  images:\n  - nginx=mirror/nginx:1.1\n  - redis:7\n", new ImageUpdate("mirror/nginx", "1.2") { KustomizeImageName = "nginx" }).NewText);
            Assert.Equal("kustomize:\n  images:\n  - nginx:1.17\n", Apply(target, "kustomize:\n  images:\n  - docker.io/nginx:1.16\n", new ImageUpdate("nginx", "1.17")).NewText);
        }

        [Fact]
        public void ArgoCDSourceFolderResolvesToTheAppFile()
        {
            var dir = Directory.CreateTempSubdirectory("src").FullName;
            try
            {
                var target = new ArgoCDSourceTarget("web", ArgoCDSourceForm.Kustomize);
                var edit = target.Apply(dir, new[] { new ImageUpdate("nginx", "1.17") });
                Assert.Equal(Path.Combine(dir, ".argocd-source-web.yaml"), edit.Path);
                edit.Write();
                Assert.Equal("kustomize:\n  images:\n  - nginx:1.17\n", File.ReadAllText(edit.Path));
                Assert.Single(Directory.GetFiles(dir));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void WriteReplacesAtomicallyAndSkipsUnchanged()
        {
            var dir = Directory.CreateTempSubdirectory("atomic").FullName;
            try
            {
                var file = Path.Combine(dir, "values.yaml");
                File.WriteAllBytes(file, new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("image:\r\n  tag: v1\r\n")));
                var stamp = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
                File.SetLastWriteTimeUtc(file, stamp);
                var same = new HelmValuesTarget().Apply(file, new[] { new ImageUpdate(null, "v1") { HelmImageTagKey = "image.tag" } });
                same.Write();
                Assert.Equal(stamp, File.GetLastWriteTimeUtc(file));

                var edit = new HelmValuesTarget().Apply(file, new[] { new ImageUpdate(null, "v2") { HelmImageTagKey = "image.tag" } });
                edit.Write();
                Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("image:\r\n  tag: v2\r\n")), File.ReadAllBytes(file));
                Assert.Single(Directory.GetFiles(dir));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void FromCandidateCarriesTheAnnotationKeys()
        {
            var spec = new ImageSpec("web", ImageReference.Parse("ghcr.io/acme/web:~1.0"))
            {
                HelmImageName = "web.image.repository",
                HelmImageTag = "web.image.tag",
                KustomizeImageName = "web",
            };
            var candidate = new ImageUpdateCandidate(new ArgoApplication("shop"), spec) { CurrentTag = "1.0.1", NewTag = "1.0.2" };
            var update = ImageUpdate.From(candidate);
            Assert.Equal("ghcr.io/acme/web", update.Image);
            Assert.Equal("shop", update.Application);
            Assert.Equal("web.image.tag", update.HelmImageTagKey);
            Assert.Equal("1.0.2", update.TagValue);
        }
    }
}
