using ImageUpdater.Core.Annotations;
using ImageUpdater.Core.Argo;

namespace ImageUpdater.Core.Updating
{
    /// <summary>
    /// Where the current tag of an application without live status is read (its write-back target in the manifest's checkout:
    /// <see cref="WriteBack.CheckoutCurrentTag"/>). One instance per run, so a run reads each file once and the next run reads it again.
    /// </summary>
    public interface ICurrentTagSource
    {
        /// <summary>What the application's write-back target holds for the image now; null when unknown.</summary>
        CurrentImage? Read(ArgoApplication app, ImageSpec spec);
    }
}
