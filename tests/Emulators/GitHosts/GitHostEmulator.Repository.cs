using System;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Tasks;

namespace ImageUpdater.Emulators.GitHosts
{
    /// <summary>
    /// The commit side of the host stand-ins: the bare repository behind them (--bare) and the test hooks
    /// <c>POST /_emulator/race?path=P&amp;content=C</c> (the next ref move of a client is preceded by a commit of C to P on that branch),
    /// <c>POST /_emulator/read-only</c> (the token loses its write rights) and <c>GET /_emulator/refs</c> (the ref moves accepted, and how).
    /// </summary>
    public abstract partial class GitHostEmulator
    {
        /// <summary>The bare repository behind the commit, ref and file endpoints; null when the stand-in serves pull requests only.</summary>
        public HostRepository? Backing { get; }

        protected static string Base64(byte[] bytes) => Convert.ToBase64String(bytes);

        protected static byte[]? FromBase64(string? text)
        {
            try
            {
                return text is null ? null : Convert.FromBase64String(text);
            }
            catch (FormatException)
            {
                return null;
            }
        }

        private async Task RepositoryAdminAsync(HttpListenerContext context, string path)
        {
            var request = context.Request;
            if (path == "/_emulator/read-only" && request.HttpMethod == "POST")
            {
                ReadOnly = true;
            }
            else if (path == "/_emulator/race" && request.HttpMethod == "POST" && Backing is not null)
            {
                Backing.Race = (request.QueryString["path"] ?? "concurrent.txt", request.QueryString["content"] ?? "concurrent\n");
            }
            else if (path != "/_emulator/refs" || Backing is null)
            {
                await WriteJsonAsync(context.Response, 404, new JsonObject { ["message"] = "no such emulator hook" }).ConfigureAwait(false);
                return;
            }

            var updates = new JsonArray();
            foreach (var u in Backing?.RefUpdates.ToArray() ?? Array.Empty<HostRefUpdate>())
            {
                updates.Add(new JsonObject { ["method"] = u.Method, ["branch"] = u.Branch, ["old"] = u.OldSha, ["new"] = u.NewSha, ["force"] = u.Force });
            }

            await WriteJsonAsync(context.Response, 200, new JsonObject { ["updates"] = updates, ["races"] = Backing?.RacesRun ?? 0, ["readOnly"] = ReadOnly, ["requests"] = Requests }).ConfigureAwait(false);
        }
    }
}
