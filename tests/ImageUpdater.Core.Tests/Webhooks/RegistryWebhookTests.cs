using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using ImageUpdater.Core.Webhooks;
using Xunit;

namespace ImageUpdater.Core.Tests.Webhooks
{
    public class RegistryWebhookTests
    {
        [Theory]
        [InlineData("dockerhub", RegistryProvider.DockerHub, "docker.io", "svendowideit/testhook", "latest", null, "2014-12-03T00:22:41Z")]
        [InlineData("github-package", RegistryProvider.GitHub, "ghcr.io", "codertocat/hello-world", "1.4.0", "sha256:6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b", "2019-05-09T23:28:29Z")]
        [InlineData("github-registry-package", RegistryProvider.GitHub, "ghcr.io", "codertocat/hello-world-npm", null, "sha256:6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b", "2019-05-09T23:28:29Z")]
        [InlineData("harbor", RegistryProvider.Harbor, "hub.harbor.com", "test-webhook/debian", "latest", "sha256:8a9e9863dbb6e10edb5adfe917c00da84e1700fa76e7ed02476aa6e6fb8ee0d8", "2020-04-15T03:45:08Z")]
        [InlineData("quay", RegistryProvider.Quay, "quay.io", "mynamespace/repository", "latest", null, null)]
        [InlineData("acr", RegistryProvider.AzureContainerRegistry, "myregistry.azurecr.io", "hello-world", "v1", "sha256:0000d5c8786bb9e621a45ece0db00001cdc624ad20da9fe62e9d25490f330000", "2017-11-17T16:52:01.3431453Z")]
        [InlineData("ecr-eventbridge", RegistryProvider.AmazonEcr, "123456789012.dkr.ecr.us-west-2.amazonaws.com", "my-repository-name", "latest", "sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234", "2019-11-16T01:54:34Z")]
        [InlineData("cloudevents", RegistryProvider.CloudEvents, "123456789012.dkr.ecr.us-east-1.amazonaws.com", "my-app", "v1.2.3", "sha256:abcdef1234567890abcdef1234567890abcdef1234567890abcdef1234567890", "2025-11-27T10:00:00Z")]
        public void A_recorded_push_of_each_provider_is_one_complete_event(string file, RegistryProvider provider, string registry, string repository, string? tag, string? digest, string? pushedAt)
        {
            var e = Assert.Single(RegistryWebhook.Parse(RecordedWebhook.Load(file)));

            Assert.Equal(provider, e.Provider);
            Assert.Equal(registry, e.Registry);
            Assert.Equal(repository, e.Repository);
            Assert.Equal(tag, e.Tag);
            Assert.Equal(digest, e.Digest);
            Assert.Equal(pushedAt is null ? null : DateTimeOffset.Parse(pushedAt, System.Globalization.CultureInfo.InvariantCulture), e.PushedAt);
            Assert.Equal(registry + "/" + repository + (tag is null ? "" : ":" + tag) + (digest is null ? "" : "@" + digest), e.Image);
        }

        [Fact]
        public void A_docker_hub_official_image_is_named_as_the_registry_api_names_it()
        {
            var body = "{\"push_data\":{\"tag\":\"1.27\"},\"repository\":{\"repo_name\":\"nginx\"}}";

            Assert.Equal("docker.io/library/nginx:1.27", Assert.Single(RegistryWebhook.Parse(new WebhookRequest(body))).Image);
        }

        [Fact]
        public void Quay_sends_one_event_per_updated_tag()
        {
            var body = "{\"repository\":\"ns/app\",\"docker_url\":\"quay.io/ns/app\",\"updated_tags\":[\"1.0\",\"latest\"]}";

            Assert.Equal(new[] { "quay.io/ns/app:1.0", "quay.io/ns/app:latest" }, RegistryWebhook.Parse(new WebhookRequest(body)).Select(e => e.Image));
        }

        [Fact]
        public void The_documented_github_signature_example_verifies()
        {
            // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
            var request = new WebhookRequest("Hello, World!", Header(WebhookSecret.SignatureHeader, "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"));

            WebhookSecret.VerifySignature(request, "It's a Secret to Everybody", RegistryProvider.GitHub);
            var wrong = Assert.Throws<ImageUpdaterException>(() => WebhookSecret.VerifySignature(request, "It's a secret to everybody", RegistryProvider.GitHub));
            Assert.Equal("WebhookSecretMismatch", wrong.ErrorId);
        }

