using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;
using Xunit;

namespace ImageUpdater.Core.Tests.WriteBack
{
    /// <summary>GitWriteBack against real bare repositories over file:// (the git CLI seeds and inspects them).</summary>
    public class GitWriteBackTests
    {
        private static readonly Dictionary<string, string> ThreeApps = new Dictionary<string, string>
        {
            ["apps/a/values.yaml"] = "nginx.tag: 1.0.0\n",
            ["apps/b/values.yaml"] = "nginx.tag: 1.0.0\n",
            ["apps/c/values.yaml"] = "nginx.tag: 1.0.0\n",
            ["README.md"] = "apps\n",
        };

        private static List<ImageUpdateResult> Results(IReadOnlyList<WriteBackOutcome> outcomes) => outcomes.SelectMany(o => o.Results).ToList();

        [Fact]
        public void OneApplicationIsCommittedAndPushed()
        {
            using var repo = new GitFixture(ThreeApps);
            var app = repo.App("a", "apps/a");
            var engine = new GitWriteBack(new LineTagEditor(), repo.Options());

            var outcomes = engine.Run(new[] { GitFixture.Candidate(app) });

            var result = Assert.Single(Results(outcomes));
            Assert.Empty(outcomes.SelectMany(o => o.Errors));
            Assert.Equal(UpdateStatus.Updated, result.Status);
            Assert.Equal("apps/a/values.yaml", result.Target);
            Assert.Equal("main", result.Branch);
            Assert.Equal(repo.Url, result.Repository);
            Assert.Equal(repo.Log("main", "%H").Trim(), result.Commit);
            Assert.Equal("nginx.tag: 1.1.0\n", repo.Show("main", "apps/a/values.yaml"));
            Assert.Equal("argocd-image-updater <noreply@argoproj.io>\nbuild: automatic update of a\n\nupdates image nginx tag '1.0.0' to '1.1.0'\n", repo.Log().TrimEnd('\n') + "\n");
            Assert.Contains("+nginx.tag: 1.1.0", result.Diff);
            Assert.Equal((1, 1, 1, 1), (engine.Statistics.Clones, engine.Statistics.Fetches, engine.Statistics.Commits, engine.Statistics.Pushes));
        }

        [Fact]
        public void ThreeApplicationsBecomeOneCommitAndOnePush()
        {
            using var repo = new GitFixture(ThreeApps);
            var before = repo.CommitCount();
            var candidates = new[] { "a", "b", "c" }.Select(n => GitFixture.Candidate(repo.App(n, "apps/" + n))).ToList();
            var engine = new GitWriteBack(new LineTagEditor(), repo.Options());

            var results = Results(engine.Run(candidates));

            Assert.All(results, r => Assert.Equal(UpdateStatus.Updated, r.Status));
            Assert.Single(results.Select(r => r.Commit).Distinct());
            Assert.Equal(before + 1, repo.CommitCount());
            Assert.Equal((1, 1, 1), (engine.Statistics.Fetches, engine.Statistics.Commits, engine.Statistics.Pushes));
            var message = repo.Log("main", "%B");
            Assert.StartsWith("build: update 3 images in 3 applications\n\na: updates image nginx tag '1.0.0' to '1.1.0'\nb: updates image", message);
            Assert.Contains("\nc: updates image", message);
        }

        [Fact]
        public void SecondIdenticalRunMakesNoCommit()
        {
            using var repo = new GitFixture(ThreeApps);
            var app = repo.App("a", "apps/a");
            new GitWriteBack(new LineTagEditor(), repo.Options()).Run(new[] { GitFixture.Candidate(app) });
            var after = repo.CommitCount();

            var second = new GitWriteBack(new LineTagEditor(), repo.Options());
            var result = Assert.Single(Results(second.Run(new[] { GitFixture.Candidate(app) })));

            Assert.Equal(UpdateStatus.Unchanged, result.Status);
            Assert.Null(result.Commit);
            Assert.Equal(after, repo.CommitCount());
            Assert.Equal((0, 1, 0, 0), (second.Statistics.Clones, second.Statistics.Fetches, second.Statistics.Commits, second.Statistics.Pushes));
        }

