using System.Collections.Generic;
using System.Threading;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Updating;

namespace ImageUpdater.Core.WriteBack.ArgoCD
{
    /// <summary>One Application's candidates as a confirmable unit: one JSON Patch through the Argo CD API.</summary>
    public sealed class ArgoCDWriteBackUnit : IWriteBackUnit
    {
        private readonly ArgoCDApiWriteBack writer;

        public ArgoCDWriteBackUnit(IReadOnlyList<ImageUpdateCandidate> candidates, ArgoCDApiWriteBack writer)
        {
            Candidates = candidates;
            this.writer = writer;
        }

        public string Target => Candidates[0].ApplicationObject.QualifiedName;

        public string Action => "Update the Application through the Argo CD API";

        public string Method => "argocd";

        public string? Repository => null;

        public IReadOnlyList<ImageUpdateCandidate> Candidates { get; }

        public WriteBackOutcome Apply(bool whatIf, CancellationToken cancellationToken) => writer.Apply(Candidates, whatIf, cancellationToken);

        public override string ToString() => $"{Target} ({Candidates.Count} candidate(s))";
    }
}
