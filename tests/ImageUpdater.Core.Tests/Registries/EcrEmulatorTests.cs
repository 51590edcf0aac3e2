using System;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Amazon.Runtime;
using ImageUpdater.Core.Registries.Ecr;
using ImageUpdater.Emulators.Ecr;
using Xunit;

namespace ImageUpdater.Core.Tests.Registries
{
    /// <summary>The emulator is as strict as ECR: these send hand-made (but properly signed) requests the client never sends.</summary>
    public class EcrEmulatorTests
    {
        private static async Task<(int Status, string Type, JsonElement Body)> Send(EcrEmulator emulator, string operation, string json, string contentType = EcrClient.ContentType)
        {
            var signer = new SigV4Handler(new BasicAWSCredentials(EcrEmulatorOptions.DefaultAccessKey, EcrEmulatorOptions.DefaultSecretKey), emulator.Options.Region, "ecr", new HttpClientHandler());
            using var http = new HttpClient(signer);
            var request = new HttpRequestMessage(HttpMethod.Post, emulator.Url) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json)) };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            request.Headers.TryAddWithoutValidation("X-Amz-Target", EcrClient.TargetPrefix + operation);
            var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Clone();
            return ((int)response.StatusCode, body.TryGetProperty("__type", out var type) ? type.GetString()! : string.Empty, body);
        }

        [Theory]
        [InlineData("{\"repositoryName\":\"team/app\",\"maxResults\":1001}", "maxResults")]
        [InlineData("{\"repositoryName\":\"team/app\",\"maxResults\":0}", "maxResults")]
        [InlineData("{\"repositoryName\":\"team/app\",\"maxResults\":10,\"imageIds\":[{\"imageTag\":\"1.0.0\"}]}", "cannot be used together")]
        [InlineData("{\"repositoryName\":\"team/app\",\"nextToken\":\"garbage\"}", "nextToken")]
        [InlineData("{\"repositoryName\":\"Team/App\"}", "repositoryName")]
        [InlineData("{\"repositoryName\":\"team/app\",\"registryId\":\"12345\"}", "registryId")]
        [InlineData("{\"repositoryName\":\"team/app\",\"filter\":{\"tagStatus\":\"SOME\"}}", "tagStatus")]
        public async Task InvalidParametersAreRejectedAsTheModelSays(string json, string mention)
        {
            await using var emulator = EcrTestBed.Start(o => o.Generated["team/app"] = 3);
            var (status, type, body) = await Send(emulator, "DescribeImages", json);
            Assert.Equal(400, status);
            Assert.Equal("InvalidParameterException", type);
            Assert.Contains(mention, body.GetProperty("message").GetString());
        }

        [Fact]
        public async Task WithoutMaxResultsAPageHoldsOneHundred()
        {
            await using var emulator = EcrTestBed.Start(o => o.Generated["team/app"] = 150);
            var (status, _, body) = await Send(emulator, "DescribeImages", "{\"repositoryName\":\"team/app\"}");
            Assert.Equal(200, status);
            Assert.Equal(100, body.GetProperty("imageDetails").GetArrayLength());
            var token = body.GetProperty("nextToken").GetString();
            var (_, _, rest) = await Send(emulator, "DescribeImages", "{\"repositoryName\":\"team/app\",\"nextToken\":\"" + token + "\"}");
            Assert.Equal(50, rest.GetProperty("imageDetails").GetArrayLength());
            Assert.False(rest.TryGetProperty("nextToken", out _));
        }

        [Fact]
        public async Task AWrongContentTypeAndABadBodyAreRejected()
        {
            await using var emulator = EcrTestBed.Start(o => o.Generated["team/app"] = 1);
            Assert.Equal("SerializationException", (await Send(emulator, "DescribeImages", "{\"repositoryName\":\"team/app\"}", "application/json")).Type);
            Assert.Equal("SerializationException", (await Send(emulator, "DescribeImages", "[1,2]")).Type);
            Assert.Equal(2, emulator.RequestCount("DescribeImages"));
        }

        [Fact]
        public async Task BatchGetImageReportsMissingImagesAsFailuresNotErrors()
        {
            await using var emulator = EcrTestBed.Start(o => o.Generated["team/app"] = 1);
            var (status, _, body) = await Send(emulator, "BatchGetImage", "{\"repositoryName\":\"team/app\",\"imageIds\":[{\"imageTag\":\"1.0.0\"},{\"imageTag\":\"9.9.9\"}]}");
            Assert.Equal(200, status);
            Assert.Equal(1, body.GetProperty("images").GetArrayLength());
            Assert.Equal("ImageNotFound", body.GetProperty("failures")[0].GetProperty("failureCode").GetString());
        }

        [Fact]
        public async Task TheSeedEndpointAddsImagesAndAPushMovesATag()
        {
            await using var emulator = EcrTestBed.Start();
            using var http = new HttpClient();
            var seed = "{\"repositories\":[{\"name\":\"team/app\",\"images\":[{\"tags\":[\"1.0.0\",\"latest\"]},{\"tags\":[\"1.1.0\",\"latest\"]}]}]}";
            var response = await http.PostAsync(emulator.Url + "__emulator/seed", new StringContent(seed), TestContext.Current.CancellationToken);
            Assert.Equal(200, (int)response.StatusCode);
            using var client = EcrTestBed.Client(emulator);
            var details = await client.DescribeImagesAsync("team/app", cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(new[] { "1.0.0" }, details[0].ImageTags);
            Assert.Equal(new[] { "1.1.0", "latest" }, details[1].ImageTags);
            var stats = JsonDocument.Parse(await http.GetStringAsync(emulator.Url + "__emulator/stats", TestContext.Current.CancellationToken)).RootElement;
            Assert.Equal(1, stats.GetProperty("DescribeImages").GetInt32());
        }
    }
}
