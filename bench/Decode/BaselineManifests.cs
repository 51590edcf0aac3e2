using System.Collections.Generic;
using ImageUpdater.Core;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Yaml;

namespace DecodeBench
{
    /// <summary>Issue 22 baseline: Application manifests read the previous way, a whole object tree of every document then mapped.</summary>
    internal static class BaselineManifests
    {
        public static List<ArgoApplication> ReadText(string text, string origin)
        {
            var result = new List<ArgoApplication>();
            foreach (var document in YamlObjectReader.Read(text, origin))
            {
                if (document is not IDictionary<string, object?> manifest)
                {
                    continue;
                }

                try
                {
                    if (ApplicationMapper.IsApplication(manifest))
                    {
                        result.Add(ApplicationMapper.FromObject(manifest, origin));
                    }
                    else if (ImageUpdaterMapper.IsImageUpdater(manifest))
                    {
                        ImageUpdaterMapper.FromObject(manifest, origin);
                    }
                }
                catch (ImageUpdaterException)
                {
                }
            }

            return result;
        }
    }
}
