using System;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace ImageUpdater.Emulators
{
    /// <summary>Base of the HTTP emulators: an HttpListener on 127.0.0.1 and a free port that hands each request to <see cref="HandleAsync"/>, with JSON helpers.</summary>
    public abstract class LoopbackHttpServer : IEmulator
    {
        // Go's encoding/json writes quotes as \" rather than \u0022.
        private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        private readonly HttpListener listener;
        private readonly CancellationTokenSource stop = new CancellationTokenSource();
        private readonly Task loop;

        protected LoopbackHttpServer()
        {
            listener = Listen(out var url);
            Url = url;
            loop = Task.Run(LoopAsync);
        }

        /// <summary>Base URL, ending in '/'.</summary>
        public string Url { get; }

        public abstract string Describe();

        protected abstract Task HandleAsync(HttpListenerContext context);

        public virtual async ValueTask DisposeAsync()
        {
            stop.Cancel();
            LoopbackListener.Shutdown(listener);
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException || ex is ObjectDisposedException || ex is OperationCanceledException)
            {
            }

            GC.SuppressFinalize(this);
        }

        protected static async Task<string> ReadBodyAsync(HttpListenerRequest request)
        {
            using var reader = new System.IO.StreamReader(request.InputStream, request.ContentEncoding ?? Encoding.UTF8);
            return await reader.ReadToEndAsync().ConfigureAwait(false);
        }

        protected static async Task WriteJsonAsync(HttpListenerResponse response, int status, JsonNode body)
        {
            var bytes = Encoding.UTF8.GetBytes(body.ToJsonString(Relaxed));
            response.StatusCode = status;
            response.ContentType = "application/json";
            response.ContentLength64 = bytes.Length;
            await response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
            response.Close();
        }

        /// <summary>The bearer token of a request, or null.</summary>
        protected static string? BearerToken(HttpListenerRequest request)
        {
            var header = request.Headers["Authorization"];
            return header is not null && header.StartsWith("Bearer ", StringComparison.Ordinal) ? header.Substring(7).Trim() : null;
        }

        private static HttpListener Listen(out string url) => LoopbackListener.Start(out url);

        private async Task LoopAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync().ConfigureAwait(false);
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                    return;
                }

                _ = Task.Run(async () =>
                {
                    try
                    {
                        await HandleAsync(context).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        try
                        {
                            await WriteJsonAsync(context.Response, 500, new JsonObject { ["error"] = "emulator: " + ex.Message, ["code"] = 13, ["message"] = "emulator: " + ex.Message }).ConfigureAwait(false);
                        }
                        catch (Exception)
                        {
                            // The client went away; nothing to answer.
                        }
                    }
                });
            }
        }
    }
}
