using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace ImageUpdater.Emulators.AzureIdentity
{
    /// <summary>
    /// An Azure managed identity token service on loopback (../shared/data/api-models/azure-managed-identity-excerpt.json).
    /// --mode endpoint: the IDENTITY_ENDPOINT protocol of Automation/App Service — X-IDENTITY-HEADER must equal --header,
    /// api-version 2019-08-01 or later, GET with ?resource= or POST form. --mode imds: /metadata/identity/oauth2/token with
    /// 'Metadata: true' in lower case, api-version 2018-02-01 or later, no X-Forwarded-For. Both need resource; --client-id
    /// adds a user-assigned identity (an unknown client_id is refused); --issue is the token handed out for --audience (any
    /// other resource gets a different token, which STS then refuses); --expires-in seconds.
    /// </summary>
    public sealed class AzureIdentityEmulator : LoopbackHttpServer
    {
        private readonly string mode;
        private readonly string? header;
        private readonly string issue;
        private readonly string audience;
        private readonly string? clientId;
        private readonly int expiresIn;
        private int tokens;
        private int refused;

        private AzureIdentityEmulator(string mode, string? header, string issue, string audience, string? clientId, int expiresIn)
        {
            this.mode = mode;
            this.header = header;
            this.issue = issue;
            this.audience = audience;
            this.clientId = clientId;
            this.expiresIn = expiresIn;
        }

        [Emulator("azure-identity")]
        public static Task<IEmulator> Start(string[] options)
        {
            string mode = "endpoint", audience = "api://AzureADTokenExchange";
            string? header = null, issue = null, clientId = null;
            var expiresIn = 3600;
            for (var i = 0; i + 1 < options.Length; i += 2)
            {
                switch (options[i])
                {
                    case "--mode": mode = options[i + 1]; break;
                    case "--header": header = options[i + 1]; break;
                    case "--issue": issue = options[i + 1]; break;
                    case "--audience": audience = options[i + 1]; break;
                    case "--client-id": clientId = options[i + 1]; break;
                    case "--expires-in": expiresIn = int.Parse(options[i + 1], CultureInfo.InvariantCulture); break;
                    default: throw new ArgumentException($"Unknown azure-identity option '{options[i]}'.");
                }
            }

            if (issue is null || (mode != "endpoint" && mode != "imds") || (mode == "endpoint" && header is null))
            {
                throw new ArgumentException("azure-identity needs --issue <token> and --mode endpoint (with --header <value>) or --mode imds.");
            }

            return Task.FromResult<IEmulator>(new AzureIdentityEmulator(mode, header, issue, audience, clientId, expiresIn));
        }

        public override string Describe() => JsonSerializer.Serialize(new Dictionary<string, object> { ["url"] = Url, ["kind"] = "azure-identity", ["mode"] = mode });

        protected override async Task HandleAsync(HttpListenerContext context)
        {
            var request = context.Request;
            var response = context.Response;
            if (request.Url!.AbsolutePath == "/__emulator/stats")
            {
                await WriteJsonAsync(response, 200, new JsonObject { ["tokens"] = tokens, ["refused"] = refused }).ConfigureAwait(false);
                return;
            }

            var parameters = Parse(request.Url.Query.TrimStart('?'));
            if (request.HttpMethod == "POST" && mode == "endpoint")
            {
                // Automation's POST form: resource and client_id in an x-www-form-urlencoded body.
                if (request.ContentType is null || !request.ContentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
                {
                    await Refuse(response, 400, "invalid_request", "Content Type for the Post request must be 'application/x-www-form-urlencoded'.").ConfigureAwait(false);
                    return;
                }

                foreach (var pair in Parse(await ReadBodyAsync(request).ConfigureAwait(false)))
                {
                    parameters[pair.Key] = pair.Value;
                }
            }
            else if (request.HttpMethod != "GET")
            {
                await Refuse(response, 405, "invalid_request", "Only GET" + (mode == "endpoint" ? " and POST are" : " is") + " supported.").ConfigureAwait(false);
                return;
            }

            var problem = mode == "imds" ? CheckImds(request, parameters) : CheckEndpoint(request, parameters);
            if (problem is not null)
            {
                await Refuse(response, problem.Value.Status, "invalid_request", problem.Value.Message).ConfigureAwait(false);
                return;
            }

            parameters.TryGetValue("client_id", out var askedClient);
            if (!string.IsNullOrEmpty(askedClient) && !string.Equals(askedClient, clientId, StringComparison.OrdinalIgnoreCase))
            {
                await Refuse(response, 400, "invalid_request", "Identity not found").ConfigureAwait(false);
                return;
            }

            var resource = parameters["resource"];
            Interlocked.Increment(ref tokens);
            var expiresOn = DateTimeOffset.UtcNow.AddSeconds(expiresIn).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            await WriteJsonAsync(response, 200, new JsonObject
            {
                ["access_token"] = resource == audience ? issue : "token-for-" + resource,
                ["expires_on"] = expiresOn,
                ["expires_in"] = expiresIn.ToString(CultureInfo.InvariantCulture),
                ["resource"] = resource,
                ["token_type"] = "Bearer",
                ["client_id"] = string.IsNullOrEmpty(askedClient) ? "00000000-0000-0000-0000-0000000000aa" : askedClient,
            }).ConfigureAwait(false);
        }

        private (int Status, string Message)? CheckEndpoint(HttpListenerRequest request, Dictionary<string, string> parameters)
        {
            if (request.Headers["X-IDENTITY-HEADER"] != header)
            {
                return (401, "The X-IDENTITY-HEADER header is missing or wrong.");
            }

            if (!parameters.TryGetValue("api-version", out var version) || string.CompareOrdinal(version, "2019-08-01") < 0)
            {
                return (400, "api-version is missing or not supported: use 2019-08-01 or later.");
            }

            return parameters.TryGetValue("resource", out var resource) && resource.Length > 0 ? null : (400, "A resource must be passed along with the request.");
        }

        private static (int Status, string Message)? CheckImds(HttpListenerRequest request, Dictionary<string, string> parameters)
        {
            if (request.Url!.AbsolutePath != "/metadata/identity/oauth2/token")
            {
                return (404, "Not found.");
            }

            if (request.Headers["Metadata"] != "true")
            {
                return (400, "Required metadata header not specified");
            }

            if (request.Headers["X-Forwarded-For"] is not null)
            {
                return (400, "Request with X-Forwarded-For header is not allowed.");
            }

            if (!parameters.TryGetValue("api-version", out var version) || string.CompareOrdinal(version, "2018-02-01") < 0)
            {
                return (400, "Missing or invalid api-version: use 2018-02-01 or later.");
            }

            return parameters.TryGetValue("resource", out var resource) && resource.Length > 0 ? null : (400, "Required audience parameter not specified");
        }

        private Task Refuse(HttpListenerResponse response, int status, string error, string description)
        {
            Interlocked.Increment(ref refused);
            return WriteJsonAsync(response, status, new JsonObject { ["error"] = error, ["error_description"] = description });
        }

        private static Dictionary<string, string> Parse(string text)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=');
                values[WebUtility.UrlDecode(eq < 0 ? pair : pair.Substring(0, eq))] = eq < 0 ? string.Empty : WebUtility.UrlDecode(pair.Substring(eq + 1));
            }

            return values;
        }
    }
}
