using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace ImageUpdater.Emulators.Ecr
{
    /// <summary>
    /// A loopback Amazon ECR: the JSON 1.1 API (DescribeImages, BatchGetImage, GetAuthorizationToken, DescribeRepositories) with
    /// SigV4 verification, modelled errors, paging, injected throttling/failures/latency and per-operation counters; plus the
    /// registry v2 read API (Basic AWS:&lt;token&gt;). Admin: GET|DELETE /__emulator/stats, POST /__emulator/seed.
    /// </summary>
    public sealed class EcrEmulator : LoopbackHttpServer
    {
        public const string TargetPrefix = "AmazonEC2ContainerRegistry_V20150921.";
        private static readonly Regex RepositoryNamePattern = new Regex("^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$");
        private static readonly string[] Operations = { "DescribeImages", "BatchGetImage", "GetAuthorizationToken", "DescribeRepositories", "ListImages" };

        private readonly EcrEmulatorOptions options;
        private readonly EcrEmulatorState state;
        private readonly SigV4Verifier verifier;
        private readonly ConcurrentDictionary<string, int> counters = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, DateTimeOffset> passwords = new ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        private readonly Random random = new Random(7);
        private int apiRequests;
        private int inFlight;
        private int peakInFlight;

        private EcrEmulator(EcrEmulatorOptions options)
        {
            this.options = options;
            state = new EcrEmulatorState(options.Account);
            verifier = new SigV4Verifier(options.Region, "ecr", options.MaxSkew);
            foreach (var seed in options.SeedJson)
            {
                state.Seed(seed);
            }

            foreach (var generated in options.Generated)
            {
                state.Generate(generated.Key, generated.Value);
            }
        }

        public EcrEmulatorOptions Options => options;

        /// <summary>The registry host images name (<c>&lt;account&gt;.dkr.ecr.&lt;region&gt;.amazonaws.com</c>); its API is this emulator.</summary>
        public string RegistryHost => $"{options.Account}.dkr.ecr.{options.Region}.amazonaws.com";

        /// <summary>API requests received per operation (every request with a known X-Amz-Target, failed ones included) plus "v2" for registry calls.</summary>
        public IReadOnlyDictionary<string, int> Requests => new Dictionary<string, int>(counters);

        public int RequestCount(string operation) => counters.TryGetValue(operation, out var n) ? n : 0;

        public void ResetStats()
        {
            counters.Clear();
            Interlocked.Exchange(ref apiRequests, 0);
            Interlocked.Exchange(ref peakInFlight, Volatile.Read(ref inFlight));
        }

        /// <summary>Adds repositories and images (the seed JSON format of <see cref="EcrEmulatorState.Seed"/>); returns the images added.</summary>
        public int Seed(string json) => state.Seed(json);

        /// <summary>Adds a repository of generated images.</summary>
        public void Generate(string repository, int images) => state.Generate(repository, images);

        [Emulator("ecr")]
        public static Task<IEmulator> Start(string[] options) => Task.FromResult<IEmulator>(StartNew(EcrEmulatorOptions.Parse(options)));

        /// <summary>Starts on a free loopback port; <see cref="LoopbackHttpServer.Url"/> is the API endpoint (for -EndpointUrl) and the v2 registry root.</summary>
        public static EcrEmulator StartNew(EcrEmulatorOptions options) => new EcrEmulator(options);

        public override string Describe() => JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["url"] = Url,
            ["kind"] = "ecr",
            ["account"] = options.Account,
            ["region"] = options.Region,
            ["registry"] = RegistryHost,
            ["accessKeys"] = options.Keys.Keys.ToArray(),
            ["stats"] = Url + "__emulator/stats",
        });

        protected override async Task HandleAsync(HttpListenerContext context)
        {
            try
            {
                var path = context.Request.Url!.AbsolutePath;
                if (path.StartsWith("/__emulator/", StringComparison.Ordinal))
                {
                    await Admin(context, path).ConfigureAwait(false);
                }
                else if (path == "/v2" || path.StartsWith("/v2/", StringComparison.Ordinal))
                {
                    await Registry(context, path).ConfigureAwait(false);
                }
                else
                {
                    await Api(context).ConfigureAwait(false);
                }
            }
            catch (Exception ex)
            {
                try
                {
                    await Reply(context, 500, new JsonObject { ["__type"] = "ServerException", ["message"] = "emulator failure: " + ex.Message }).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // the client went away
                }
            }
        }

        private async Task Admin(HttpListenerContext context, string path)
        {
            var method = context.Request.HttpMethod;
            if (path == "/__emulator/stats" && method == "GET")
            {
                var stats = new JsonObject();
                foreach (var pair in counters.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    stats[pair.Key] = pair.Value;
                }

                // The most API requests this emulator was serving at one time (a client's concurrency, as the server sees it).
                stats["peakInFlight"] = Volatile.Read(ref peakInFlight);

                await Reply(context, 200, stats).ConfigureAwait(false);
            }
            else if (path == "/__emulator/stats" && method == "DELETE")
            {
                ResetStats();
                await Reply(context, 200, new JsonObject()).ConfigureAwait(false);
            }
            else if (path == "/__emulator/seed" && method == "POST")
            {
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var added = state.Seed(await reader.ReadToEndAsync().ConfigureAwait(false));
                await Reply(context, 200, new JsonObject { ["images"] = added }).ConfigureAwait(false);
            }
            else
            {
                await Reply(context, 404, new JsonObject { ["message"] = "admin endpoints: GET|DELETE /__emulator/stats, POST /__emulator/seed" }).ConfigureAwait(false);
            }
        }

        private async Task Api(HttpListenerContext context)
        {
            var now = Interlocked.Increment(ref inFlight);
            for (var seen = Volatile.Read(ref peakInFlight); now > seen && Interlocked.CompareExchange(ref peakInFlight, now, seen) != seen; seen = Volatile.Read(ref peakInFlight))
            {
            }

            counted[context] = true;
            try
            {
                await ServeApi(context).ConfigureAwait(false);
            }
            finally
            {
                Served(context);
            }
        }

        // Requests counted in flight until their answer is about to be sent: a client may start its next request as soon as it has
        // read this one's answer, before the server has closed it, and must not be seen as one request too many.
        private readonly System.Collections.Concurrent.ConcurrentDictionary<HttpListenerContext, bool> counted = new System.Collections.Concurrent.ConcurrentDictionary<HttpListenerContext, bool>();

        private void Served(HttpListenerContext context)
        {
            if (counted.TryRemove(context, out _))
            {
                Interlocked.Decrement(ref inFlight);
            }
        }

        private async Task ServeApi(HttpListenerContext context)
        {
            var request = context.Request;
            byte[] body;
            using (var buffer = new MemoryStream())
            {
                await request.InputStream.CopyToAsync(buffer).ConfigureAwait(false);
                body = buffer.ToArray();
            }

            if (options.Latency > TimeSpan.Zero)
            {
                await Task.Delay(options.Latency).ConfigureAwait(false);
            }

            var fault = Check(request, body, out var operation, out var accessKey);
            if (fault is null)
            {
                JsonObject? input = null;
                try
                {
                    input = JsonNode.Parse(body.Length == 0 ? "null" : Encoding.UTF8.GetString(body)) as JsonObject;
                }
                catch (JsonException)
                {
                }

                if (input is null)
                {
                    fault = new EcrFault(400, "SerializationException", "Start of structure or map found where not expected.");
                }
                else if (options.Denied.Contains(accessKey!) || options.Denied.Contains(accessKey + ":" + operation))
                {
                    var repo = (string?)input["repositoryName"] ?? "*";
                    fault = new EcrFault(400, "AccessDeniedException",
                        $"User: arn:aws:iam::{options.Account}:user/emulator is not authorized to perform: ecr:{operation} on resource: arn:aws:ecr:{options.Region}:{options.Account}:repository/{repo} because no identity-based policy allows the ecr:{operation} action");
                }
                else
                {
                    JsonObject output;
                    try
                    {
                        output = operation switch
                        {
                            "DescribeImages" => DescribeImages(input),
                            "BatchGetImage" => BatchGetImage(input),
                            "GetAuthorizationToken" => GetAuthorizationToken(input),
                            "DescribeRepositories" => DescribeRepositories(input),
                            _ => ListImages(input),
                        };
                    }
                    catch (FaultException ex)
                    {
                        await ReplyFault(context, ex.Fault).ConfigureAwait(false);
                        return;
                    }

                    Served(context);
                    await Reply(context, 200, output).ConfigureAwait(false);
                    return;
                }
            }

            await ReplyFault(context, fault).ConfigureAwait(false);
        }

        /// <summary>Protocol, identity and injected faults, in the order AWS applies them.</summary>
        private EcrFault? Check(HttpListenerRequest request, byte[] body, out string? operation, out string? accessKey)
        {
            operation = null;
            accessKey = null;
            if (request.HttpMethod != "POST")
            {
                return new EcrFault(404, "UnknownOperationException", "The JSON API accepts POST / only.");
            }

            var target = request.Headers["X-Amz-Target"];
            if (target is null || !target.StartsWith(TargetPrefix, StringComparison.Ordinal) || !Operations.Contains(target.Substring(TargetPrefix.Length)))
            {
                return new EcrFault(400, "UnknownOperationException", "Unknown operation: X-Amz-Target must be " + TargetPrefix + "<Operation>.");
            }

            operation = target.Substring(TargetPrefix.Length);
            counters.AddOrUpdate(operation, 1, (_, n) => n + 1);
            var serial = Interlocked.Increment(ref apiRequests);

            var contentType = request.ContentType ?? string.Empty;
            if (!string.Equals(contentType.Split(';')[0].Trim(), "application/x-amz-json-1.1", StringComparison.OrdinalIgnoreCase))
            {
                return new EcrFault(400, "SerializationException", $"Content-Type must be application/x-amz-json-1.1, not '{contentType}'.");
            }

            var (claim, parseFault) = SigV4Verifier.ParseAuthorization(request.Headers["Authorization"]);
            if (parseFault is not null)
            {
                return parseFault;
            }

            accessKey = claim!.AccessKey;
            if (!options.Keys.TryGetValue(claim.AccessKey, out var key))
            {
                return new EcrFault(400, "UnrecognizedClientException", "The security token included in the request is invalid.");
            }

            var token = request.Headers["X-Amz-Security-Token"];
            if (token is not null && options.ExpiredTokens.Contains(token))
            {
                return new EcrFault(400, "ExpiredTokenException", "The security token included in the request is expired");
            }

            if (key.Token is not null && !string.Equals(token, key.Token, StringComparison.Ordinal))
            {
                return new EcrFault(400, "UnrecognizedClientException", "The security token included in the request is invalid.");
            }

            var signatureFault = verifier.Verify(claim, key.Secret, request, body, DateTime.UtcNow);
            if (signatureFault is not null)
            {
                return signatureFault;
            }

            if (serial <= options.ThrottleFirst || (options.ThrottleRate > 0 && NextDouble() < options.ThrottleRate))
            {
                return new EcrFault(400, "ThrottlingException", "Rate exceeded");
            }

            if (serial <= options.ThrottleFirst + options.FailFirst)
            {
                return new EcrFault(500, "ServerException", "We encountered an internal error. Please try again.");
            }

            return null;
        }

        private double NextDouble()
        {
            lock (random)
            {
                return random.NextDouble();
            }
        }

        private JsonObject DescribeImages(JsonObject input)
        {
            var repo = RequireRepository(input);
            var imageIds = input["imageIds"] as JsonArray;
            var (offset, pageSize) = Paging(input, imageIds is not null, "imageIds");
            var status = (string?)input["filter"]?["tagStatus"] ?? "ANY";
            if (status != "TAGGED" && status != "UNTAGGED" && status != "ANY")
            {
                throw Invalid($"Value '{status}' at 'filter.tagStatus' failed to satisfy constraint: Member must satisfy enum value set: [ANY, UNTAGGED, TAGGED]");
            }

            List<EmulatedImage> images;
            lock (state.Gate)
            {
                images = repo.Images.Where(i => status == "ANY" || (status == "TAGGED") == (i.Tags.Count > 0)).ToList();
                if (imageIds is not null)
                {
                    var wanted = new List<EmulatedImage>();
                    foreach (var id in imageIds)
                    {
                        var found = Match(repo, id!);
                        if (found is null)
                        {
                            throw new FaultException(new EcrFault(400, "ImageNotFoundException", $"The image with imageId {id!.ToJsonString()} does not exist within the repository with name '{repo.Name}' in the registry with id '{repo.RegistryId}'"));
                        }

                        wanted.Add(found);
                    }

                    images = wanted;
                }
            }

            var page = images.Skip(offset).Take(pageSize).ToList();
            var details = new JsonArray();
            foreach (var image in page)
            {
                var detail = new JsonObject
                {
                    ["registryId"] = repo.RegistryId,
                    ["repositoryName"] = repo.Name,
                    ["imageDigest"] = image.Digest,
                    ["imageSizeInBytes"] = image.Size,
                    ["imagePushedAt"] = image.PushedAt,
                    ["imageManifestMediaType"] = image.MediaType,
                    ["artifactMediaType"] = EcrEmulatorState.OciConfig,
                };
                if (image.Tags.Count > 0)
                {
                    detail["imageTags"] = new JsonArray(image.Tags.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray());
                }

                details.Add(detail);
            }

            var output = new JsonObject { ["imageDetails"] = details };
            if (offset + pageSize < images.Count)
            {
                output["nextToken"] = Token(repo, offset + pageSize);
            }

            return output;
        }

        private JsonObject ListImages(JsonObject input)
        {
            var repo = RequireRepository(input);
            var (offset, pageSize) = Paging(input, false, string.Empty);
            List<(string Digest, string? Tag)> ids;
            lock (state.Gate)
            {
                ids = repo.Images.SelectMany(i => i.Tags.Count == 0 ? new[] { (i.Digest, (string?)null) } : i.Tags.Select(t => (i.Digest, (string?)t))).ToList();
            }

            var output = new JsonObject
            {
                ["imageIds"] = new JsonArray(ids.Skip(offset).Take(pageSize).Select(i => (JsonNode)new JsonObject { ["imageDigest"] = i.Digest, ["imageTag"] = i.Tag }).ToArray()),
            };
            if (offset + pageSize < ids.Count)
            {
                output["nextToken"] = Token(repo, offset + pageSize);
            }

            return output;
        }

        private JsonObject BatchGetImage(JsonObject input)
        {
            var repo = RequireRepository(input);
            var imageIds = input["imageIds"] as JsonArray;
            if (imageIds is null || imageIds.Count < 1 || imageIds.Count > 100)
            {
                throw Invalid("Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length less than or equal to 100, Member must have length greater than or equal to 1'");
            }

            var accepted = (input["acceptedMediaTypes"] as JsonArray)?.Select(t => (string?)t).ToList();
            var images = new JsonArray();
            var failures = new JsonArray();
            lock (state.Gate)
            {
                foreach (var id in imageIds)
                {
                    var found = Match(repo, id!);
                    if (found is null)
                    {
                        failures.Add(new JsonObject { ["imageId"] = id!.DeepClone(), ["failureCode"] = "ImageNotFound", ["failureReason"] = "Requested image not found" });
                        continue;
                    }

                    if (accepted is not null && !accepted.Contains(found.MediaType))
                    {
                        failures.Add(new JsonObject { ["imageId"] = id!.DeepClone(), ["failureCode"] = "UnsupportedImageType", ["failureReason"] = "The image has a media type the request did not accept" });
                        continue;
                    }

                    images.Add(new JsonObject
                    {
                        ["registryId"] = repo.RegistryId,
                        ["repositoryName"] = repo.Name,
                        ["imageId"] = new JsonObject { ["imageDigest"] = found.Digest, ["imageTag"] = (string?)id!["imageTag"] },
                        ["imageManifest"] = found.Manifest,
                        ["imageManifestMediaType"] = found.MediaType,
                    });
                }
            }

            return new JsonObject { ["images"] = images, ["failures"] = failures };
        }

        private JsonObject GetAuthorizationToken(JsonObject input)
        {
            var ids = (input["registryIds"] as JsonArray)?.Select(i => (string?)i ?? string.Empty).ToList() ?? new List<string> { options.Account };
            if (ids.Count < 1 || ids.Count > 10)
            {
                throw Invalid("Invalid parameter at 'registryIds' failed to satisfy constraint: 'Member must have length less than or equal to 10'");
            }

            var data = new JsonArray();
            foreach (var id in ids)
            {
                if (!Regex.IsMatch(id, "^[0-9]{12}$"))
                {
                    throw Invalid($"Invalid parameter at 'registryIds' failed to satisfy constraint: 'Member must satisfy regular expression pattern: [0-9]{{12}}'");
                }

                var password = "emulator-" + Guid.NewGuid().ToString("N");
                var expires = DateTimeOffset.UtcNow.AddHours(12);
                passwords[password] = expires;
                data.Add(new JsonObject
                {
                    ["authorizationToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:" + password)),
                    ["expiresAt"] = expires.ToUnixTimeMilliseconds() / 1000.0,
                    // The registry of this emulator is itself (a real one answers https://<account>.dkr.ecr.<region>.amazonaws.com).
                    ["proxyEndpoint"] = Url.TrimEnd('/'),
                });
            }

            return new JsonObject { ["authorizationData"] = data };
        }

        private JsonObject DescribeRepositories(JsonObject input)
        {
            var registryId = RegistryId(input);
            var names = input["repositoryNames"] as JsonArray;
            var (offset, pageSize) = Paging(input, names is not null, "repositoryNames");
            List<EmulatedRepository> repos;
            if (names is not null)
            {
                repos = new List<EmulatedRepository>();
                foreach (var name in names)
                {
                    repos.Add(state.Find(registryId, (string?)name ?? string.Empty) ?? throw NotFound((string?)name ?? string.Empty, registryId));
                }
            }
            else
            {
                repos = state.All(registryId);
            }

            var output = new JsonObject
            {
                ["repositories"] = new JsonArray(repos.Skip(offset).Take(pageSize).Select(r => (JsonNode)new JsonObject
                {
                    ["repositoryArn"] = $"arn:aws:ecr:{options.Region}:{r.RegistryId}:repository/{r.Name}",
                    ["registryId"] = r.RegistryId,
                    ["repositoryName"] = r.Name,
                    ["repositoryUri"] = $"{r.RegistryId}.dkr.ecr.{options.Region}.amazonaws.com/{r.Name}",
                    ["createdAt"] = r.CreatedAt,
                    ["imageTagMutability"] = "MUTABLE",
                    ["imageScanningConfiguration"] = new JsonObject { ["scanOnPush"] = false },
                    ["encryptionConfiguration"] = new JsonObject { ["encryptionType"] = "AES256" },
                }).ToArray()),
            };
            if (offset + pageSize < repos.Count)
            {
                output["nextToken"] = Token(null, offset + pageSize);
            }

            return output;
        }

        private string RegistryId(JsonObject input)
        {
            var id = (string?)input["registryId"] ?? options.Account;
            if (!Regex.IsMatch(id, "^[0-9]{12}$"))
            {
                throw Invalid($"Invalid parameter at 'registryId' failed to satisfy constraint: 'Member must satisfy regular expression pattern: [0-9]{{12}}'");
            }

            return id;
        }

        private EmulatedRepository RequireRepository(JsonObject input)
        {
            var registryId = RegistryId(input);
            var name = (string?)input["repositoryName"];
            if (name is null)
            {
                throw Invalid("1 validation error detected: Value null at 'repositoryName' failed to satisfy constraint: Member must not be null");
            }

            if (name.Length < 2 || name.Length > 256 || !RepositoryNamePattern.IsMatch(name))
            {
                throw Invalid($"Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '{RepositoryNamePattern}''");
            }

            return state.Find(registryId, name) ?? throw NotFound(name, registryId);
        }

        /// <summary>maxResults 1..1000 (default 100) and nextToken; neither may accompany an explicit id list.</summary>
        private static (int Offset, int PageSize) Paging(JsonObject input, bool hasIds, string idsName)
        {
            var hasMax = input["maxResults"] is not null;
            var hasToken = input["nextToken"] is not null;
            if (hasIds && (hasMax || hasToken))
            {
                throw Invalid($"Invalid parameter: maxResults and nextToken cannot be used together with {idsName}.");
            }

            var pageSize = 100;
            if (hasMax)
            {
                pageSize = input["maxResults"]!.GetValue<int>();
                if (pageSize < 1 || pageSize > 1000)
                {
                    throw Invalid($"Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value {(pageSize < 1 ? "greater than or equal to 1" : "less than or equal to 1000")}'");
                }
            }

            var offset = 0;
            if (hasToken)
            {
                try
                {
                    var text = Encoding.UTF8.GetString(Convert.FromBase64String((string)input["nextToken"]!));
                    offset = int.Parse(text.Substring(text.LastIndexOf('|') + 1), System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (Exception)
                {
                    throw Invalid("Invalid parameter at 'nextToken': the token is not valid.");
                }
            }

            return (offset, hasIds ? int.MaxValue : pageSize);
        }

        private static string Token(EmulatedRepository? repo, int offset) =>
            Convert.ToBase64String(Encoding.UTF8.GetBytes((repo is null ? "repositories" : repo.RegistryId + "/" + repo.Name) + "|" + Guid.NewGuid().ToString("N").Substring(0, 8) + "|" + offset));

        private static EmulatedImage? Match(EmulatedRepository repo, JsonNode id)
        {
            var digest = (string?)id["imageDigest"];
            var tag = (string?)id["imageTag"];
            return repo.Images.FirstOrDefault(i => (digest is null || i.Digest == digest) && (tag is null || i.Tags.Contains(tag)) && (digest is not null || tag is not null));
        }

        private static FaultException Invalid(string message) => new FaultException(new EcrFault(400, "InvalidParameterException", message));

        private static FaultException NotFound(string name, string registryId) =>
            new FaultException(new EcrFault(400, "RepositoryNotFoundException", $"The repository with name '{name}' does not exist in the registry with id '{registryId}'"));

        /// <summary>The registry v2 read API: /v2/, tags/list (n ≤ 1000, Link paging), manifests and blobs; Basic AWS:&lt;password from GetAuthorizationToken&gt;.</summary>
        private async Task Registry(HttpListenerContext context, string path)
        {
            counters.AddOrUpdate("v2", 1, (_, n) => n + 1);
            if (!Authorized(context.Request.Headers["Authorization"]))
            {
                context.Response.AddHeader("WWW-Authenticate", $"Basic realm=\"{Url}\",service=\"ecr.amazonaws.com\"");
                await Reply(context, 401, new JsonObject { ["errors"] = new JsonArray(new JsonObject { ["code"] = "DENIED", ["message"] = "Not Authorized" }) }).ConfigureAwait(false);
                return;
            }

            if (path == "/v2" || path == "/v2/")
            {
                await Reply(context, 200, new JsonObject()).ConfigureAwait(false);
                return;
            }

            var rest = path.Substring(4);
            var match = Regex.Match(rest, "^(?<name>.+)/(?<kind>tags/list|manifests/[^/]+|blobs/[^/]+)$");
            var repo = match.Success ? state.Find(options.Account, match.Groups["name"].Value) : null;
            if (repo is null)
            {
                await Reply(context, 404, new JsonObject { ["errors"] = new JsonArray(new JsonObject { ["code"] = "NAME_UNKNOWN", ["message"] = $"The repository with name '{(match.Success ? match.Groups["name"].Value : rest)}' does not exist in the registry with id '{options.Account}'" }) }).ConfigureAwait(false);
                return;
            }

            var kind = match.Groups["kind"].Value;
            if (kind == "tags/list")
            {
                var query = System.Web.HttpUtility.ParseQueryString(context.Request.Url!.Query);
                var n = 100;
                if (query["n"] is string nText && (!int.TryParse(nText, out n) || n < 1 || n > 1000))
                {
                    await Reply(context, 400, new JsonObject { ["errors"] = new JsonArray(new JsonObject { ["code"] = "UNSUPPORTED", ["message"] = "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'" }) }).ConfigureAwait(false);
                    return;
                }

                var offset = 0;
                if (query["last"] is string last)
                {
                    try
                    {
                        var text = Encoding.UTF8.GetString(Convert.FromBase64String(last));
                        offset = int.Parse(text.Substring(text.LastIndexOf('|') + 1), System.Globalization.CultureInfo.InvariantCulture);
                    }
                    catch (Exception)
                    {
                        await Reply(context, 400, new JsonObject { ["errors"] = new JsonArray(new JsonObject { ["code"] = "PAGINATION_NUMBER_INVALID", ["message"] = "invalid last" }) }).ConfigureAwait(false);
                        return;
                    }
                }

                List<string> tags;
                lock (state.Gate)
                {
                    tags = repo.Images.SelectMany(i => i.Tags).ToList();
                }

                if (offset + n < tags.Count)
                {
                    context.Response.AddHeader("Link", $"</v2/{repo.Name}/tags/list?last={Uri.EscapeDataString(Token(repo, offset + n))}&n={n}>; rel=\"next\"");
                }

                await Reply(context, 200, new JsonObject { ["name"] = repo.Name, ["tags"] = new JsonArray(tags.Skip(offset).Take(n).Select(t => (JsonNode)JsonValue.Create(t)!).ToArray()) }, "text/plain; charset=utf-8").ConfigureAwait(false);
                return;
            }

            var reference = kind.Substring(kind.IndexOf('/') + 1);
            (string MediaType, string Content) blob = default;
            var found = false;
            lock (state.Gate)
            {
                if (kind.StartsWith("manifests/", StringComparison.Ordinal) && !reference.StartsWith("sha256:", StringComparison.Ordinal))
                {
                    var image = repo.Images.FirstOrDefault(i => i.Tags.Contains(reference));
                    if (image is not null)
                    {
                        blob = (image.MediaType, image.Manifest);
                        found = true;
                    }
                }
                else if (state.Blobs.TryGetValue(reference, out var stored))
                {
                    blob = stored;
                    found = true;
                }
            }

            if (!found)
            {
                await Reply(context, 404, new JsonObject { ["errors"] = new JsonArray(new JsonObject { ["code"] = kind.StartsWith("blobs", StringComparison.Ordinal) ? "BLOB_UNKNOWN" : "MANIFEST_UNKNOWN", ["message"] = "Requested image not found" }) }).ConfigureAwait(false);
                return;
            }

            context.Response.AddHeader("Docker-Content-Digest", EcrEmulatorState.Sha256(blob.Content!));
            await ReplyText(context, 200, blob.Content!, blob.MediaType!, context.Request.HttpMethod == "HEAD").ConfigureAwait(false);
        }

        private bool Authorized(string? header)
        {
            if (header is null || !header.StartsWith("Basic ", StringComparison.Ordinal))
            {
                return false;
            }

            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Substring(6).Trim()));
                return decoded.StartsWith("AWS:", StringComparison.Ordinal) && passwords.TryGetValue(decoded.Substring(4), out var expires) && expires > DateTimeOffset.UtcNow;
            }
            catch (FormatException)
            {
                return false;
            }
        }

        private Task ReplyFault(HttpListenerContext context, EcrFault fault)
        {
            Served(context);
            if (fault.Type == "ThrottlingException" && options.RetryAfterSeconds is int seconds)
            {
                context.Response.AddHeader("Retry-After", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            context.Response.AddHeader("x-amzn-ErrorType", fault.Type + ":");
            return Reply(context, fault.Status, new JsonObject { ["__type"] = fault.Type, ["message"] = fault.Message });
        }

        private static Task Reply(HttpListenerContext context, int status, JsonObject body, string contentType = "application/x-amz-json-1.1") =>
            ReplyText(context, status, body.ToJsonString(), contentType, false);

        private static async Task ReplyText(HttpListenerContext context, int status, string text, string contentType, bool headOnly)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            context.Response.AddHeader("x-amzn-RequestId", Guid.NewGuid().ToString());
            context.Response.ContentLength64 = bytes.Length;
            if (!headOnly)
            {
                await context.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
            }

            context.Response.Close();
        }

        private sealed class FaultException : Exception
        {
            public FaultException(EcrFault fault)
                : base(fault.Message)
            {
                Fault = fault;
            }

            public EcrFault Fault { get; }
        }
    }
}
