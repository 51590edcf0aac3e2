using System.Collections.Generic;
using System.Threading;

namespace ImageUpdater.Core.Updating
{
    /// <summary>
    /// One confirmable write: a git repository's batch (one fetch, a commit and push per branch) or one Application through the
    /// Argo CD API. The caller confirms <see cref="Action"/> on <see cref="Target"/>, then applies it (from any thread).
    /// </summary>
    public interface IWriteBackUnit
    {
        /// <summary>What is written: the repository URL or the Application's qualified name.</summary>
        string Target { get; }

        /// <summary>The confirmation prompt's action text.</summary>
        string Action { get; }

        /// <summary><c>git</c> or <c>argocd</c>.</summary>
        string Method { get; }

        /// <summary>The repository results name (git), else null.</summary>
        string? Repository { get; }

        IReadOnlyList<ImageUpdateCandidate> Candidates { get; }

        /// <summary>Writes (or with <paramref name="whatIf"/> only computes) the change; failures land in the outcome, never thrown.</summary>
        WriteBackOutcome Apply(bool whatIf, CancellationToken cancellationToken);
    }
}