        [Fact]
        public void CandidatesWithoutAnUpdatePassAsUnchanged()
        {
            using var repo = new GitFixture(ThreeApps);
            var candidate = GitFixture.Candidate(repo.App("a", "apps/a"), needed: false) with { Reason = "1.0.0 is the newest" };
            var engine = new GitWriteBack(new LineTagEditor(), repo.Options());

            var result = Assert.Single(Results(engine.Run(new[] { candidate })));

            Assert.Equal(UpdateStatus.Unchanged, result.Status);
            Assert.Equal("1.0.0 is the newest", result.Message);
            Assert.Equal(0, engine.Statistics.Fetches);
        }

        [Fact]
        public void ConcurrentPushIsRetriedAndBothCommitsLand()
        {
            using var repo = new GitFixture(ThreeApps);
            var before = repo.CommitCount();
            var options = repo.Options();
            var raced = 0;
            options.BeforePush = branch =>
            {
                if (raced++ == 0)
                {
                    repo.LandConcurrentCommit(branch);
                }
            };
            var editor = new LineTagEditor();
            var engine = new GitWriteBack(editor, options);

            var result = Assert.Single(Results(engine.Run(new[] { GitFixture.Candidate(repo.App("a", "apps/a")) })));

            Assert.Equal(UpdateStatus.Updated, result.Status);
            Assert.Contains("after 1 rejected push", result.Message);
            Assert.Equal(before + 2, repo.CommitCount());
            Assert.StartsWith("landed at", repo.Show("main", "concurrent-writer.txt"));
            Assert.Equal("nginx.tag: 1.1.0\n", repo.Show("main", "apps/a/values.yaml"));
            Assert.Equal(result.Commit, repo.Log("main", "%H").Trim());
            Assert.Equal((2, 2, 2), (engine.Statistics.Fetches, engine.Statistics.Commits, engine.Statistics.Pushes));
            Assert.Equal(2, editor.Calls);
        }

        [Fact]
        public void EndlessRacesEndInAClearError()
        {
            using var repo = new GitFixture(ThreeApps);
            var options = repo.Options();
            options.MaxPushAttempts = 3;
            options.BeforePush = branch => repo.LandConcurrentCommit(branch);
            var outcomes = new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(repo.App("a", "apps/a")) });

