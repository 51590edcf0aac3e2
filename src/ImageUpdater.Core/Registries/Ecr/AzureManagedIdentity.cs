using System;
using System.Globalization;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ImageUpdater.Core.Registries.Ecr
{
    /// <summary>
    /// An Entra ID token from the Azure managed identity of the place the module runs: the local token service named by
    /// IDENTITY_ENDPOINT/IDENTITY_HEADER (Azure Automation, Hybrid Runbook Workers, App Service) or, without them, the VM's
    /// instance metadata service (IMDS; AZURE_POD_IDENTITY_AUTHORITY_HOST moves it, as in the Azure SDKs). ToString shows no token.
    /// </summary>
    public sealed class AzureManagedIdentity
    {
        /// <summary>The audience AWS IAM OIDC providers for Entra ID are usually set up with (Entra's token exchange application).</summary>
        public const string DefaultAudience = "api://AzureADTokenExchange";

        public const string EndpointVariable = "IDENTITY_ENDPOINT";
        public const string HeaderVariable = "IDENTITY_HEADER";
        public const string ImdsHostVariable = "AZURE_POD_IDENTITY_AUTHORITY_HOST";

        // The versions Azure's own SDKs send: the identity-header protocol needs 2019-08-01 or later, IMDS 2018-02-01 or later.
        public const string EndpointApiVersion = "2019-08-01";
        public const string ImdsApiVersion = "2018-02-01";

        private const string ImdsHost = "http://169.254.169.254";

        private readonly Func<string, string?> environment;

        /// <param name="environment">Reads an environment variable (tests pass their own; default: the process environment).</param>
        public AzureManagedIdentity(string? clientId = null, string? audience = null, Func<string, string?>? environment = null)
        {
            this.environment = environment ?? Environment.GetEnvironmentVariable;
            ClientId = string.IsNullOrWhiteSpace(clientId) ? null : clientId!.Trim();
            Audience = string.IsNullOrWhiteSpace(audience) ? DefaultAudience : audience!.Trim();
        }

        /// <summary>Client ID of a user-assigned identity; null for the system-assigned one.</summary>
        public string? ClientId { get; }

        /// <summary>The resource (audience) the token is for: what the AWS OIDC provider lists as its audience.</summary>
        public string Audience { get; }

        /// <summary>The token request: URL, the X-IDENTITY-HEADER value (null for IMDS) and which service answers, for -Verbose.</summary>
        public (Uri Url, string? IdentityHeader, string Source) ResolveRequest()
        {
            var endpoint = environment(EndpointVariable);
            var header = environment(HeaderVariable);
            var query = "resource=" + Uri.EscapeDataString(Audience) + (ClientId is null ? string.Empty : "&client_id=" + Uri.EscapeDataString(ClientId));
            if (!string.IsNullOrWhiteSpace(endpoint))
            {
                if (!Uri.TryCreate(endpoint!.Trim(), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                {
                    throw new ImageUpdaterException("AzureIdentityEndpointInvalid", FailureKind.InvalidArgument,
                        $"{EndpointVariable} '{endpoint}' is not an http(s) URL: it is set by Azure Automation and App Service; unset it to use the VM's metadata service.", EndpointVariable);
                }

                if (string.IsNullOrEmpty(header))
                {
                    throw new ImageUpdaterException("AzureIdentityHeaderMissing", FailureKind.AuthenticationError,
                        $"{EndpointVariable} is set but {HeaderVariable} is not: enable the managed identity of the Automation account (Identity → System assigned → On) or of the App Service.", EndpointVariable);
                }

                var builder = new UriBuilder(url) { Query = (url.Query.Length > 1 ? url.Query.Substring(1) + "&" : string.Empty) + "api-version=" + EndpointApiVersion + "&" + query };
                return (builder.Uri, header, EndpointVariable + " (Azure Automation / App Service identity endpoint)");
            }

            var host = environment(ImdsHostVariable);
            var root = string.IsNullOrWhiteSpace(host) ? ImdsHost : host!.Trim().TrimEnd('/');
            return (new Uri(root + "/metadata/identity/oauth2/token?api-version=" + ImdsApiVersion + "&" + query), null, "the instance metadata service (" + root + ")");
        }

        /// <summary>Asks the identity endpoint for a token; failures become errors that say how to enable the identity.</summary>
        public async Task<AzureIdentityToken> GetTokenAsync(HttpMessageHandler? transport = null, CancellationToken cancellationToken = default)
        {
            var (url, identityHeader, source) = ResolveRequest();
            using var http = transport is null ? new HttpClient() : new HttpClient(transport, disposeHandler: false);
            http.Timeout = TimeSpan.FromSeconds(30);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Metadata", "true");
            if (identityHeader is not null)
            {
                request.Headers.TryAddWithoutValidation("X-IDENTITY-HEADER", identityHeader);
            }

            string body;
            int status;
            try
            {
                using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                status = (int)response.StatusCode;
                body = response.Content is null ? string.Empty : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                throw new ImageUpdaterException("AzureIdentityUnreachable", FailureKind.ConnectionError,
                    $"No Azure managed identity answered at {source}: {ex.Message}. Run in an Azure Automation account or on an Azure VM/Arc machine with a managed identity, or use another AWS credential.", Describe(), ex);
            }

            if (status != 200)
            {
                // The endpoint's message ("No managed identity was found …", "Identity not found") is the remedy; it holds no token.
                var detail = body.Length > 300 ? body.Substring(0, 300) + "…" : body;
                throw new ImageUpdaterException("AzureIdentityRefused", status is 400 or 401 or 403 or 404 ? FailureKind.AuthenticationError : FailureKind.ResourceUnavailable,
                    $"The Azure managed identity endpoint ({source}) answered {status} for {Describe()}: {detail.Trim()} Enable the identity (Automation account → Identity), check -AzureClientId, and that the audience '{Audience}' is allowed.", Describe());
            }

            return AzureIdentityToken.Parse(body, Describe());
        }

        /// <summary>Which identity and audience, for messages (no secret).</summary>
        public string Describe() => (ClientId is null ? "the system-assigned identity" : "the user-assigned identity " + ClientId) + " for '" + Audience + "'";

        public override string ToString() => Describe();
    }

    /// <summary>An Entra ID access token and when it expires; ToString never shows the token.</summary>
    public sealed class AzureIdentityToken
    {
        public AzureIdentityToken(string accessToken, DateTimeOffset expiresOn)
        {
            AccessToken = accessToken;
            ExpiresOn = expiresOn;
        }

        internal string AccessToken { get; }

        public DateTimeOffset ExpiresOn { get; }

        /// <summary>The JSON answer: access_token, and expires_on as epoch seconds (a string in Azure's examples) or expires_in.</summary>
        public static AzureIdentityToken Parse(string json, string identity)
        {
            try
            {
                using var doc = JsonDocument.Parse(json);
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("access_token", out var token) || token.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(token.GetString()))
                {
                    throw new ImageUpdaterException("AzureIdentityAnswerInvalid", FailureKind.InvalidData, $"The Azure managed identity endpoint gave no access_token for {identity}.", identity);
                }

                var expires = Seconds(root, "expires_on") is { } on ? DateTimeOffset.FromUnixTimeSeconds(on)
                    : Seconds(root, "expires_in") is { } inSeconds ? DateTimeOffset.UtcNow.AddSeconds(inSeconds)
                    : DateTimeOffset.UtcNow.AddMinutes(5);
                return new AzureIdentityToken(token.GetString()!, expires);
            }
            catch (JsonException ex)
            {
                throw new ImageUpdaterException("AzureIdentityAnswerInvalid", FailureKind.InvalidData, $"The Azure managed identity endpoint's answer for {identity} is not JSON.", identity, ex);
            }
        }

        private static long? Seconds(JsonElement root, string name)
        {
            if (!root.TryGetProperty(name, out var value))
            {
                return null;
            }

            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
            {
                return number;
            }

            return value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
        }

        public override string ToString() => "Entra ID token (expires " + ExpiresOn.ToString("u", CultureInfo.InvariantCulture) + ")";
    }
}
