using System.Collections.Generic;
using System.Linq;
using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;
using ImageUpdater.Core.WriteBack.ArgoCD;

namespace ImageUpdater.Core.Run
{
    /// <summary>
    /// Candidates → write-back units: one git unit per repository, one argocd unit per application; candidates that need
    /// nothing written (or cannot be written) come back as results with their errors.
    /// </summary>
    public sealed class WriteBackPlan
    {
        public WriteBackPlan(IReadOnlyList<IWriteBackUnit> units, WriteBackOutcome settled)
        {
            Units = units;
            Settled = settled;
        }

        /// <summary>Units to confirm and apply, in first-seen order.</summary>
        public IReadOnlyList<IWriteBackUnit> Units { get; }

        /// <summary>Results (and errors) of candidates that no unit writes.</summary>
        public WriteBackOutcome Settled { get; }

        public static WriteBackPlan For(IEnumerable<ImageUpdateCandidate> candidates, WriteBackServices services)
        {
            var all = candidates.ToList();
            var argocd = all.Where(c => c.UpdateNeeded && c.WriteBack.Method == WriteBackMethod.Argocd).ToList();
            var git = GitWriteBack.Plan(all.Where(c => !(c.UpdateNeeded && c.WriteBack.Method == WriteBackMethod.Argocd)), out var settled);
            foreach (var failed in all.Where(c => c.Decision == CandidateDecision.Failed && c.Error is not null))
            {
                settled.Errors.Add(failed.Error!);
            }

            var options = git.Count == 0 ? null : services.GitOptions;
            var units = new List<IWriteBackUnit>();
            units.AddRange(git.Select(b => new GitWriteBackUnit(b, services.Git, options!.LocalRepository, options.LocalRepository is null || options.Push, options.HostCommits is not null)));
            units.AddRange(ArgoCDApiWriteBack.ByApplication(argocd).Select(c => new ArgoCDWriteBackUnit(c, services.ArgoCD)));
            return new WriteBackPlan(units, settled);
        }

        /// <summary>The unit an application's images are written in: its git repository, or the application itself (argocd).</summary>
        public static string KeyOf(ArgoApplication app) => app.WriteBack.Method == WriteBackMethod.Git
            ? "git " + (GitWriteBack.RepositoryOf(app) ?? "? " + app.QualifiedName)
            : "argocd " + app.QualifiedName;

        /// <summary>What a unit will change, for the -Confirm question: one line per image (application, alias or image, old → new tag), at most <paramref name="max"/>.</summary>
        public static string Changes(IWriteBackUnit unit, int max = 20)
        {
            var lines = unit.Candidates.Take(max).Select(c => $"  {c.Application}: {c.Alias ?? c.Image} {(string.IsNullOrEmpty(c.OldTag) ? "(unknown)" : c.OldTag)} → {c.NewTag}").ToList();
            if (unit.Candidates.Count > max)
            {
                lines.Add($"  … and {unit.Candidates.Count - max} more");
            }

            return string.Join("\n", lines);
        }
    }
}
