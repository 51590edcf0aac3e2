using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ImageUpdater.Core.Argo;
using Xunit;

namespace ImageUpdater.Core.Tests.Argo
{
    public sealed class ManifestFileSourceTests : IDisposable
    {
        private readonly string folder = Directory.CreateTempSubdirectory("manifests").FullName;

        public void Dispose() => Directory.Delete(folder, true);

        private static string Manifest(string name, string project = "default") =>
            $"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n  namespace: argocd\nspec:\n  project: {project}\n";

        private string Write(string relative, string text)
        {
            var path = Path.Combine(folder, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
            return path;
        }

        private static List<ApplicationRead> Read(IEnumerable<string> paths, bool recurse, ApplicationQuery? query = null)
        {
            using var source = new ManifestFileSource(paths, recurse, parallelism: 4);
            return source.Read(query ?? ApplicationQuery.All).ToList();
        }

        private static IEnumerable<string> Names(IEnumerable<ApplicationRead> reads) => reads.Where(r => r.Kind == ApplicationReadKind.Application).Select(r => r.Application!.Name);

        [Fact]
        public void ManyFilesComeInFileOrder_EachBrokenFileIsOneErrorNamingIt()
        {
            for (var i = 0; i < 40; i++)
            {
                Write($"app-{i:D2}.yaml", Manifest($"app-{i:D2}"));
            }

            var broken = Write("app-20-broken.yaml", "kind: Application\nmetadata: [unclosed");
            var deep = Write("app-30-deep.yaml", "kind: Application\nmetadata: " + new string('[', 10_000));
            var reads = Read(new[] { folder }, recurse: false);
            Assert.Equal(Enumerable.Range(0, 40).Select(i => $"app-{i:D2}"), Names(reads));
            var errors = reads.Where(r => r.Kind == ApplicationReadKind.Error).ToList();
            Assert.Equal(new object[] { broken, deep }, errors.Select(e => e.Target));
            Assert.All(errors, e => Assert.Equal(FailureKind.InvalidData, e.Error!.Kind));
            Assert.Equal("YamlTooDeep", errors[1].Error!.ErrorId);
            Assert.StartsWith(deep + ":", errors[1].Error!.Message);

            // The error comes after the applications of the files before it and before those after it.
            var order = reads.Where(r => r.Kind != ApplicationReadKind.Verbose).Select(r => r.Kind == ApplicationReadKind.Error ? "error" : r.Application!.Name).ToList();
            Assert.Equal(order.IndexOf("app-19") + 1, order.IndexOf("error"));
        }

        [Fact]
        public void FoldersAreReadRecursivelyOnlyWhenAsked_AndNamesAndProjectsFilter()
        {
            Write("a.yaml", Manifest("web", "shop"));
            Write("nested/b.yml", Manifest("api", "shop"));
            Write("nested/c.yaml", Manifest("billing", "finance"));
            Write("notes.txt", "not read");
            Assert.Equal(new[] { "web" }, Names(Read(new[] { folder }, recurse: false)));
            Assert.Equal(new[] { "web", "api", "billing" }, Names(Read(new[] { folder }, recurse: true)));
            Assert.Equal(new[] { "api" }, Names(Read(new[] { folder }, true, new ApplicationQuery(new[] { "A*" }))));
            Assert.Equal(new[] { "web", "api" }, Names(Read(new[] { folder }, true, new ApplicationQuery(projects: new[] { "shop" }))));
        }

        [Fact]
        public void AMissingPathIsAnErrorAndTheOtherPathsAreStillRead()
        {
            var file = Write("a.yaml", Manifest("web"));
            var missing = Path.Combine(folder, "nope");
            var reads = Read(new[] { missing, file }, recurse: false);
            Assert.Equal(new[] { "web" }, Names(reads));
            var error = Assert.Single(reads, r => r.Kind == ApplicationReadKind.Error);
            Assert.Equal("PathNotFound", error.Error!.ErrorId);
            Assert.Equal(FailureKind.ObjectNotFound, error.Error.Kind);
            Assert.Equal(missing, error.Target);
        }

        [Fact]
        public void NothingFoundSaysWhy()
        {
            Write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n");
            Write("nested/a.yaml", Manifest("web"));
            var none = Assert.Single(Read(new[] { folder }, recurse: false), r => r.Kind == ApplicationReadKind.Warning);
            Assert.Equal($"No Applications under '{folder}'. Subfolders are not read without -Recurse.", none.Message);

            var unmatched = Assert.Single(Read(new[] { folder }, true, new ApplicationQuery(projects: new[] { "shop" })), r => r.Kind == ApplicationReadKind.Warning);
            Assert.Equal($"None of the 1 Application(s) under '{folder}' matched project 'shop'.", unmatched.Message);
        }

        [Fact]
        public void ASelectorIsRefused()
        {
            Write("a.yaml", Manifest("web"));
            var error = Assert.Single(Read(new[] { folder }, false, new ApplicationQuery(selector: "team=shop")));
            Assert.Equal("SelectorNotSupported", error.Error!.ErrorId);
        }
    }
}
