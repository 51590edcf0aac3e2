using System;
using System.Collections.Generic;
using System.Linq;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack.Templates;

namespace ImageUpdater.Core.WriteBack.Git
{
    /// <summary>
    /// Which candidates go to which repository and branch: repository batches in first-seen order, then per batch the branch groups
    /// (base branch, rendered write branch). Pure: the remote's default branch comes from a delegate, so no git is needed to test it.
    /// </summary>
    internal static class GitBatchPlanner
    {
        /// <summary>Groups candidates needing an update by repository; the others come back Unchanged (or Failed without a repository) in <paramref name="unplanned"/>.</summary>
        public static IReadOnlyList<GitRepositoryBatch> Batches(IEnumerable<ImageUpdateCandidate> candidates, out WriteBackOutcome unplanned)
        {
            unplanned = new WriteBackOutcome();
            var order = new List<string>();
            var byRepository = new Dictionary<string, List<ImageUpdateCandidate>>(StringComparer.Ordinal);
            foreach (var candidate in candidates)
            {
                if (!candidate.UpdateNeeded)
                {
                    unplanned.Add(candidate, ImageUpdateResult.Settled(candidate));
                    continue;
                }

                var repository = RepositoryOf(candidate.ApplicationObject);
                if (repository is null)
                {
                    var error = GitErrors.Error("GitRepositoryUnknown", $"Application '{candidate.ApplicationObject.QualifiedName}' has no git repository to write to: its source has no repoURL; set the git-repository annotation.", candidate.ApplicationObject);
                    GitWriteBack.Fail(unplanned, new[] { candidate }, null, null, error);
                    continue;
                }

                if (!byRepository.TryGetValue(repository, out var list))
                {
                    byRepository[repository] = list = new List<ImageUpdateCandidate>();
                    order.Add(repository);
                }

                list.Add(candidate);
            }

            return order.Select(r => new GitRepositoryBatch(r, byRepository[r])).ToList();
        }

        /// <summary>The repository an application writes to: git-repository, else its annotated source's repoURL.</summary>
        public static string? RepositoryOf(ArgoApplication application)
        {
            var repository = application.WriteBack.Repository;
            if (string.IsNullOrWhiteSpace(repository))
            {
                repository = application.AnnotatedSource?.RepoUrl;
            }

            return string.IsNullOrWhiteSpace(repository) ? null : repository!.Trim();
        }

        /// <summary>
        /// The branch groups of a batch: applications with the same base and push branch share one commit. The base branch is git-branch,
        /// else the source's targetRevision (when the source is this repository), else <paramref name="defaultBranch"/>. An application
        /// whose branch cannot be worked out gets a Failed result in <paramref name="outcome"/>; the others still get their group.
        /// </summary>
        public static IReadOnlyList<BranchGroup> BranchGroups(GitRepositoryBatch batch, Func<string> defaultBranch, WriteBackOutcome outcome, string url)
        {
            var groups = new List<BranchGroup>();
            foreach (var app in batch.Candidates.GroupBy(c => c.ApplicationObject))
            {
                try
                {
                    var spec = app.Key.WriteBack;
                    var baseBranch = spec.BaseBranch;
                    if (string.IsNullOrWhiteSpace(baseBranch))
                    {
                        baseBranch = app.Key.AnnotatedSource is { } source && SourceMatches(source, url) ? source.TargetRevision : null;
                    }

                    if (string.IsNullOrWhiteSpace(baseBranch) || string.Equals(baseBranch, "HEAD", StringComparison.Ordinal))
                    {
                        baseBranch = defaultBranch();
                    }

                    string? writeBranch = null;
                    if (!string.IsNullOrEmpty(spec.WriteBranch))
                    {
                        writeBranch = BranchNameTemplate.Render(spec.WriteBranch!, app.Key.Name, app.Key.Namespace, app.Select(ImageChange.From).ToList());
                    }

                    var push = writeBranch ?? baseBranch!;
                    var group = groups.FirstOrDefault(g => g.Push == push && g.Base == baseBranch);
                    if (group is null)
                    {
                        groups.Add(group = new BranchGroup(baseBranch!, writeBranch, push));
                    }

                    group.Candidates.AddRange(app);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    GitWriteBack.Fail(outcome, app, url, null, GitErrors.Describe(e, url));
                }
            }

            return groups;
        }

        private static bool SourceMatches(ApplicationSource source, string url) =>
            source.RepoUrl is null || RepositoryUrl.Same(RepositoryUrl.Clean(source.RepoUrl, out _), url);
    }

    /// <summary>Candidates committed together: same base branch, same branch pushed (the base, or a rendered write branch).</summary>
    internal sealed class BranchGroup
    {
        public BranchGroup(string baseBranch, string? write, string push)
        {
            Base = baseBranch;
            Write = write;
            Push = push;
        }

        public string Base { get; }

        /// <summary>The rendered write branch, or null when the base branch itself is pushed.</summary>
        public string? Write { get; }

        public string Push { get; }

        public List<ImageUpdateCandidate> Candidates { get; } = new List<ImageUpdateCandidate>();

        /// <summary>Applications whose target failed; later attempts skip them.</summary>
        public HashSet<ArgoApplication> Failed { get; } = new HashSet<ArgoApplication>();
    }
}
