using System.Collections.Generic;
using ImageUpdater.Core.Updating;

namespace ImageUpdater.Core.WriteBack
{
    /// <summary>
    /// The <c>argocd</c> write-back method: updates Applications through the Argo CD or Kubernetes API (helm parameters, kustomize images).
    /// Update-HelmImageTag hands it every candidate whose application uses that method.
    /// </summary>
    public interface IApplicationWriteBack
    {
        /// <summary>One result per candidate; failures are results with Status Failed plus entries in <paramref name="errors"/>.</summary>
        IReadOnlyList<ImageUpdateResult> Apply(IReadOnlyList<ImageUpdateCandidate> candidates, bool whatIf, ICollection<ImageUpdaterException> errors);
    }
}