        [Fact]
        public void A_github_push_signed_with_the_secret_passes_and_one_signed_otherwise_yields_no_event()
        {
            var (headers, body) = RecordedWebhook.Read("github-package");
            var signed = new WebhookRequest(body, headers.Concat(Header(WebhookSecret.SignatureHeader, Sign("s3cret", body))));
            var forged = new WebhookRequest(body, headers.Concat(Header(WebhookSecret.SignatureHeader, Sign("other", body))));
            var unsigned = new WebhookRequest(body, headers);

            Assert.Single(RegistryWebhook.Parse(signed, "s3cret"));
            var mismatch = Assert.Throws<ImageUpdaterException>(() => RegistryWebhook.Parse(forged, "s3cret"));
            Assert.Equal(("WebhookSecretMismatch", FailureKind.SecurityError), (mismatch.ErrorId, mismatch.Kind));
            Assert.DoesNotContain("s3cret", mismatch.Message);
            Assert.Equal("WebhookSecretMissing", Assert.Throws<ImageUpdaterException>(() => RegistryWebhook.Parse(unsigned, "s3cret")).ErrorId);
        }

        [Theory]
        [InlineData("harbor", "Authorization", "s3cret")]
        [InlineData("acr", "Authorization", "Bearer s3cret")]
        [InlineData("ecr-eventbridge", "X-Webhook-Secret", "s3cret")]
        [InlineData("cloudevents", "X-Webhook-Secret", "s3cret")]
        public void A_shared_secret_in_a_header_is_verified(string file, string header, string value)
        {
            Assert.NotEmpty(RegistryWebhook.Parse(RecordedWebhook.Load(file, Header(header, value)), "s3cret"));
            var wrong = Assert.Throws<ImageUpdaterException>(() => RegistryWebhook.Parse(RecordedWebhook.Load(file, Header(header, value + "x")), "s3cret"));
            Assert.Equal("WebhookSecretMismatch", wrong.ErrorId);
            Assert.Equal("WebhookSecretMissing", Assert.Throws<ImageUpdaterException>(() => RegistryWebhook.Parse(RecordedWebhook.Load(file), "s3cret")).ErrorId);
        }

        [Fact]
        public void A_shared_secret_in_the_url_is_verified_for_docker_hub_and_quay()
        {
            Assert.Single(RegistryWebhook.Parse(RecordedWebhook.Load("dockerhub", uri: new Uri("https://hooks.example/push?secret=s%203cret")), "s 3cret"));
            Assert.Equal("WebhookSecretMismatch", Assert.Throws<ImageUpdaterException>(() => RegistryWebhook.Parse(RecordedWebhook.Load("quay", uri: new Uri("https://hooks.example/push?secret=nope")), "s3cret")).ErrorId);
        }

        [Fact]
        public void The_acr_example_digest_as_masked_in_the_docs_is_refused_whole()
        {
            var (headers, body) = RecordedWebhook.Read("acr");
            var masked = body.Replace("sha256:0000d5c8786bb9e621a45ece0db00001cdc624ad20da9fe62e9d25490f330000", "sha256:xxxxd5c8786bb9e621a45ece0dbxxxx1cdc624ad20da9fe62e9d25490f33xxxx");

            var error = Assert.Throws<ImageUpdaterException>(() => RegistryWebhook.Parse(new WebhookRequest(masked, headers)));

            Assert.Equal(("WebhookPayloadInvalid", FailureKind.InvalidData), (error.ErrorId, error.Kind));
            Assert.Contains("digest 'sha256:xxxx", error.Message);
        }

        [Theory]
        [InlineData("not json", "WebhookPayloadInvalid", "not JSON")]
        [InlineData("[1,2]", "WebhookPayloadInvalid", "not a JSON object")]
        [InlineData("{\"hello\":\"world\"}", "WebhookProviderUnknown", "Docker Hub")]
        [InlineData("{\"push_data\":{\"tag\":\"1\"},\"repository\":{\"repo_name\":\"../../etc\"}}", "WebhookPayloadInvalid", "not an OCI repository path")]
        [InlineData("{\"push_data\":{\"tag\":\"1\"},\"repository\":{\"repo_name\":\"Org/App\"}}", "WebhookPayloadInvalid", "not an OCI repository path")]
        [InlineData("{\"push_data\":{\"tag\":\"a b\"},\"repository\":{\"repo_name\":\"org/app\"}}", "WebhookPayloadInvalid", "not a valid OCI tag")]
        [InlineData("{\"push_data\":{},\"repository\":{\"repo_name\":\"org/app\"}}", "WebhookPayloadInvalid", "push_data.tag")]
        [InlineData("{\"type\":\"PULL_ARTIFACT\",\"event_data\":{}}", "WebhookEventNotPush", "PULL_ARTIFACT")]
        [InlineData("{\"action\":\"delete\",\"target\":{\"repository\":\"a\"},\"request\":{\"host\":\"r.azurecr.io\"}}", "WebhookEventNotPush", "'delete'")]
        [InlineData("{\"detail-type\":\"ECR Image Action\",\"source\":\"aws.ecr\",\"account\":\"123456789012\",\"region\":\"us-west-2\",\"detail\":{\"result\":\"FAILURE\",\"action-type\":\"PUSH\",\"repository-name\":\"a\"}}", "WebhookEventNotPush", "FAILURE")]
        [InlineData("{\"detail-type\":\"ECR Image Action\",\"source\":\"aws.ecr\",\"account\":\"1234\",\"region\":\"us-west-2\",\"detail\":{\"result\":\"SUCCESS\",\"action-type\":\"PUSH\",\"repository-name\":\"a\",\"image-tag\":\"1\"}}", "WebhookPayloadInvalid", "12-digit account")]
        [InlineData("{\"specversion\":\"1.0\",\"type\":\"com.example.order.created\",\"source\":\"/x\",\"data\":{}}", "WebhookEventNotPush", "com.example.order.created")]
        [InlineData("{\"updated_tags\":[\"1\",2],\"docker_url\":\"quay.io/a/b\"}", "WebhookPayloadInvalid", "not text")]
        public void Malformed_unknown_or_other_events_are_one_clear_error(string body, string errorId, string says)
        {
            var error = Assert.Throws<ImageUpdaterException>(() => RegistryWebhook.Parse(new WebhookRequest(body)));

            Assert.Equal(errorId, error.ErrorId);
            Assert.Equal(FailureKind.InvalidData, error.Kind);
            Assert.Contains(says, error.Message);
        }

