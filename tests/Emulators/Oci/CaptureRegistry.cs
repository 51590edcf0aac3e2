using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Tasks;

namespace ImageUpdater.Emulators.Oci
{
    /// <summary>
    /// A hostile or untrusted registry on loopback that records every request with its Authorization header, so tests can assert
    /// which credentials arrived. Options: <c>--auth none|basic|bearer</c> (the challenge it answers 401 with), <c>--realm url</c>
    /// (the Bearer realm; default its own <c>/token</c>), <c>--tags '["1.0.0","x"]'</c> (any text, unvalidated). <c>GET /token</c>
    /// issues a token to anyone; <c>GET /__capture/requests</c> returns the log. Hostile listings, by repository name: <c>--endless repo</c>
    /// pages forever (1 000 fresh tags and a <c>Link</c> per page), <c>--huge repo=N</c> answers one page of N tags, <c>--slow repo=S</c>
    /// answers after S seconds.
    /// </summary>
    public sealed class CaptureRegistry : LoopbackHttpServer
    {
        private readonly List<JsonObject> log = new List<JsonObject>();

        private CaptureRegistry(string[] options)
        {
            string? Option(string name) => Array.IndexOf(options, name) is var i && i >= 0 && i + 1 < options.Length ? options[i + 1] : null;
            Auth = Option("--auth") ?? "basic";
            Realm = Option("--realm") ?? Url + "token";
            Endless = Option("--endless");
            Huge = Option("--huge")?.Split('=') is { Length: 2 } huge ? (huge[0], int.Parse(huge[1], System.Globalization.CultureInfo.InvariantCulture)) : null;
            Slow = Option("--slow")?.Split('=') is { Length: 2 } slow ? (slow[0], double.Parse(slow[1], System.Globalization.CultureInfo.InvariantCulture)) : null;
            Tags = Option("--tags") is { } tags ? JsonNode.Parse(tags)!.AsArray().Select(t => t!.GetValue<string>()).ToArray() : new[] { "1.0.0", "1.1.0" };
        }

        public string Auth { get; }

        public string Realm { get; }

        public IReadOnlyList<string> Tags { get; }

        public string? Endless { get; }

        public (string Repository, int Count)? Huge { get; }

        public (string Repository, double Seconds)? Slow { get; }

        [Emulator("capture-registry")]
        public static Task<IEmulator> Start(string[] options) => Task.FromResult<IEmulator>(new CaptureRegistry(options));

        public static CaptureRegistry Create(params string[] options) => new CaptureRegistry(options);

        /// <summary>Authorization headers received so far (null for none), in order.</summary>
        public IReadOnlyList<string?> Authorizations
        {
            get
            {
                lock (log)
                {
                    return log.Select(r => (string?)r["authorization"]?.GetValue<string>()).ToList();
                }
            }
        }

        public override string Describe() => new JsonObject { ["url"] = Url, ["host"] = new Uri(Url).Authority }.ToJsonString();

        protected override async Task HandleAsync(HttpListenerContext context)
        {
            var request = context.Request;
            var response = context.Response;
            var path = request.Url!.AbsolutePath;
            if (path == "/__capture/requests")
            {
                JsonArray all;
                lock (log)
                {
                    all = new JsonArray(log.Select(r => (JsonNode)r.DeepClone()).ToArray());
                }

                await WriteJsonAsync(response, 200, new JsonObject { ["requests"] = all }).ConfigureAwait(false);
                return;
            }

            var authorization = request.Headers["Authorization"];
            lock (log)
            {
                log.Add(new JsonObject { ["method"] = request.HttpMethod, ["path"] = request.Url.PathAndQuery, ["authorization"] = authorization });
            }

            if (path == "/token")
            {
                await WriteJsonAsync(response, 200, new JsonObject { ["token"] = "capture-token", ["expires_in"] = 300 }).ConfigureAwait(false);
                return;
            }

            var authorized = Auth switch
            {
                "none" => true,
                "bearer" => authorization is not null && authorization.StartsWith("Bearer ", StringComparison.Ordinal),
                _ => authorization is not null && authorization.StartsWith("Basic ", StringComparison.Ordinal),
            };
            if (!authorized)
            {
                response.AddHeader("WWW-Authenticate", Auth == "bearer" ? $"Bearer realm=\"{Realm}\",service=\"capture\"" : "Basic realm=\"capture\"");
                await WriteJsonAsync(response, 401, new JsonObject { ["errors"] = new JsonArray(new JsonObject { ["code"] = "UNAUTHORIZED" }) }).ConfigureAwait(false);
                return;
            }

            if (path == "/v2/" || path == "/v2")
            {
                await WriteJsonAsync(response, 200, new JsonObject()).ConfigureAwait(false);
                return;
            }

            if (path.StartsWith("/v2/", StringComparison.Ordinal) && path.EndsWith("/tags/list", StringComparison.Ordinal))
            {
                var name = path.Substring(4, path.Length - 4 - "/tags/list".Length);
                if (name == Endless)
                {
                    var page = int.TryParse(request.QueryString["page"], out var p) ? p : 0;
                    response.AddHeader("Link", $"</v2/{name}/tags/list?n=1000&page={page + 1}>; rel=\"next\"");
                    await WriteJsonAsync(response, 200, new JsonObject { ["name"] = name, ["tags"] = new JsonArray(Enumerable.Range(page * 1000, 1000).Select(i => (JsonNode)JsonValue.Create($"0.{page}.{i}")!).ToArray()) }).ConfigureAwait(false);
                    return;
                }

                if (Huge is { } huge && name == huge.Repository)
                {
                    // Streamed: the emulator does not hold the page it sends.
                    response.StatusCode = 200;
                    response.ContentType = "application/json";
                    response.SendChunked = true;
                    try
                    {
                        using var writer = new System.IO.StreamWriter(response.OutputStream, new System.Text.UTF8Encoding(false), 1 << 16);
                        await writer.WriteAsync("{\"name\":\"" + name + "\",\"tags\":[").ConfigureAwait(false);
                        for (var i = 0; i < huge.Count; i++)
                        {
                            await writer.WriteAsync((i == 0 ? "\"" : ",\"") + "1.0." + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\"").ConfigureAwait(false);
                        }

                        await writer.WriteAsync("]}").ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is HttpListenerException || e is System.IO.IOException || e is ObjectDisposedException || e is InvalidOperationException)
                    {
                        // The client stopped reading (its byte limit): that is the point.
                    }

                    try
                    {
                        response.Close();
                    }
                    catch (Exception e) when (e is HttpListenerException || e is ObjectDisposedException || e is InvalidOperationException)
                    {
                    }

                    return;
                }

                if (Slow is { } slow && name == slow.Repository)
                {
                    await Task.Delay(TimeSpan.FromSeconds(slow.Seconds)).ConfigureAwait(false);
                }

                await WriteJsonAsync(response, 200, new JsonObject { ["name"] = name, ["tags"] = new JsonArray(Tags.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray()) }).ConfigureAwait(false);
                return;
            }

            await WriteJsonAsync(response, 404, new JsonObject { ["errors"] = new JsonArray(new JsonObject { ["code"] = "MANIFEST_UNKNOWN" }) }).ConfigureAwait(false);
        }
    }
}
