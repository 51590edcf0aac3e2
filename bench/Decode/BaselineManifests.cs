using System.Collections.Generic;
using System.IO;
using System.Text;
using ImageUpdater.Core;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Yaml;

namespace DecodeBench
{
    /// <summary>Issue 22 baseline: Application manifests read the previous way, a whole object tree of every document then mapped.</summary>
    internal static class BaselineManifests
    {
        public static List<ArgoApplication> ReadFile(string file) => ReadText(ReadAll(file), file);

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

        // The previous file read: a 64 k-character buffer (on the large-object heap) for every file.
        private static string ReadAll(string file)
        {
            using var reader = new StreamReader(file, detectEncodingFromByteOrderMarks: true);
            var text = new StringBuilder();
            var buffer = new char[64 * 1024];
            int read;
            while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
            {
                text.Append(buffer, 0, read);
            }

            return text.ToString();
        }
    }
}
