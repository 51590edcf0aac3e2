using ImageUpdater.Core.Annotations;

namespace ImageUpdater.Core.Updating
{
    /// <summary>
    /// Gives the planner (and so the registry client) that serves an image. The run engine asks it per image; the registry
    /// router decides (pull-secret, ECR host, distribution API) in one place.
    /// </summary>
    public interface IPlannerSource
    {
        ImageUpdatePlanner PlannerFor(ImageSpec spec);
    }
}