        [Fact]
        public void A_github_ping_is_not_a_push()
        {
            var error = Assert.Throws<ImageUpdaterException>(() => RegistryWebhook.Parse(new WebhookRequest("{\"zen\":\"Keep it simple.\",\"hook_id\":1}", Header("X-GitHub-Event", "ping"))));

            Assert.Equal("WebhookEventNotPush", error.ErrorId);
            Assert.Contains("'ping'", error.Message);
        }

        [Fact]
        public void A_binary_mode_cloudevent_reads_its_attributes_from_ce_headers()
        {
            var headers = Header("ce-specversion", "1.0").Concat(Header("ce-type", "container.image.push")).Concat(Header("ce-source", "https://registry.example.com"))
                .Concat(Header("ce-id", "1")).Concat(Header("ce-time", "2025-11-27T10:05:00Z"));
            var body = "{\"repository\":\"myapp/backend\",\"tag\":\"v2.0.0\"}";

            var e = Assert.Single(RegistryWebhook.Parse(new WebhookRequest(body, headers)));

            Assert.Equal(("registry.example.com/myapp/backend:v2.0.0", RegistryProvider.CloudEvents), (e.Image, e.Provider));
            Assert.Equal(new DateTimeOffset(2025, 11, 27, 10, 5, 0, TimeSpan.Zero), e.PushedAt);
        }

        [Fact]
        public void A_harbor_cloudevent_and_an_eventbridge_event_as_cloudevent_data_are_read()
        {
            var harbor = "{\"specversion\":\"1.0\",\"type\":\"harbor.artifact.pushed\",\"source\":\"/projects/1/webhook/policies/1\",\"id\":\"1\",\"time\":\"2023-03-06T06:08:43Z\"," +
                "\"data\":{\"resources\":[{\"digest\":\"sha256:abcd\",\"tag\":\"v1\",\"resource_url\":\"harbor.example.com/library/app:v1\"}],\"repository\":{\"repo_full_name\":\"library/app\"}}}";
            var ecr = "{\"specversion\":\"1.0\",\"type\":\"aws.ecr\",\"source\":\"aws.ecr\",\"id\":\"1\",\"data\":" + RecordedWebhook.Read("ecr-eventbridge").Body + "}";

            Assert.Equal("harbor.example.com/library/app:v1@sha256:abcd", Assert.Single(RegistryWebhook.Parse(new WebhookRequest(harbor))).Image);
            Assert.Equal("123456789012.dkr.ecr.us-west-2.amazonaws.com/my-repository-name:latest@sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234", Assert.Single(RegistryWebhook.Parse(new WebhookRequest(ecr))).Image);
        }

        [Fact]
        public void A_named_provider_skips_detection()
        {
            var error = Assert.Throws<ImageUpdaterException>(() => RegistryWebhook.Parse(RecordedWebhook.Load("quay"), provider: RegistryProvider.DockerHub));

            Assert.Equal("WebhookPayloadInvalid", error.ErrorId);
            Assert.Contains("DockerHub", error.Message);
        }

        [Fact]
        public void A_body_larger_than_a_registry_sends_is_refused_before_parsing()
        {
            var error = Assert.Throws<ImageUpdaterException>(() => RegistryWebhook.Parse(new WebhookRequest("{\"a\":\"" + new string('x', WebhookRequest.MaxBodyLength) + "\"}")));

            Assert.Equal("WebhookPayloadInvalid", error.ErrorId);
        }

        internal static IEnumerable<KeyValuePair<string, string>> Header(string name, string value) => new[] { new KeyValuePair<string, string>(name, value) };

        internal static string Sign(string secret, string body)
        {
            using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
            return "sha256=" + string.Concat(hmac.ComputeHash(Encoding.UTF8.GetBytes(body)).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        }
    }
}
