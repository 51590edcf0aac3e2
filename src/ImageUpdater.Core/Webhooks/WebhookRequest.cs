using System;
using System.Collections.Generic;
using System.Linq;

namespace ImageUpdater.Core.Webhooks
{
    /// <summary>An HTTP request a registry sent: body text, headers (names case-insensitive) and, when known, the URL it was posted to.</summary>
    public sealed class WebhookRequest
    {
        /// <summary>Registries send small JSON documents; anything larger is refused before it is parsed.</summary>
        public const int MaxBodyLength = 1024 * 1024;

        public WebhookRequest(string body, IEnumerable<KeyValuePair<string, string>>? headers = null, Uri? uri = null, string? webhookName = null)
        {
            Body = body ?? throw new ArgumentNullException(nameof(body));
            var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var header in headers ?? Enumerable.Empty<KeyValuePair<string, string>>())
            {
                map[header.Key.Trim()] = header.Value ?? string.Empty;
            }

            Headers = map;
            Uri = uri;
            WebhookName = webhookName;
        }

        public string Body { get; }

        public IReadOnlyDictionary<string, string> Headers { get; }

        public Uri? Uri { get; }

        /// <summary>The Azure Automation webhook's name, when the request came as $WebhookData.</summary>
        public string? WebhookName { get; }

        public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

        /// <summary>A query parameter of <see cref="Uri"/> (first occurrence, URL-decoded), or null.</summary>
        public string? QueryParameter(string name)
        {
            var query = Uri?.IsAbsoluteUri == true ? Uri.Query : null;
            if (string.IsNullOrEmpty(query))
            {
                return null;
            }

            foreach (var pair in query!.TrimStart('?').Split('&'))
            {
                var equals = pair.IndexOf('=');
                var key = Uri.UnescapeDataString((equals < 0 ? pair : pair.Substring(0, equals)).Replace('+', ' '));
                if (string.Equals(key, name, StringComparison.Ordinal))
                {
                    return equals < 0 ? string.Empty : Uri.UnescapeDataString(pair.Substring(equals + 1).Replace('+', ' '));
                }
            }

            return null;
        }
    }
}
