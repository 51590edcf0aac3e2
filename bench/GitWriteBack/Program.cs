using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;
using ImageUpdater.Emulators.GitHttp;

namespace GitWriteBackBench
{
    /// <summary>
    /// N applications in one repository, each with a new tag, written back over smart HTTP (git-http emulator, basic auth):
    /// prints fetches, commits and pushes (client counters and the server's request counts) and wall time, cold (clone) and warm (fetch),
    /// against upstream's way of one commit and push per application. Usage: GitWriteBackBench [apps=50]
    /// </summary>
    public static class Program
    {
        public static async Task<int> Main(string[] args)
        {
            var apps = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 50;
            var root = Path.Combine(Path.GetTempPath(), "iu-git-bench-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            try
            {
                var bare = Seed(root, apps);
                await using var server = GitHttpEmulator.Create(new[] { "--root", Path.GetDirectoryName(bare)!, "--user", "bench", "--password", "bench-token" });
                var url = server.Url + "gitops.git";
                Console.WriteLine($"Git write-back bench: {apps} applications in one repository over smart HTTP ({Git(root, "version").Trim()} http-backend on loopback)");

                Run("batched, cold cache (clone)", server, url, root, "cache", apps, "1.1.0", perApp: false);
                Run("batched, warm cache (fetch)", server, url, root, "cache", apps, "1.2.0", perApp: false);
                Run("one commit+push per app (upstream's way), warm", server, url, root, "cache", apps, "1.3.0", perApp: true);
                return 0;
            }
            finally
            {
                try
                {
                    Directory.Delete(root, true);
                }
                catch (IOException)
                {
                    // A temporary folder left behind is harmless.
                }
            }
        }

        private static void Run(string label, GitHttpEmulator server, string url, string root, string cache, int apps, string tag, bool perApp)
        {
            var (adverts, uploads, receives) = (server.Advertisements, server.UploadPacks, server.ReceivePacks);
            var options = new GitWriteBackOptions { WorkingDirectory = Path.Combine(root, cache), Credentials = new GitCredentials { Https = new NetworkCredential("bench", "bench-token") } };
            var engine = new GitWriteBack(new GitTargetEditor(), options);
            var candidates = Enumerable.Range(0, apps).Select(i => Candidate(url, "app-" + i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture), tag)).ToList();
            var watch = Stopwatch.StartNew();
            var outcomes = perApp ? candidates.SelectMany(c => engine.Run(new[] { c })).ToList() : engine.Run(candidates).ToList();
            watch.Stop();
            var results = outcomes.SelectMany(o => o.Results).ToList();
            var failed = outcomes.SelectMany(o => o.Errors).ToList();
            if (failed.Count > 0 || results.Any(r => r.Status != UpdateStatus.Updated))
            {
                throw new InvalidOperationException($"{label}: {failed.FirstOrDefault()?.Message ?? results.First(r => r.Status != UpdateStatus.Updated).Message}");
            }

            Console.WriteLine($"{label,-48} {engine.Statistics.Fetches,3} fetches {engine.Statistics.Commits,3} commits {engine.Statistics.Pushes,3} pushes | server: {server.Advertisements - adverts,3} ref adverts {server.UploadPacks - uploads,3} upload-pack {server.ReceivePacks - receives,3} receive-pack | {watch.Elapsed.TotalMilliseconds,8:0} ms");
        }

        private static ImageUpdateCandidate Candidate(string url, string name, string tag)
        {
            var app = new ArgoApplication(name)
            {
                Namespace = "argocd",
                Sources = new[] { new ApplicationSource { RepoUrl = url, Path = "apps/" + name, TargetRevision = "main", IsHelm = true } },
                WriteBack = new WriteBackSpec { Method = WriteBackMethod.Git, Target = new WriteBackTarget(WriteBackTargetKind.HelmValues, "values.yaml") },
            };
            var spec = new ImageSpec("web", ImageReference.Parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/web")) { HelmImageTag = "image.tag" };
            app.Images = new[] { spec };
            return new ImageUpdateCandidate(app, spec) { CurrentTag = "1.0.0", NewTag = tag, UpdateNeeded = true };
        }

        private static string Seed(string root, int apps)
        {
            var bare = Path.Combine(root, "remote", "gitops.git");
            var seed = Path.Combine(root, "seed");
            Directory.CreateDirectory(root);
            Git(root, "init", "--quiet", "--bare", "--initial-branch=main", bare);
            Git(root, "init", "--quiet", "--initial-branch=main", seed);
            for (var i = 0; i < apps; i++)
            {
                var dir = Path.Combine(seed, "apps", "app-" + i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
                Directory.CreateDirectory(dir);
                File.WriteAllText(Path.Combine(dir, "values.yaml"), "# values of the web tier\nreplicaCount: 2\nimage:\n  repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/web\n  tag: 1.0.0 # bumped by image updater\nresources:\n  limits:\n    memory: 256Mi\n");
            }

            Git(seed, "add", "-A");
            Git(seed, "-c", "user.name=Seed", "-c", "user.email=seed@example.com", "commit", "--quiet", "-m", "seed");
            Git(seed, "push", "--quiet", bare, "main");
            return bare;
        }

        private static string Git(string directory, params string[] args) => GitHttpEmulator.Git(directory, args);
    }
}