            var error = Assert.Single(outcomes.SelectMany(o => o.Errors));
            Assert.Equal("GitPushRejected", error.ErrorId);
            Assert.Contains("rejected 3 times", error.Message);
            Assert.Equal(UpdateStatus.Failed, Assert.Single(Results(outcomes)).Status);
            Assert.Equal("nginx.tag: 1.0.0\n", repo.Show("main", "apps/a/values.yaml"));
        }

        [Fact]
        public void WriteBranchTemplateCreatesTheBranchFromBase()
        {
            using var repo = new GitFixture(ThreeApps);
            var app = repo.App("a", "apps/a");
            app.WriteBack.BaseBranch = "main";
            app.WriteBack.WriteBranch = "image-updater{{range .Images}}-{{.Name}}-{{.NewTag}}{{end}}";

            var result = Assert.Single(Results(new GitWriteBack(new LineTagEditor(), repo.Options()).Run(new[] { GitFixture.Candidate(app) })));

            Assert.Equal("image-updater-nginx-1.1.0", result.Branch);
            Assert.Contains("image-updater-nginx-1.1.0", repo.Branches());
            Assert.Equal("nginx.tag: 1.1.0\n", repo.Show("image-updater-nginx-1.1.0", "apps/a/values.yaml"));
            Assert.Equal("nginx.tag: 1.0.0\n", repo.Show("main", "apps/a/values.yaml"));
        }

        [Fact]
        public void TwoBasesWritingOneBranchLandWithoutARejectedPush()
        {
            using var repo = new GitFixture(ThreeApps);
            var seed = Path.Combine(repo.Root, "seed");
            GitFixture.Git(seed, "checkout", "--quiet", "-b", "dev");
            GitFixture.Git(seed, "push", "--quiet", "origin", "dev");
            var fromMain = repo.App("a", "apps/a");
            fromMain.WriteBack.WriteBranch = "updates";
            var fromDev = repo.App("b", "apps/b", branch: "dev");
            fromDev.WriteBack.WriteBranch = "updates";
            var engine = new GitWriteBack(new LineTagEditor(), repo.Options());

            var results = Results(engine.Run(new[] { GitFixture.Candidate(fromMain), GitFixture.Candidate(fromDev) }));

            Assert.All(results, r => Assert.Equal(UpdateStatus.Updated, r.Status));
            Assert.Equal(0, engine.Statistics.PushRetries);
            Assert.Equal("nginx.tag: 1.1.0\n", repo.Show("updates", "apps/a/values.yaml"));
            Assert.Equal("nginx.tag: 1.1.0\n", repo.Show("updates", "apps/b/values.yaml"));
        }

        [Fact]
        public void ExistingWriteBranchIsContinued()
        {
            using var repo = new GitFixture(ThreeApps);
            var first = repo.App("a", "apps/a");
            first.WriteBack.WriteBranch = "updates";
            new GitWriteBack(new LineTagEditor(), repo.Options()).Run(new[] { GitFixture.Candidate(first) });
            var second = repo.App("b", "apps/b");
            second.WriteBack.WriteBranch = "updates";

            new GitWriteBack(new LineTagEditor(), repo.Options()).Run(new[] { GitFixture.Candidate(second) });

            Assert.Equal("nginx.tag: 1.1.0\n", repo.Show("updates", "apps/a/values.yaml"));
            Assert.Equal("nginx.tag: 1.1.0\n", repo.Show("updates", "apps/b/values.yaml"));
        }

        [Fact]
        public void TraversalTargetIsAnErrorAndNothingIsPushed()
        {
            using var repo = new GitFixture(ThreeApps);
            var before = repo.CommitCount();
            var app = repo.App("a", "apps/a", new WriteBackTarget(WriteBackTargetKind.HelmValues, "../../../x"));
            var engine = new GitWriteBack(new LineTagEditor(), repo.Options());

            var outcomes = engine.Run(new[] { GitFixture.Candidate(app) });

            var error = Assert.Single(outcomes.SelectMany(o => o.Errors));
            Assert.Equal(FailureKind.InvalidArgument, error.Kind);
            Assert.Equal("WriteBackTargetOutsideRepository", error.ErrorId);
            Assert.Equal(UpdateStatus.Failed, Assert.Single(Results(outcomes)).Status);
            Assert.Equal(before, repo.CommitCount());
            Assert.Equal(0, engine.Statistics.Pushes);
            Assert.False(File.Exists(Path.Combine(repo.Cache, "x")));
        }

        [Fact]
        public void OneBadTargetDoesNotStopTheOthers()
        {
            using var repo = new GitFixture(ThreeApps);
            var bad = repo.App("bad", "apps/a", new WriteBackTarget(WriteBackTargetKind.HelmValues, "/../outside.yaml"));
            var good = repo.App("b", "apps/b");

            var results = Results(new GitWriteBack(new LineTagEditor(), repo.Options()).Run(new[] { GitFixture.Candidate(bad), GitFixture.Candidate(good) }));

            Assert.Equal(UpdateStatus.Failed, results.Single(r => r.Application == "bad").Status);
            Assert.Equal(UpdateStatus.Updated, results.Single(r => r.Application == "b").Status);
            Assert.Equal("nginx.tag: 1.1.0\n", repo.Show("main", "apps/b/values.yaml"));
        }

        [Theory]
        [InlineData("kustomization", null, "apps/k/kustomization.yaml")]
        [InlineData("kustomization", "/base", "base/Kustomization")]
        [InlineData("helmvalues", "/shared/values-prod.yaml", "shared/values-prod.yaml")]
        [InlineData("helmvalues", "../a/values.yaml", "apps/a/values.yaml")]
        [InlineData("argocd-source", null, "apps/k/.argocd-source-k.yaml")]
        public void TargetsResolveRelativeToTheSourcePath(string kind, string? path, string expected)
        {
            using var repo = new GitFixture(new Dictionary<string, string>
            {
                ["apps/k/kustomization.yaml"] = "images: []\n",
                ["apps/a/values.yaml"] = "nginx.tag: 1.0.0\n",
                ["base/Kustomization"] = "images: []\n",
                ["shared/values-prod.yaml"] = "nginx.tag: 1.0.0\n",
            });
            var targetKind = kind switch
            {
                "kustomization" => WriteBackTargetKind.Kustomization,
                "helmvalues" => WriteBackTargetKind.HelmValues,
                _ => WriteBackTargetKind.ArgoCDSource,
            };
            var app = repo.App("k", "apps/k", new WriteBackTarget(targetKind, path));

            var result = Assert.Single(Results(new GitWriteBack(new LineTagEditor(), repo.Options()).Run(new[] { GitFixture.Candidate(app) })));

            Assert.Equal(UpdateStatus.Updated, result.Status);
            Assert.Equal(expected, result.Target);
            Assert.Contains("nginx.tag: 1.1.0", repo.Show("main", expected));
        }

        [Fact]
        public void SeedTemplateAndAuthorAnnotationsAreUsed()
        {
            using var repo = new GitFixture(ThreeApps);
            var app = repo.App("a", "apps/a");
            app.WriteBack.CommitMessage = "イメージのタグを {{ .tag }} に更新しました";
            app.WriteBack.AuthorName = "Image Bot";
            app.WriteBack.AuthorEmail = "bot@example.com";

            new GitWriteBack(new LineTagEditor(), repo.Options()).Run(new[] { GitFixture.Candidate(app) });

            Assert.Equal("Image Bot <bot@example.com>\nイメージのタグを 1.1.0 に更新しました", repo.Log().Trim());
        }

        [Fact]
        public void AuthorOptionsApplyWhenAnnotationsAreSilent()
        {
            using var repo = new GitFixture(ThreeApps);
            var options = repo.Options();
            options.AuthorName = "Ops";
            options.AuthorEmail = "ops@example.com";

            new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(repo.App("a", "apps/a")) });

            Assert.StartsWith("Ops <ops@example.com>", repo.Log());
        }

        [Fact]
        public void WhatIfCommitsNothingAndCarriesTheDiff()
        {
            using var repo = new GitFixture(ThreeApps);
            var before = repo.CommitCount();
            var options = repo.Options();
            options.WhatIf = true;
            var engine = new GitWriteBack(new LineTagEditor(), options);

            var result = Assert.Single(Results(engine.Run(new[] { GitFixture.Candidate(repo.App("a", "apps/a")) })));

            Assert.Equal(UpdateStatus.WhatIf, result.Status);
            Assert.Contains("-nginx.tag: 1.0.0", result.Diff);
            Assert.Contains("+nginx.tag: 1.1.0", result.Diff);
            Assert.Equal(before, repo.CommitCount());
            Assert.Equal((0, 0), (engine.Statistics.Commits, engine.Statistics.Pushes));
        }

        [Fact]
        public void HeadTargetRevisionUsesTheRemoteDefaultBranch()
        {
            using var repo = new GitFixture(new Dictionary<string, string> { ["values.yaml"] = "nginx.tag: 1.0.0\n" }, branch: "trunk");
            var app = repo.App("a", string.Empty, branch: "HEAD");

            var result = Assert.Single(Results(new GitWriteBack(new LineTagEditor(), repo.Options()).Run(new[] { GitFixture.Candidate(app) })));

            Assert.Equal("trunk", result.Branch);
            Assert.Equal("nginx.tag: 1.1.0\n", repo.Show("trunk", "values.yaml"));
        }

        [Fact]
        public void MissingBranchIsObjectNotFound()
        {
            using var repo = new GitFixture(ThreeApps);
            var outcomes = new GitWriteBack(new LineTagEditor(), repo.Options()).Run(new[] { GitFixture.Candidate(repo.App("a", "apps/a", branch: "release-9")) });

            var error = Assert.Single(outcomes.SelectMany(o => o.Errors));
            Assert.Equal(FailureKind.ObjectNotFound, error.Kind);
            Assert.Contains("release-9", error.Message);
        }

        [Fact]
        public void CorruptCacheIsRecreated()
        {
            using var repo = new GitFixture(ThreeApps);
            var app = repo.App("a", "apps/a");
            new GitWriteBack(new LineTagEditor(), repo.Options()).Run(new[] { GitFixture.Candidate(app, next: "1.1.0") });
            var clone = Directory.GetDirectories(repo.Cache).Single();
            File.WriteAllText(Path.Combine(clone, "HEAD"), "garbage");
            var warnings = new List<string>();
            var options = repo.Options();
            options.Warning = warnings.Add;
            var engine = new GitWriteBack(new LineTagEditor(), options);

            var result = Assert.Single(Results(engine.Run(new[] { GitFixture.Candidate(app, current: "1.1.0", next: "1.2.0") })));

            Assert.True(UpdateStatus.Updated == result.Status, result.Message);
            Assert.Equal(1, engine.Statistics.Clones);
            Assert.Contains(warnings, w => w.Contains("recreating"));
            Assert.Equal("nginx.tag: 1.2.0\n", repo.Show("main", "apps/a/values.yaml"));
        }

        [Fact]
        public void TheCacheIsBareAndOnlyTheChangedFileIsWritten()
        {
            var files = new Dictionary<string, string>(ThreeApps);
            for (var i = 0; i < 200; i++)
            {
                files[$"other/app-{i:D3}/values.yaml"] = $"nginx.tag: 0.{i}.0\n";
            }

            using var repo = new GitFixture(files);
            var engine = new GitWriteBack(new LineTagEditor(), repo.Options());

            var result = Assert.Single(Results(engine.Run(new[] { GitFixture.Candidate(repo.App("a", "apps/a")) })));

            Assert.Equal(UpdateStatus.Updated, result.Status);
            var clone = Directory.GetDirectories(repo.Cache).Single();
            // Nothing is checked out: the clone holds git's own files only, not the 204 files of the repository.
            Assert.Equal("true", GitFixture.Git(clone, "rev-parse", "--is-bare-repository").Trim());
            Assert.False(Directory.Exists(Path.Combine(clone, "apps")));
            Assert.False(Directory.Exists(Path.Combine(clone, "other")));
            Assert.Equal("apps/a/values.yaml\n", GitFixture.Git(repo.Bare, "diff", "--name-only", "main~1", "main"));
            Assert.Equal("nginx.tag: 0.7.0\n", repo.Show("main", "other/app-007/values.yaml"));

            // The new blob, trees and commit were built in memory: no loose object files, and no reference in the cache
            // points at an object it does not have (git fsck), so the next run fetches the commit and builds on it.
            Assert.Equal(new[] { "info", "pack" }, Directory.GetDirectories(Path.Combine(clone, "objects")).Select(Path.GetFileName).OrderBy(d => d, StringComparer.Ordinal));
            GitFixture.Git(clone, "fsck", "--connectivity-only", "--no-dangling");
            var second = Assert.Single(Results(new GitWriteBack(new LineTagEditor(), repo.Options()).Run(new[] { GitFixture.Candidate(repo.App("a", "apps/a"), current: "1.1.0", next: "1.2.0") })));
            Assert.Equal(UpdateStatus.Updated, second.Status);
            Assert.Equal("nginx.tag: 1.2.0\n", repo.Show("main", "apps/a/values.yaml"));
            GitFixture.Git(clone, "fsck", "--connectivity-only", "--no-dangling");
        }

        [Fact]
        public void BytesAndFileModeSurviveTheBareCommit()
        {
            using var repo = new GitFixture(new Dictionary<string, string> { ["apps/a/values.yaml"] = "# keep\r\nnginx.tag: 1.0.0\n" });
            var seed = Path.Combine(repo.Root, "seed");
            GitFixture.Git(seed, "update-index", "--chmod=+x", "apps/a/values.yaml");
            GitFixture.Git(seed, "-c", "user.name=Seed", "-c", "user.email=seed@example.com", "commit", "--quiet", "-m", "exec");
            GitFixture.Git(seed, "push", "--quiet", "origin", "main");
            var engine = new GitWriteBack(new LineTagEditor(), repo.Options());

            var result = Assert.Single(Results(engine.Run(new[] { GitFixture.Candidate(repo.App("a", "apps/a")) })));

            Assert.Equal(UpdateStatus.Updated, result.Status);
            Assert.Equal("# keep\r\nnginx.tag: 1.1.0\n", repo.Show("main", "apps/a/values.yaml"));
            Assert.StartsWith("100755 ", GitFixture.Git(repo.Bare, "ls-tree", "main", "apps/a/values.yaml"));
        }

        [Fact]
        public void ACheckoutLeftByAnEarlierVersionIsRecreatedBare()
        {
            using var repo = new GitFixture(ThreeApps);
            var app = repo.App("a", "apps/a");
            var engine = new GitWriteBack(new LineTagEditor(), repo.Options());
            engine.Run(new[] { GitFixture.Candidate(app, next: "1.1.0") });
            var clone = Directory.GetDirectories(repo.Cache).Single();
            Directory.Delete(clone, true);
            GitFixture.Git(repo.Cache, "clone", "--quiet", repo.Url, clone);
            var verbose = new List<string>();
            var options = repo.Options();
            options.Verbose = verbose.Add;
            var second = new GitWriteBack(new LineTagEditor(), options);

            var result = Assert.Single(Results(second.Run(new[] { GitFixture.Candidate(app, current: "1.1.0", next: "1.2.0") })));

            Assert.True(UpdateStatus.Updated == result.Status, result.Message);
            Assert.Equal(1, second.Statistics.Clones);
            Assert.Contains(verbose, v => v.Contains("recreating it bare"));
            Assert.Equal("true", GitFixture.Git(clone, "rev-parse", "--is-bare-repository").Trim());
            Assert.Equal("nginx.tag: 1.2.0\n", repo.Show("main", "apps/a/values.yaml"));
        }

        [Fact]
        public void ATargetThroughASymbolicLinkIsRefusedAndNothingIsPushed()
        {
            using var repo = new GitFixture(ThreeApps);
            var seed = Path.Combine(repo.Root, "seed");
            // A dangling link, so nothing outside the fixture is ever followed (the fixture deletes its folder recursively).
            File.CreateSymbolicLink(Path.Combine(seed, "apps", "linked"), "../../outside-the-repository");
            GitFixture.Git(seed, "add", "-A");
            GitFixture.Git(seed, "-c", "user.name=Seed", "-c", "user.email=seed@example.com", "commit", "--quiet", "-m", "link");
            GitFixture.Git(seed, "push", "--quiet", "origin", "main");
            var before = repo.CommitCount();
            var engine = new GitWriteBack(new LineTagEditor(), repo.Options());

            var outcomes = engine.Run(new[] { GitFixture.Candidate(repo.App("l", "apps/linked")) });

            var error = Assert.Single(outcomes.SelectMany(o => o.Errors));
            Assert.Equal("WriteBackTargetThroughLink", error.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, error.Kind);
            Assert.Contains("apps/linked", error.Message);
            Assert.Equal(UpdateStatus.Failed, Assert.Single(Results(outcomes)).Status);
            Assert.Equal(before, repo.CommitCount());
        }

        [Fact]
        public void LocalRepositoryCommitsWithoutPushing()
        {
            using var repo = new GitFixture(ThreeApps);
            var checkout = Path.Combine(repo.Root, "checkout");
            GitFixture.Git(repo.Root, "clone", "--quiet", repo.Bare, checkout);
            var before = repo.CommitCount();
            var options = repo.Options();
            options.LocalRepository = checkout;
            var engine = new GitWriteBack(new LineTagEditor(), options);

            var result = Assert.Single(Results(engine.Run(new[] { GitFixture.Candidate(repo.App("a", "apps/a")) })));

            Assert.Equal(UpdateStatus.Updated, result.Status);
            Assert.Equal(GitFixture.Git(checkout, "rev-parse", "HEAD").Trim(), result.Commit);
            Assert.Equal("nginx.tag: 1.1.0\n", File.ReadAllText(Path.Combine(checkout, "apps/a/values.yaml")));
            Assert.Equal(before, repo.CommitCount());
            Assert.Equal((0, 0), (engine.Statistics.Fetches, engine.Statistics.Pushes));

            options.Push = true;
            var pushed = Assert.Single(Results(new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(repo.App("b", "apps/b")) })));
            Assert.Equal(UpdateStatus.Updated, pushed.Status);
            Assert.Equal(before + 2, repo.CommitCount());
        }

        [Fact]
        public void HttpsWithoutCredentialsNamesTheParameter()
        {
            using var repo = new GitFixture(ThreeApps);
            var app = repo.App("a", "apps/a", repository: "https://git.example.invalid/org/apps.git");
            app.WriteBack.Credentials = "secret:argocd/git-creds";

            var error = Assert.Single(new GitWriteBack(new LineTagEditor(), repo.Options()).Run(new[] { GitFixture.Candidate(app) }).SelectMany(o => o.Errors));

            Assert.Equal(FailureKind.AuthenticationError, error.Kind);
            Assert.Contains("-GitCredential", error.Message);
            Assert.Contains("git:secret:argocd/git-creds", error.Message);
        }

        [Fact]
        public void GitRepositoryAnnotationWinsOverRepoUrl()
        {
            using var repo = new GitFixture(ThreeApps);
            var app = repo.App("a", "apps/a", repository: "https://charts.example.com");
            app.WriteBack.Repository = repo.Url;
            app.WriteBack.BaseBranch = "main";
            var options = repo.Options();
            options.AllowLocalRepository = true;

            var result = Assert.Single(Results(new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(app) })));

            Assert.Equal(repo.Url, result.Repository);
            Assert.Equal(UpdateStatus.Updated, result.Status);
        }

        [Fact]
        public void AGitRepositoryAnnotationNamingALocalRepositoryIsRefusedWithoutTheSwitch()
        {
            using var repo = new GitFixture(ThreeApps);
            var before = repo.CommitCount();
            var own = repo.App("a", "apps/a");
            var foreign = repo.App("b", "apps/b", repository: "https://charts.example.com");
            foreign.WriteBack.Repository = repo.Url;
            foreign.WriteBack.BaseBranch = "main";

            var outcomes = new GitWriteBack(new LineTagEditor(), repo.Options()).Run(new[] { GitFixture.Candidate(own), GitFixture.Candidate(foreign) });

            var error = Assert.Single(outcomes.SelectMany(o => o.Errors));
            Assert.Equal(("GitLocalRepositoryRefused", FailureKind.SecurityError), (error.ErrorId, error.Kind));
            Assert.Contains("-AllowLocalRepository", error.Message);
            Assert.Contains("'argocd/b'", error.Message);
            // The application whose own repoURL is the local repository is still written.
            Assert.Equal(new[] { UpdateStatus.Updated, UpdateStatus.Failed }, Results(outcomes).OrderBy(r => r.Application).Select(r => r.Status));
            Assert.Equal(before + 1, repo.CommitCount());
        }

        [Fact]
        public void SshKeyGoesIntoTheClonesSshCommand()
        {
            using var repo = new GitFixture(ThreeApps);
            var key = Path.Combine(repo.Root, "id_ed25519");
            File.WriteAllText(key, "not a real key\n");
            var options = repo.Options();
            options.Credentials = new GitCredentials { SshKeyPath = key };
            var app = repo.App("a", "apps/a", repository: "ssh://git@127.0.0.1:1/org/apps.git");

            var outcomes = new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(app) });

            var error = Assert.Single(outcomes.SelectMany(o => o.Errors));
            Assert.Contains("ssh://git@127.0.0.1:1/org/apps.git", error.Message);
            // libgit2 runs core.sshCommand as one program (no shell): it names a script in the cache that holds ssh's options.
            var clone = Directory.GetDirectories(repo.Cache).Single();
            var script = Path.Combine(clone, "imageupdater-ssh");
            Assert.Contains("sshCommand = " + script, File.ReadAllText(Path.Combine(clone, "config")));
            Assert.Contains("exec ssh -i '" + key + "' -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes", File.ReadAllText(script));
        }

        [Fact]
        public void AnSshPassphraseThatDoesNotOpenTheKeyIsAClearErrorWithoutThePassphrase()
        {
            using var repo = new GitFixture(ThreeApps);
            var key = Path.Combine(repo.Root, "id_ed25519");
            File.WriteAllText(key, "not a real key\n");
            var passphrase = new System.Security.SecureString();
            foreach (var c in "pass-7f3a")
            {
                passphrase.AppendChar(c);
            }

            var options = repo.Options();
            options.Credentials = new GitCredentials { SshKeyPath = key, SshKeyPassphrase = passphrase };
            var app = repo.App("a", "apps/a", repository: "ssh://git@127.0.0.1:1/org/apps.git");

            var error = Assert.Single(new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(app) }).SelectMany(o => o.Errors));

            if (OperatingSystem.IsWindows())
            {
                Assert.Equal(FailureKind.NotImplemented, error.Kind);
                Assert.Contains("ssh-agent", error.Message);
                return;
            }

            // ssh-add gets the passphrase through a private agent's askpass; a key it cannot open fails before any connection.
            Assert.Equal(("SshPassphraseWrong", FailureKind.AuthenticationError), (error.ErrorId, error.Kind));
            Assert.Contains(key, error.Message);
            Assert.DoesNotContain("pass-7f3a", error.ToString());
        }

        [Fact]
        public void WhatIfInALocalCheckoutLeavesItsFilesAsTheyWere()
        {
            using var repo = new GitFixture(ThreeApps);
            var checkout = Path.Combine(repo.Root, "checkout");
            GitFixture.Git(repo.Root, "clone", "--quiet", repo.Bare, checkout);
            var options = repo.Options();
            options.LocalRepository = checkout;
            options.WhatIf = true;
            var app = repo.App("k", "apps/a", new WriteBackTarget(WriteBackTargetKind.ArgoCDSource, null));

            var results = Results(new GitWriteBack(new LineTagEditor(), options).Run(new[] { GitFixture.Candidate(repo.App("a", "apps/a")), GitFixture.Candidate(app) }));

            Assert.All(results, r => Assert.Equal(UpdateStatus.WhatIf, r.Status));
            Assert.Equal("nginx.tag: 1.0.0\n", File.ReadAllText(Path.Combine(checkout, "apps/a/values.yaml")));
            Assert.False(File.Exists(Path.Combine(checkout, "apps/a/.argocd-source-k.yaml")));
            Assert.Contains("+nginx.tag: 1.1.0", results.Single(r => r.Application == "k").Diff);
            Assert.Empty(GitFixture.Git(checkout, "status", "--porcelain").Trim());
        }

        [Fact]
        public void ABrokenBranchTemplateFailsOnlyItsApplication()
        {
            using var repo = new GitFixture(ThreeApps);
            var broken = repo.App("a", "apps/a");
            broken.WriteBack.WriteBranch = "upd-{{ .Nope }}";

            var outcomes = new GitWriteBack(new LineTagEditor(), repo.Options()).Run(new[] { GitFixture.Candidate(broken), GitFixture.Candidate(repo.App("b", "apps/b")) });

            var error = Assert.Single(outcomes.SelectMany(o => o.Errors));
            Assert.Equal("BranchTemplateUnknownField", error.ErrorId);
            Assert.Equal(UpdateStatus.Failed, Results(outcomes).Single(r => r.Application == "a").Status);
            Assert.Equal(UpdateStatus.Updated, Results(outcomes).Single(r => r.Application == "b").Status);
        }
    }
}
