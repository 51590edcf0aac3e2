using System.Linq;
using ImageUpdater.Core.Webhooks;
using Xunit;

namespace ImageUpdater.Core.Tests.Webhooks
{
    public class AutomationWebhookDataTests
    {
        [Fact]
        public void The_json_form_a_51_runbook_and_the_test_pane_get_is_read()
        {
            // https://learn.microsoft.com/azure/automation/automation-webhooks ("matches the format that is passed in from a webhook")
            var text = "{\"WebhookName\":\"mywebhook\",\"RequestBody\":\"[\\r\\n {\\r\\n \\\"ResourceGroup\\\": \\\"vm01\\\",\\r\\n \\\"Name\\\": \\\"vm01\\\"\\r\\n }\\r\\n]\",\"RequestHeader\":{\"Host\":\"x.webhook.uks.azure-automation.net\",\"X-Hub-Signature-256\":\"sha256=00\"}}";

            var request = AutomationWebhookData.Parse(text);

            Assert.Equal("mywebhook", request.WebhookName);
            Assert.StartsWith("[\r\n {\r\n \"ResourceGroup\"", request.Body);
            Assert.Equal("sha256=00", request.Header("x-hub-signature-256"));
        }

        [Fact]
        public void The_powershell_7_form_that_is_not_json_is_read()
        {
            // As Azure Automation hands it to a PowerShell 7.1 runbook (MicrosoftDocs/azure-docs#96947; the runbook-types page's known issues).
            var text = "{WebhookName:PrintWebhookPS71,RequestBody:{\"Parameters\":{\"SomeArray\":[\"a\",\"b\",\"c\"],\"Name\":\"Adam Cook\"}},RequestHeader:{Host:b6aa6482-fa57-41a1-aa84-f168e2e85a0b.webhook.uks.azure-automation.net,User-Agent:Mozilla/5.0,x-ms-request-id:5e7f41bd-3443-4ecb-ba6d-6b81109280d0}}";

            var request = AutomationWebhookData.Parse(text);

            Assert.Equal("PrintWebhookPS71", request.WebhookName);
            Assert.Equal("{\"Parameters\":{\"SomeArray\":[\"a\",\"b\",\"c\"],\"Name\":\"Adam Cook\"}}", request.Body);
            Assert.Equal(new[] { "Host", "User-Agent", "x-ms-request-id" }, request.Headers.Keys.OrderBy(k => k, System.StringComparer.Ordinal));
            Assert.Equal("Mozilla/5.0", request.Header("user-agent"));
        }

        [Fact]
        public void A_header_value_with_commas_and_colons_stays_one_value()
        {
            var request = AutomationWebhookData.Parse("{WebhookName:w,RequestBody:{},RequestHeader:{Accept:text/html, application/json,Host:h:443,X-GitHub-Event:package}}");

            Assert.Equal("text/html, application/json", request.Header("Accept"));
            Assert.Equal("h:443", request.Header("Host"));
            Assert.Equal("package", request.Header("X-GitHub-Event"));
        }

        [Fact]
        public void A_recorded_push_in_the_powershell_7_form_becomes_its_event()
        {
            var (_, body) = RecordedWebhook.Read("harbor");
            var compact = System.Text.Json.JsonDocument.Parse(body).RootElement.GetRawText();

            var request = AutomationWebhookData.Parse("{WebhookName:harbor,RequestBody:" + compact + ",RequestHeader:{Authorization:s3cret,Content-Type:application/json}}");
            var e = Assert.Single(RegistryWebhook.Parse(request, "s3cret"));

            Assert.Equal(("hub.harbor.com/test-webhook/debian:latest@sha256:8a9e9863dbb6e10edb5adfe917c00da84e1700fa76e7ed02476aa6e6fb8ee0d8", "harbor"), (e.Image, e.WebhookName));
        }

        [Theory]
        [InlineData("hello")]
        [InlineData("{\"WebhookName\":\"x\"}")]
        [InlineData("{\"WebhookName\":")]
        [InlineData("{WebhookName:x RequestBody")]
        [InlineData("{WebhookName:x,RequestBody:{},RequestHeader:{not a header}}")]
        public void Text_in_neither_form_is_a_clear_error(string text)
        {
            var error = Assert.Throws<ImageUpdaterException>(() => AutomationWebhookData.Parse(text));

            Assert.Equal(("WebhookDataInvalid", FailureKind.InvalidData), (error.ErrorId, error.Kind));
            Assert.Contains("$WebhookData", error.Message);
        }
    }
}
