using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;
using ImageUpdater.Emulators.GitHttp;

namespace ImageUpdater.Core.Tests.WriteBack
{
    /// <summary>A bare repository seeded with files through the git CLI, a cache folder, and candidates built from the Core models.</summary>
    public sealed class GitFixture : IDisposable
    {
        /// <summary>apps/a and apps/b, each a values file with image.tag 1.0.0.</summary>
        public static readonly IReadOnlyDictionary<string, string> TwoApps = new Dictionary<string, string>
        {
            ["apps/a/values.yaml"] = "image:\n  tag: 1.0.0\n",
            ["apps/b/values.yaml"] = "image:\n  tag: 1.0.0\n",
        };

        public GitFixture(IEnumerable<KeyValuePair<string, string>> files, string branch = "main")
        {
            Root = Path.Combine(Path.GetTempPath(), "iu-git-" + Guid.NewGuid().ToString("N").Substring(0, 10));
            Directory.CreateDirectory(Root);
            Bare = Path.Combine(Root, "remote", "apps.git");
            Cache = Path.Combine(Root, "cache");
            Git(Root, "init", "--quiet", "--bare", "--initial-branch=" + branch, Bare);
            var seed = Path.Combine(Root, "seed");
            Git(Root, "clone", "--quiet", Bare, seed);
            Git(seed, "checkout", "--quiet", "-b", branch);
            foreach (var file in files)
            {
                var path = Path.Combine(seed, file.Key);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, file.Value);
            }

            Git(seed, "add", "-A");
            Git(seed, "-c", "user.name=Seed", "-c", "user.email=seed@example.com", "commit", "--quiet", "-m", "seed");
            Git(seed, "push", "--quiet", "origin", branch);
            Url = new Uri(Bare).AbsoluteUri;
        }

        public string Root { get; }

        public string Bare { get; }

        public string Cache { get; }

        /// <summary>file:// URL of the bare repository.</summary>
        public string Url { get; }

        public int CommitCount(string branch = "main") => int.Parse(Git(Bare, "rev-list", "--count", branch).Trim(), System.Globalization.CultureInfo.InvariantCulture);

        public string Show(string branch, string path) => Git(Bare, "show", branch + ":" + path);

        public string Log(string branch = "main", string format = "%an <%ae>%n%B") => Git(Bare, "log", "-1", "--format=" + format, branch);

        public IReadOnlyList<string> Branches() => Git(Bare, "for-each-ref", "--format=%(refname:short)", "refs/heads").Split('\n', StringSplitOptions.RemoveEmptyEntries);

        /// <summary>Another writer's commit on the branch, as a concurrent push would land it.</summary>
        public void LandConcurrentCommit(string branch = "main") => GitHttpEmulator.LandCommit(Bare, branch);

        public static ImageUpdateCandidate Candidate(
            ArgoApplication app, string image = "nginx", string? alias = "nginx", string current = "1.0.0", string next = "1.1.0", bool needed = true)
        {
            var spec = new ImageSpec(alias, ImageReference.Parse(image));
            return new ImageUpdateCandidate(app, spec) { CurrentTag = current, NewTag = next, UpdateNeeded = needed };
        }

        public ArgoApplication App(string name, string path, WriteBackTarget? target = null, string? branch = "main", string? repository = null)
        {
            return new ArgoApplication(name)
            {
                Namespace = "argocd",
                Sources = new[] { new ApplicationSource { RepoUrl = repository ?? Url, Path = path, TargetRevision = branch, IsHelm = true } },
                WriteBack = new WriteBackSpec { Method = WriteBackMethod.Git, Target = target ?? new WriteBackTarget(WriteBackTargetKind.HelmValues, null) },
            };
        }

        public GitWriteBackOptions Options() => new GitWriteBackOptions { WorkingDirectory = Cache, RetryDelay = TimeSpan.FromMilliseconds(10) };

        public static string Git(string directory, params string[] args) => GitHttpEmulator.Git(directory, args);

        public void Dispose()
        {
            try
            {
                foreach (var file in Directory.GetFiles(Root, "*", SearchOption.AllDirectories))
                {
                    File.SetAttributes(file, FileAttributes.Normal);
                }

                Directory.Delete(Root, true);
            }
            catch (IOException)
            {
                // Temporary folders left behind do no harm.
            }
        }
    }

    /// <summary>Replaces <c>tag: &lt;old&gt;</c> lines; the engine tests are about git, the YAML editors have their own tests.</summary>
    public sealed class LineTagEditor : IGitTargetEditor
    {
        public int Calls { get; private set; }

        public byte[] Edit(GitTarget target, byte[]? content, IReadOnlyList<ImageUpdateCandidate> changes)
        {
            Calls++;
            var text = content is null ? string.Empty : Encoding.UTF8.GetString(content);
            foreach (var change in changes)
            {
                var key = (change.Alias ?? "image") + ".tag: ";
                var lines = text.Split('\n').ToList();
                var index = lines.FindIndex(l => l.StartsWith(key, StringComparison.Ordinal));
                if (index >= 0)
                {
                    lines[index] = key + change.NewTag;
                }
                else
                {
                    if (lines.Count > 0 && lines[^1].Length == 0)
                    {
                        lines.RemoveAt(lines.Count - 1);
                    }

                    lines.Add(key + change.NewTag);
                    lines.Add(string.Empty);
                }

                text = string.Join("\n", lines);
            }

            return Encoding.UTF8.GetBytes(text);
        }

        public string? ValueOf(GitTarget target, byte[] content, ImageUpdateCandidate candidate)
        {
            var key = (candidate.Alias ?? "image") + ".tag: ";
            return Encoding.UTF8.GetString(content).Split('\n').Where(l => l.StartsWith(key, StringComparison.Ordinal)).Select(l => l.Substring(key.Length).Trim()).FirstOrDefault();
        }
    }
}
