using System.Collections.Generic;
using System.Text.Json;

namespace ImageUpdater.Core.Argo
{
    /// <summary>Maps an Application as the Argo CD or Kubernetes API returns it (JSON) to the model, through the shared object tree.</summary>
    public static class ApplicationJson
    {
        public static ArgoApplication ToApplication(JsonElement item, string origin)
        {
            if (ObjectTree.FromJson(item) is not IDictionary<string, object?> tree)
            {
                throw new ImageUpdaterException("ArgoCDInvalidAnswer", FailureKind.InvalidData, $"{origin} returned an Application that is not a JSON object.", origin);
            }

            return ApplicationMapper.FromObject(tree, origin);
        }
    }
}
