using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using DecodeBench;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Registries.Ecr;
using YamlDotNet.Core;

// Issue 22: decoding ECR pages and reading Application manifests, the previous way against the current one in one process.
// Usage: dotnet run -c Release --project bench/Decode [-- <rounds>]
var rounds = args.Length > 0 ? int.Parse(args[0]) : 15;

// 20 pages of 1 000 images as DescribeImages answers them (the ECR emulator's members, one or two tags an image).
var pages = Enumerable.Range(0, 20).Select(p => EcrPage(p, 1000)).ToArray();
var records = pages.Length * 1000;

// Manifests: the corpus's Application files when ../shared is beside the repository, and 200 generated fleet manifests.
var manifests = new List<(string Origin, string Text)>();
var corpus = FindCorpus();
if (corpus is not null)
{
    manifests.AddRange(Directory.GetFiles(corpus, "app-*.yaml").OrderBy(f => f, StringComparer.Ordinal).Select(f => (f, File.ReadAllText(f))));
}

for (var i = 0; i < 200; i++)
{
    manifests.Add(("fleet-" + i + ".yaml", FleetManifest(i)));
}

var documents = manifests.Sum(m => ApplicationManifestReader.ReadText(m.Text, m.Origin, _ => { }).Count);
Console.WriteLine($"Times are {(ThreadCpu.Milliseconds() is null ? "wall-clock" : "this thread's CPU time")}, medians of the rounds.");
Console.WriteLine($"ECR: {pages.Length} pages, {records} image records; manifests: {manifests.Count} files, {documents} Applications (corpus {(corpus is null ? "absent" : "read")}); rounds {rounds}; .NET {Environment.Version}");

var ecr = Compare(
    () => { foreach (var page in pages) { BaselineDescribeImagesReader.Read(page, new List<EcrImageDetail>(1000)); } },
    () => { foreach (var page in pages) { DescribeImagesReader.Read(page, new List<EcrImageDetail>(1000)); } });
Report("ECR page decoding", "record", records, ecr.Old, ecr.New, 1000.0, "µs");

var yaml = Compare(
    () => { foreach (var (origin, text) in manifests) { BaselineManifests.ReadText(text, origin); } },
    () => { foreach (var (origin, text) in manifests) { ApplicationManifestReader.ReadText(text, origin, _ => { }, new List<ImageUpdaterResource>()); } });
Report("Application manifests", "manifest", manifests.Count, yaml.Old, yaml.New, 1.0, "ms");

// Applications as a cluster exports them (kubectl get -o yaml): managedFields and a status listing every resource.
var exported = Enumerable.Range(0, 20).Select(i => ("exported-" + i + ".yaml", ExportedManifest(i))).ToArray();
if (exported.Sum(m => ApplicationManifestReader.ReadText(m.Item2, m.Item1, e => throw e).Count) != exported.Length)
{
    throw new InvalidOperationException("An exported manifest did not read as one Application.");
}

var fromCluster = Compare(
    () => { foreach (var (origin, text) in exported) { BaselineManifests.ReadText(text, origin); } },
    () => { foreach (var (origin, text) in exported) { ApplicationManifestReader.ReadText(text, origin, _ => { }, new List<ImageUpdaterResource>()); } });
Report("Exported Applications (managedFields, status of 150 resources)", "manifest", exported.Length, fromCluster.Old, fromCluster.New, 1.0, "ms");

// The same manifests read from files, as Get-ArgoApplication -Path reads them.
var folder = Path.Combine(Path.GetTempPath(), "decode-bench-" + Environment.ProcessId);
Directory.CreateDirectory(folder);
var files = manifests.Select((m, i) => { var f = Path.Combine(folder, i.ToString("D4") + ".yaml"); File.WriteAllText(f, m.Text); return f; }).ToArray();
try
{
    var fromFiles = Compare(
        () => { foreach (var file in files) { BaselineManifests.ReadFile(file); } },
        () => { foreach (var file in files) { ApplicationManifestReader.ReadFile(file, _ => { }, new List<ImageUpdaterResource>()); } });
    Report("Application manifest files", "file", files.Length, fromFiles.Old, fromFiles.New, 1.0, "ms");
}
finally
{
    Directory.Delete(folder, recursive: true);
}

var parts = Compare(
    () =>
    {
        foreach (var (_, text) in manifests)
        {
            var parser = new Parser(new StringReader(text));
            while (parser.MoveNext())
            {
            }
        }
    },
    () => { foreach (var (origin, text) in manifests) { ImageUpdater.Core.Yaml.YamlObjectReader.Read(text, origin); } });
Console.WriteLine($"  (of which YamlDotNet's parser events alone take {parts.Old.Ms / manifests.Count:F4} ms and {parts.Old.Bytes / manifests.Count:N0} B a manifest; the previous object tree {parts.New.Ms / manifests.Count:F4} ms and {parts.New.Bytes / manifests.Count:N0} B)");

// Old and new alternate in every round, so machine load and tiered compilation reach both alike.
((double Ms, double Bytes) Old, (double Ms, double Bytes) New) Compare(Action old, Action now)
{
    for (var i = 0; i < 5; i++)
    {
        old();
        now();
    }

    var oldRuns = new List<(double, double)>();
    var newRuns = new List<(double, double)>();
    for (var i = 0; i < rounds; i++)
    {
        oldRuns.Add(Once(old));
        newRuns.Add(Once(now));
    }

    return ((Median(oldRuns.Select(r => r.Item1).ToList()), Median(oldRuns.Select(r => r.Item2).ToList())),
        (Median(newRuns.Select(r => r.Item1).ToList()), Median(newRuns.Select(r => r.Item2).ToList())));
}

static (double Ms, double Bytes) Once(Action action)
{
    var before = GC.GetAllocatedBytesForCurrentThread();
    var cpu = ThreadCpu.Milliseconds();
    var sw = Stopwatch.StartNew();
    action();
    // The thread's CPU time where the OS gives it (a loaded machine stretches wall time, not the work done), else wall time.
    var ms = cpu is { } start ? ThreadCpu.Milliseconds()!.Value - start : sw.Elapsed.TotalMilliseconds;
    return (ms, GC.GetAllocatedBytesForCurrentThread() - before);
}

void Report(string what, string unit, int count, (double Ms, double Bytes) old, (double Ms, double Bytes) now, double scale, string timeUnit)
{
    Console.WriteLine($"{what}: previous {old.Ms * scale / count:F4} {timeUnit} and {old.Bytes / count:N0} B a {unit}; now {now.Ms * scale / count:F4} {timeUnit} and {now.Bytes / count:N0} B a {unit}; time ratio now/previous {now.Ms / old.Ms:F2}, allocation ratio {now.Bytes / old.Bytes:F2}");
}

static double Median(List<double> values)
{
    var sorted = values.OrderBy(v => v).ToArray();
    return sorted[sorted.Length / 2];
}

static byte[] EcrPage(int page, int size)
{
    var json = new StringBuilder("{\"imageDetails\":[");
    for (var i = 0; i < size; i++)
    {
        var n = page * size + i;
        if (i > 0)
        {
            json.Append(',');
        }

        var digest = "sha256:" + n.ToString("x8") + new string('a', 56);
        var tags = n % 3 == 0 ? $"\"1.{n / 100}.{n % 100}\",\"build-{n}\"" : $"\"1.{n / 100}.{n % 100}\"";
        json.Append($"{{\"registryId\":\"123456789012\",\"repositoryName\":\"team/app\",\"imageDigest\":\"{digest}\",\"imageTags\":[{tags}],")
            .Append($"\"imageSizeInBytes\":{30_000_000 + n},\"imagePushedAt\":{1_700_000_000 + n}.{n % 1000:D3},")
            .Append("\"imageManifestMediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"artifactMediaType\":\"application/vnd.oci.image.config.v1+json\"}");
    }

    return Encoding.UTF8.GetBytes(json.Append("],\"nextToken\":\"next-").Append(page).Append("\"}").ToString());
}

static string FleetManifest(int i) => $@"apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: app-{i:D4}
  namespace: argocd
  labels:
    team: team-{i % 7}
  annotations:
    argocd-image-updater.argoproj.io/image-list: web=123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app-{i % 50}:~1.0
    argocd-image-updater.argoproj.io/web.update-strategy: semver
    argocd-image-updater.argoproj.io/web.helm.image-tag: image.tag
    argocd-image-updater.argoproj.io/write-back-method: git
    argocd-image-updater.argoproj.io/write-back-target: helmvalues:values.yaml
  finalizers:
    - resources-finalizer.argocd.argoproj.io
spec:
  project: default
  destination:
    server: https://kubernetes.default.svc
    namespace: app-{i:D4}
  source:
    repoURL: https://git.example.com/gitops-{i % 100:D3}.git
    path: apps/app-{i:D4}
    targetRevision: main
    helm:
      valueFiles:
        - values.yaml
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    syncOptions:
      - CreateNamespace=true
";

static string ExportedManifest(int i)
{
    var text = new StringBuilder(FleetManifest(i).Replace("metadata:\n", "metadata:\n  managedFields:\n" + string.Concat(Enumerable.Range(0, 4).Select(m =>
        $"  - apiVersion: argoproj.io/v1alpha1\n    fieldsType: FieldsV1\n    fieldsV1:\n      f:metadata:\n        f:annotations:\n          .: {{}}\n          f:argocd-image-updater.argoproj.io/image-list: {{}}\n      f:spec:\n        .: {{}}\n        f:source:\n          f:repoURL: {{}}\n    manager: argocd-controller-{m}\n    operation: Update\n    time: \"2026-11-30T10:0{m}:00Z\"\n"))));
    text.Append("status:\n  sourceType: Helm\n  summary:\n    images:\n    - 123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0.0\n  resources:\n");
    for (var r = 0; r < 150; r++)
    {
        text.Append($"  - group: apps\n    kind: Deployment\n    name: part-{r}\n    namespace: app-{i:D4}\n    status: Synced\n    version: v1\n    health:\n      status: Healthy\n");
    }

    text.Append("  history:\n");
    for (var h = 0; h < 10; h++)
    {
        text.Append($"  - deployStartedAt: \"2026-11-{h + 10}T10:00:00Z\"\n    id: {h}\n    revision: {h:x40}\n    source:\n      repoURL: https://git.example.com/gitops.git\n      path: apps/app\n");
    }

    return text.ToString();
}

static string? FindCorpus()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null)
    {
        if (File.Exists(Path.Combine(dir.FullName, "ImageUpdater.PS.sln")))
        {
            var shared = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "real-world"));
            return Directory.Exists(shared) ? shared : null;
        }

        dir = dir.Parent;
    }

    return null;
}
