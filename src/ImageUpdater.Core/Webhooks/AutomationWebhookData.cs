using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ImageUpdater.Core.Webhooks
{
    /// <summary>
    /// Azure Automation's <c>$WebhookData</c> as text: the JSON a PowerShell 5.1 runbook (or the portal's test pane) gets, or the
    /// PowerShell 7 form that is not JSON — <c>{WebhookName:name,RequestBody:&lt;body as sent&gt;,RequestHeader:{Name:value,…}}</c>,
    /// keys and header values unquoted (https://learn.microsoft.com/azure/automation/automation-runbook-types, known issues).
    /// </summary>
    public static class AutomationWebhookData
    {
        private const string NamePrefix = "{WebhookName:";
        private const string BodyMarker = ",RequestBody:";
        private const string HeaderMarker = ",RequestHeader:{";

        // A header name is an RFC 9110 token; a value may hold ',' (Accept lists) but never "token:" right after one.
        private static readonly Regex HeaderName = new Regex(@"(?:^|,)([!#$%&'*+.^_`|~0-9A-Za-z-]+):", RegexOptions.CultureInvariant);

        /// <summary>The request inside $WebhookData text, in either form.</summary>
        /// <exception cref="ImageUpdaterException">WebhookDataInvalid: neither form, or no RequestBody.</exception>
        public static WebhookRequest Parse(string text)
        {
            var trimmed = (text ?? string.Empty).Trim();
            if (trimmed.Length > WebhookRequest.MaxBodyLength * 2)
            {
                throw Invalid($"it is {trimmed.Length} characters, more than a registry webhook sends");
            }

            if (trimmed.StartsWith("{\"", StringComparison.Ordinal))
            {
                return FromJson(trimmed);
            }

            if (trimmed.StartsWith(NamePrefix, StringComparison.Ordinal))
            {
                return FromPowerShell7Text(trimmed);
            }

            throw Invalid("it is neither JSON ({\"WebhookName\":…,\"RequestBody\":…}) nor the PowerShell 7 form ({WebhookName:…,RequestBody:…,RequestHeader:{…}})");
        }

        private static WebhookRequest FromJson(string text)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
            }
            catch (JsonException ex)
            {
                throw Invalid("it starts as JSON but is not valid JSON: " + ex.Message);
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("RequestBody", out var body))
                {
                    throw Invalid("it has no RequestBody property");
                }

                var headers = new List<KeyValuePair<string, string>>();
                if (root.TryGetProperty("RequestHeader", out var header) && header.ValueKind == JsonValueKind.Object)
                {
                    foreach (var property in header.EnumerateObject())
                    {
                        headers.Add(new KeyValuePair<string, string>(property.Name, property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText()));
                    }
                }

                var name = root.TryGetProperty("WebhookName", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                var bodyText = body.ValueKind switch
                {
                    JsonValueKind.String => body.GetString()!,
                    JsonValueKind.Null => string.Empty,
                    _ => body.GetRawText(),
                };
                return new WebhookRequest(bodyText, headers, webhookName: name);
            }
        }

        private static WebhookRequest FromPowerShell7Text(string text)
        {
            var bodyAt = text.IndexOf(BodyMarker, NamePrefix.Length, StringComparison.Ordinal);
            if (bodyAt < 0 || !text.EndsWith("}", StringComparison.Ordinal))
            {
                throw Invalid("it starts as the PowerShell 7 form but has no ',RequestBody:' or does not end with '}'");
            }

            var name = text.Substring(NamePrefix.Length, bodyAt - NamePrefix.Length);
            var bodyStart = bodyAt + BodyMarker.Length;

            // Headers come last; the body is whatever lies before the last header marker (a body naming the marker only fails a check later).
            var headerAt = text.LastIndexOf(HeaderMarker, StringComparison.Ordinal);
            var headers = new List<KeyValuePair<string, string>>();
            string body;
            if (headerAt >= bodyStart && text.EndsWith("}}", StringComparison.Ordinal))
            {
                body = text.Substring(bodyStart, headerAt - bodyStart);
                var inner = text.Substring(headerAt + HeaderMarker.Length, text.Length - 2 - (headerAt + HeaderMarker.Length));
                var matches = HeaderName.Matches(inner);
                if (inner.Length > 0 && (matches.Count == 0 || matches[0].Index != 0))
                {
                    throw Invalid("its RequestHeader part is not Name:value pairs");
                }

                for (var i = 0; i < matches.Count; i++)
                {
                    var valueStart = matches[i].Index + matches[i].Length;
                    var valueEnd = i + 1 < matches.Count ? matches[i + 1].Index : inner.Length;
                    headers.Add(new KeyValuePair<string, string>(matches[i].Groups[1].Value, inner.Substring(valueStart, valueEnd - valueStart)));
                }
            }
            else
            {
                body = text.Substring(bodyStart, text.Length - 1 - bodyStart);
            }

            return new WebhookRequest(body, headers, webhookName: name);
        }

        private static ImageUpdaterException Invalid(string why) =>
            new ImageUpdaterException("WebhookDataInvalid", FailureKind.InvalidData, $"The $WebhookData is not what an Azure Automation webhook passes: {why}.");
    }
}
