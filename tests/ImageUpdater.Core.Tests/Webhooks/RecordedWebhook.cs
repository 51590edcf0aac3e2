using System;
using System.Collections.Generic;
using System.IO;
using ImageUpdater.Core.Webhooks;

namespace ImageUpdater.Core.Tests.Webhooks
{
    /// <summary>Reads tests/ImageUpdater.PS.Tests/Issue17/Webhooks/*.http: '#' source lines, headers, a blank line, the body.</summary>
    internal static class RecordedWebhook
    {
        public static WebhookRequest Load(string name, IEnumerable<KeyValuePair<string, string>>? extraHeaders = null, Uri? uri = null)
        {
            var (headers, body) = Read(name);
            foreach (var header in extraHeaders ?? Array.Empty<KeyValuePair<string, string>>())
            {
                headers.Add(header);
            }

            return new WebhookRequest(body, headers, uri);
        }

        public static (List<KeyValuePair<string, string>> Headers, string Body) Read(string name)
        {
            var lines = File.ReadAllText(Path.Combine(Folder(), name + ".http")).Replace("\r\n", "\n").Split('\n');
            var headers = new List<KeyValuePair<string, string>>();
            var i = 0;
            while (lines[i].StartsWith("#", StringComparison.Ordinal))
            {
                i++;
            }

            for (; lines[i].Length > 0; i++)
            {
                var colon = lines[i].IndexOf(':');
                headers.Add(new KeyValuePair<string, string>(lines[i].Substring(0, colon), lines[i].Substring(colon + 1).Trim()));
            }

            return (headers, string.Join("\n", lines, i + 1, lines.Length - i - 1));
        }

        private static string Folder()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ImageUpdater.PS.sln")))
            {
                dir = dir.Parent;
            }

            return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("The repository root (ImageUpdater.PS.sln) was not found."), "tests", "ImageUpdater.PS.Tests", "Issue17", "Webhooks");
        }
    }
}
