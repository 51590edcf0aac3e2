using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security;
using ImageUpdater.Core;
using ImageUpdater.Core.Webhooks;

namespace ImageUpdater.PS.Commands
{
    /// <summary>Turns a registry webhook request (or Azure Automation's $WebhookData) into the images it says were pushed.</summary>
    [Cmdlet(VerbsData.ConvertFrom, "RegistryWebhook", DefaultParameterSetName = WebhookDataSet, HelpUri = HelpLinks.Docs + "ConvertFrom-RegistryWebhook.md")]
    [OutputType(typeof(RegistryEvent))]
    public sealed class ConvertFromRegistryWebhookCommand : ImageUpdaterCmdlet
    {
        private const string WebhookDataSet = "WebhookData";
        private const string RequestSet = "Request";

        /// <summary>Azure Automation's $WebhookData: the object a PowerShell 5.1 runbook gets, or its text (JSON, or the PowerShell 7 form).</summary>
        [Parameter(ParameterSetName = WebhookDataSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public object? WebhookData { get; set; }

        /// <summary>The request body as the registry sent it.</summary>
        [Parameter(ParameterSetName = RequestSet, Mandatory = true)]
        [AllowEmptyString]
        public string? Body { get; set; }

        /// <summary>The request headers: a hashtable or an object with one property per header.</summary>
        [Parameter(ParameterSetName = RequestSet)]
        public object? Header { get; set; }

        /// <summary>The URL the request was posted to, for a ?secret= parameter.</summary>
        [Parameter(ParameterSetName = RequestSet)]
        public Uri? Uri { get; set; }

        /// <summary>The webhook secret: GitHub's signing secret, or the shared secret the registry sends.</summary>
        [Parameter]
        [SecureStringTransformation]
        public SecureString? Secret { get; set; }

        /// <summary>The provider, when detection should not decide.</summary>
        [Parameter]
        public RegistryProvider? Provider { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                var request = ParameterSetName == RequestSet
                    ? new WebhookRequest(Body ?? string.Empty, HeadersOf(Header), Uri)
                    : RequestOf(WebhookData);
                var events = RegistryWebhook.Parse(request, SecretText.ToPlainText(Secret), Provider);
                foreach (var e in events)
                {
                    WriteVerbose($"{e.Provider} push: {e.Image}{(e.PushedAt is { } at ? " at " + at.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : string.Empty)}.");
                    WriteTyped(e);
                }
            }
            catch (ImageUpdaterException ex)
            {
                WriteFailure(ex, ex.Target ?? "webhook");
            }
        }

        // $WebhookData arrives as an object (5.1 runbooks, tests) or as text (PowerShell 7 runbooks, the portal's test pane).
        private static WebhookRequest RequestOf(object? data)
        {
            var value = data is PSObject pso ? pso.BaseObject : data;
            if (value is string text)
            {
                return AutomationWebhookData.Parse(text);
            }

            var body = Property(data, "RequestBody");
            if (body is null)
            {
                throw new ImageUpdaterException("WebhookDataInvalid", FailureKind.InvalidArgument, "-WebhookData has no RequestBody: pass the runbook's $WebhookData (WebhookName, RequestBody, RequestHeader), or use -Body and -Header.");
            }

            var bodyValue = body is PSObject b ? b.BaseObject : body;
            if (bodyValue is not string bodyText)
            {
                throw new ImageUpdaterException("WebhookDataInvalid", FailureKind.InvalidArgument, "-WebhookData's RequestBody is not text: pass the body as the webhook received it.");
            }

            return new WebhookRequest(bodyText, HeadersOf(Property(data, "RequestHeader")), webhookName: Property(data, "WebhookName")?.ToString());
        }

        private static object? Property(object? data, string name)
        {
            var value = data is PSObject pso ? pso.BaseObject : data;
            if (value is IDictionary dictionary)
            {
                foreach (DictionaryEntry entry in dictionary)
                {
                    if (string.Equals(entry.Key?.ToString(), name, StringComparison.OrdinalIgnoreCase))
                    {
                        return entry.Value;
                    }
                }

                return null;
            }

            return data is null ? null : PSObject.AsPSObject(data).Properties[name]?.Value;
        }

        private static List<KeyValuePair<string, string>> HeadersOf(object? headers)
        {
            var list = new List<KeyValuePair<string, string>>();
            var value = headers is PSObject pso ? pso.BaseObject : headers;
            if (value is null)
            {
                return list;
            }

            if (value is string text)
            {
                // The PowerShell 7 form's RequestHeader, or JSON of one, handed over on its own.
                var request = AutomationWebhookData.Parse(text.TrimStart().StartsWith("{\"", StringComparison.Ordinal)
                    ? "{\"RequestBody\":\"\",\"RequestHeader\":" + text + "}"
                    : "{WebhookName:,RequestBody:,RequestHeader:" + text + "}");
                list.AddRange(request.Headers);
                return list;
            }

            if (value is IDictionary dictionary)
            {
                foreach (DictionaryEntry entry in dictionary)
                {
                    list.Add(new KeyValuePair<string, string>(entry.Key?.ToString() ?? string.Empty, HeaderValue(entry.Value)));
                }

                return list;
            }

            foreach (var property in PSObject.AsPSObject(headers!).Properties)
            {
                if (property.MemberType == PSMemberTypes.NoteProperty || property.MemberType == PSMemberTypes.Property)
                {
                    list.Add(new KeyValuePair<string, string>(property.Name, HeaderValue(property.Value)));
                }
            }

            return list;
        }

        // Invoke-WebRequest and HttpListener give multi-valued headers as arrays; HTTP joins them with ", ".
        private static string HeaderValue(object? value)
        {
            var raw = value is PSObject pso ? pso.BaseObject : value;
            return raw is IEnumerable items && raw is not string
                ? string.Join(", ", EnumerateText(items))
                : raw?.ToString() ?? string.Empty;
        }

        private static IEnumerable<string> EnumerateText(IEnumerable items)
        {
            foreach (var item in items)
            {
                yield return item?.ToString() ?? string.Empty;
            }
        }
    }
}
