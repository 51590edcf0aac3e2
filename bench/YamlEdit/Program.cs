using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using ImageUpdater.Core.WriteBack;
using ImageUpdater.Core.Yaml;
using YamlDotNet.RepresentationModel;

// Times a byte-preserving tag edit of a large values file against a YamlDotNet load-and-save round trip, in one run.
// Usage: dotnet run -c Release --project bench/YamlEdit [-- <values.yaml> [key.path] [iterations]]
var file = args.Length > 0 ? args[0] : FindCorpusFile("values-argo-cd.yaml");
var keyPath = args.Length > 1 ? args[1] : "global.image.tag";
var iterations = args.Length > 2 ? int.Parse(args[2]) : 200;
var bytes = File.ReadAllBytes(file);
var text = Encoding.UTF8.GetString(bytes);
var update = new[] { new ImageUpdate(null, "v9.9.9") { HelmImageTagKey = keyPath } };
var target = new HelmValuesTarget();

// The editor alone (parse, splice, re-parse check) and the whole target step (plus bytes and unified diff).
double EditorOnce()
{
    var sw = Stopwatch.StartNew();
    var editor = YamlEditor.FromBytes(bytes, file);
    editor.SetScalar(keyPath, "v9.9.9");
    _ = editor.ToBytes();
    return sw.Elapsed.TotalMilliseconds;
}

double TargetOnce()
{
    var sw = Stopwatch.StartNew();
    _ = target.Apply(file, bytes, update);
    return sw.Elapsed.TotalMilliseconds;
}

string roundTripText = string.Empty;
double RoundTripOnce()
{
    var sw = Stopwatch.StartNew();
    var stream = new YamlStream();
    stream.Load(new StringReader(Encoding.UTF8.GetString(bytes)));
    var writer = new StringWriter();
    stream.Save(writer, assignAnchors: false);
    roundTripText = writer.ToString();
    return sw.Elapsed.TotalMilliseconds;
}

for (var i = 0; i < 30; i++)
{
    EditorOnce();
    TargetOnce();
    RoundTripOnce();
}

var editorTimes = new List<double>();
var targetTimes = new List<double>();
var roundTimes = new List<double>();
for (var i = 0; i < iterations; i++)
{
    // Interleaved so that machine noise hits all three alike.
    editorTimes.Add(EditorOnce());
    targetTimes.Add(TargetOnce());
    roundTimes.Add(RoundTripOnce());
}

// CPU time per operation, in interleaved batches: the machine may be shared, and CPU time counts only this process's work.
var editorCpu = new List<double>();
var targetCpu = new List<double>();
var roundCpu = new List<double>();
const int Batch = 20;
for (var round = 0; round < Math.Max(3, iterations / Batch); round++)
{
    editorCpu.Add(CpuPerRun(() => EditorOnce()));
    targetCpu.Add(CpuPerRun(() => TargetOnce()));
    roundCpu.Add(CpuPerRun(() => RoundTripOnce()));
}

var edit = target.Apply(file, bytes, update);
var editedLines = Changed(text, edit.NewText);
var roundTripLines = Changed(text, roundTripText);
var lineCount = text.Count(c => c == '\n') + (text.EndsWith("\n", StringComparison.Ordinal) ? 0 : 1);

Console.WriteLine($"file: {Path.GetFileName(file)} ({bytes.Length:N0} bytes, {lineCount:N0} lines), key: {keyPath}, iterations: {iterations}, runtime: {Environment.Version}");
Console.WriteLine($"YamlEditor.SetScalar (parse + splice + scalar check + bytes):   median {Median(editorTimes):F2} ms, p95 {P95(editorTimes):F2} ms");
Console.WriteLine($"HelmValuesTarget.Apply (the above + unified diff):              median {Median(targetTimes):F2} ms, p95 {P95(targetTimes):F2} ms");
Console.WriteLine($"YamlDotNet YamlStream load + save round trip:                  median {Median(roundTimes):F2} ms, p95 {P95(roundTimes):F2} ms");
Console.WriteLine($"ratio edit / round trip: {Median(editorTimes) / Median(roundTimes):F2} (target step: {Median(targetTimes) / Median(roundTimes):F2})");
Console.WriteLine($"CPU time per run (median of batches of {Batch}): edit {Median(editorCpu):F2} ms, target step {Median(targetCpu):F2} ms, round trip {Median(roundCpu):F2} ms, ratio {Median(editorCpu) / Median(roundCpu):F2}");
Console.WriteLine($"lines changed by the edit: {editedLines.Removed} removed, {editedLines.Added} added (bytes differing only in the scalar)");
Console.WriteLine($"lines changed by the round trip: {roundTripLines.Removed} of {lineCount} original lines removed or rewritten, {roundTripLines.Added} lines added");
return 0;

static double CpuPerRun(Action run)
{
    var process = Process.GetCurrentProcess();
    var before = process.TotalProcessorTime;
    for (var i = 0; i < Batch; i++)
    {
        run();
    }

    process.Refresh();
    return (process.TotalProcessorTime - before).TotalMilliseconds / Batch;
}

static (int Removed, int Added) Changed(string before, string after)
{
    var diff = UnifiedDiff.Create(before, after, "a", "b").Split('\n');
    return (diff.Count(l => l.StartsWith("-", StringComparison.Ordinal) && !l.StartsWith("---", StringComparison.Ordinal)),
            diff.Count(l => l.StartsWith("+", StringComparison.Ordinal) && !l.StartsWith("+++", StringComparison.Ordinal)));
}

static double Median(List<double> values)
{
    var sorted = values.OrderBy(v => v).ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static double P95(List<double> values) => values.OrderBy(v => v).ElementAt((int)Math.Ceiling(values.Count * 0.95) - 1);

static string FindCorpusFile(string name)
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, "..", "shared", "data", "real-world", name);
        if (File.Exists(Path.Combine(dir.FullName, "ImageUpdater.PS.sln")) && File.Exists(candidate))
        {
            return Path.GetFullPath(candidate);
        }
    }

    throw new FileNotFoundException($"{name} was not found in ../shared/data/real-world; pass the file path as the first argument.");
}
