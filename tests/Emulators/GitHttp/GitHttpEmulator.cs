using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ImageUpdater.Emulators.GitHttp
{
    /// <summary>
    /// Git smart HTTP on loopback: every request runs the real <c>git http-backend</c> as CGI over the bare repositories under --root,
    /// behind HTTP basic auth when --user/--password are given (a missing or wrong password gets 401, as real hosts answer).
    /// Options: --root &lt;dir&gt; (required), --user &lt;name&gt; --password &lt;secret&gt;, --race-every &lt;branch&gt; (each repository once), --race &lt;repo.git&gt;:&lt;branch&gt; (before the first
    /// push advertisement to that branch's repository, land another writer's commit on the branch). GET /_stats returns request counters as JSON.
    /// </summary>
    public sealed class GitHttpEmulator : IEmulator
    {
        private readonly HttpListener listener;
        private readonly string root;
        private readonly string? user;
        private readonly string? password;
        private readonly CancellationTokenSource stop = new CancellationTokenSource();
        private readonly Task loop;
        private readonly object raceSync = new object();
        private string? raceRepository;
        private string? raceBranch;
        private int uploadPacks;
        private int receivePacks;
        private int advertisements;
        private int authFailures;
        private int races;

        // Every git request, and those carrying an Authorization header: the capture for "no credential reaches an unbound host".
        private int requests;
        private int authorizationHeaders;

        // --race-every <branch>: every repository gets one concurrent commit before its first push (reliability benchmarks).
        private string? raceEveryBranch;
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> racedRepositories = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);

        private GitHttpEmulator(HttpListener listener, string url, string root, string? user, string? password)
        {
            this.listener = listener;
            Url = url;
            this.root = root;
            this.user = user;
            this.password = password;
            loop = Task.Run(ServeAsync);
        }

        public string Url { get; }

        /// <summary>POSTs to git-upload-pack (fetches and clones).</summary>
        public int UploadPacks => uploadPacks;

        /// <summary>POSTs to git-receive-pack (pushes).</summary>
        public int ReceivePacks => receivePacks;

        public int Advertisements => advertisements;

        public int AuthFailures => authFailures;

        /// <summary>Concurrent commits landed by --race.</summary>
        public int Races => races;

        [Emulator("git-http")]
        public static Task<IEmulator> Start(string[] options) => Task.FromResult<IEmulator>(Create(options));

        public static GitHttpEmulator Create(string[] options)
        {
            string? root = null, user = null, password = null, race = null, raceEvery = null;
            for (var i = 0; i < options.Length; i++)
            {
                var value = i + 1 < options.Length ? options[i + 1] : throw new ArgumentException($"{options[i]} needs a value.");
                switch (options[i])
                {
                    case "--root": root = value; break;
                    case "--user": user = value; break;
                    case "--password": password = value; break;
                    case "--race": race = value; break;
                    case "--race-every": raceEvery = value; break;
                    default: throw new ArgumentException($"Unknown option {options[i]}; git-http takes --root, --user, --password, --race, --race-every.");
                }

                i++;
            }

            if (root is null || !Directory.Exists(root))
            {
                throw new ArgumentException("git-http needs --root <folder of bare repositories>.");
            }

            var listener = LoopbackListener.Start(out var url);
            var emulator = new GitHttpEmulator(listener, url, Path.GetFullPath(root), user, password);
            if (race is not null)
            {
                emulator.RaceOnce(race);
            }

            emulator.raceEveryBranch = raceEvery;

            return emulator;
        }

        /// <summary>Before the next push advertisement of <c>repo.git</c>, commit to <c>branch</c> as another writer would.</summary>
        public void RaceOnce(string repositoryAndBranch)
        {
            var colon = repositoryAndBranch.LastIndexOf(':');
            lock (raceSync)
            {
                raceRepository = repositoryAndBranch.Substring(0, colon).Trim('/');
                raceBranch = repositoryAndBranch.Substring(colon + 1);
            }
        }

        public string Describe() => JsonSerializer.Serialize(new Dictionary<string, object?> { ["url"] = Url, ["root"] = root });

        public async ValueTask DisposeAsync()
        {
            stop.Cancel();
            LoopbackListener.Shutdown(listener);
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The listener's pending accept fails when it stops.
            }
        }

        private async Task ServeAsync()
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
                catch (HttpListenerException)
                {
                    return;
                }

                _ = Task.Run(() => HandleAsync(context));
            }
        }

        private async Task HandleAsync(HttpListenerContext context)
        {
            var request = context.Request;
            var response = context.Response;
            try
            {
                var path = Uri.UnescapeDataString(request.Url!.AbsolutePath);
                if (path == "/_stats")
                {
                    var json = JsonSerializer.Serialize(new { uploadPacks, receivePacks, advertisements, authFailures, races, requests, authorizationHeaders });
                    await Write(response, 200, "application/json", json).ConfigureAwait(false);
                    return;
                }

                Interlocked.Increment(ref requests);
                if (!string.IsNullOrEmpty(request.Headers["Authorization"]))
                {
                    Interlocked.Increment(ref authorizationHeaders);
                }

                if (path.Contains("/../", StringComparison.Ordinal) || path.EndsWith("/..", StringComparison.Ordinal))
                {
                    await Write(response, 400, "text/plain", "bad path").ConfigureAwait(false);
                    return;
                }

                string? remoteUser = null;
                if (user is not null)
                {
                    remoteUser = Authenticate(request.Headers["Authorization"]);
                    if (remoteUser is null)
                    {
                        Interlocked.Increment(ref authFailures);
                        response.Headers["WWW-Authenticate"] = "Basic realm=\"git-http emulator\"";
                        await Write(response, 401, "text/plain", "Authentication required").ConfigureAwait(false);
                        return;
                    }
                }

                var query = request.Url.Query.TrimStart('?');
                if (path.EndsWith("/info/refs", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref advertisements);
                    if (query.Contains("service=git-receive-pack", StringComparison.Ordinal))
                    {
                        LandRace(path.Substring(0, path.Length - "/info/refs".Length).Trim('/'));
                    }
                }
                else if (path.EndsWith("/git-upload-pack", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref uploadPacks);
                }
                else if (path.EndsWith("/git-receive-pack", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref receivePacks);
                }

                await RunBackend(request, response, path, query, remoteUser).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                try
                {
                    await Write(response, 500, "text/plain", e.Message).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // The client went away.
                }
            }
        }

        private string? Authenticate(string? header)
        {
            if (header is null || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Substring(6).Trim()));
            }
            catch (FormatException)
            {
                return null;
            }

            var colon = decoded.IndexOf(':');
            return colon > 0 && decoded.Substring(0, colon) == user && decoded.Substring(colon + 1) == password ? user : null;
        }

        private async Task RunBackend(HttpListenerRequest request, HttpListenerResponse response, string path, string query, string? remoteUser)
        {
            var psi = new ProcessStartInfo("git", "http-backend")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            psi.Environment["GIT_PROJECT_ROOT"] = root;
            psi.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
            psi.Environment["PATH_INFO"] = path;
            psi.Environment["QUERY_STRING"] = query;
            psi.Environment["REQUEST_METHOD"] = request.HttpMethod;
            psi.Environment["CONTENT_TYPE"] = request.ContentType ?? string.Empty;
            psi.Environment["REMOTE_ADDR"] = "127.0.0.1";
            if (request.ContentLength64 >= 0 && request.HasEntityBody)
            {
                psi.Environment["CONTENT_LENGTH"] = request.ContentLength64.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            if (remoteUser is not null)
            {
                psi.Environment["REMOTE_USER"] = remoteUser;
            }
            else
            {
                // Without a user, http-backend refuses pushes; an emulator without auth accepts them like an open server.
                psi.Environment["GIT_CONFIG_COUNT"] = "1";
                psi.Environment["GIT_CONFIG_KEY_0"] = "http.receivepack";
                psi.Environment["GIT_CONFIG_VALUE_0"] = "true";
            }

            foreach (var (header, variable) in new[] { ("Git-Protocol", "GIT_PROTOCOL"), ("Content-Encoding", "HTTP_CONTENT_ENCODING") })
            {
                if (request.Headers[header] is { } value)
                {
                    psi.Environment[variable] = value;
                }
            }

            using var process = Process.Start(psi)!;
            var feed = Task.Run(async () =>
            {
                await request.InputStream.CopyToAsync(process.StandardInput.BaseStream).ConfigureAwait(false);
                process.StandardInput.Close();
            });
            var errors = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.BaseStream;

            var status = 200;
            string? contentType = null;
            var headers = new List<(string, string)>();
            while (ReadLine(output) is { } line && line.Length > 0)
            {
                var colon = line.IndexOf(':');
                if (colon <= 0)
                {
                    continue;
                }

                var name = line.Substring(0, colon).Trim();
                var value = line.Substring(colon + 1).Trim();
                if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
                {
                    status = int.Parse(value.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                {
                    contentType = value;
                }
                else
                {
                    headers.Add((name, value));
                }
            }

            response.StatusCode = status;
            if (contentType is not null)
            {
                response.ContentType = contentType;
            }

            foreach (var (name, value) in headers)
            {
                response.Headers[name] = value;
            }

            response.SendChunked = true;
            await output.CopyToAsync(response.OutputStream).ConfigureAwait(false);
            await feed.ConfigureAwait(false);
            await errors.ConfigureAwait(false);
            await process.WaitForExitAsync().ConfigureAwait(false);
            response.Close();
        }

        /// <summary>Reads one CGI header line byte by byte, so the body that follows stays in the stream.</summary>
        private static string? ReadLine(Stream stream)
        {
            var bytes = new List<byte>();
            while (true)
            {
                var b = stream.ReadByte();
                if (b < 0)
                {
                    return bytes.Count == 0 ? null : Encoding.ASCII.GetString(bytes.ToArray());
                }

                if (b == '\n')
                {
                    return Encoding.ASCII.GetString(bytes.ToArray()).TrimEnd('\r');
                }

                bytes.Add((byte)b);
            }
        }

        private void LandRace(string repository)
        {
            string branch;
            if (raceEveryBranch is not null && racedRepositories.TryAdd(repository, true))
            {
                LandCommit(Path.Combine(root, repository), raceEveryBranch);
                Interlocked.Increment(ref races);
                return;
            }

            lock (raceSync)
            {
                if (raceRepository is null || !string.Equals(raceRepository, repository, StringComparison.Ordinal))
                {
                    return;
                }

                branch = raceBranch!;
                raceRepository = null;
            }

            LandCommit(Path.Combine(root, repository), branch);
            Interlocked.Increment(ref races);
        }

        /// <summary>Commits a change of concurrent-writer.txt to <paramref name="branch"/> of a bare repository, as another writer's push would.</summary>
        public static void LandCommit(string bareRepository, string branch)
        {
            var work = Path.Combine(Path.GetTempPath(), "git-http-race-" + Guid.NewGuid().ToString("N"));
            try
            {
                Git(null, "clone", "--quiet", "--branch", branch, bareRepository, work);
                File.WriteAllText(Path.Combine(work, "concurrent-writer.txt"), "landed at " + DateTime.UtcNow.ToString("O") + " " + Guid.NewGuid().ToString("N") + "\n");
                Git(work, "add", "concurrent-writer.txt");
                Git(work, "-c", "user.name=Concurrent Writer", "-c", "user.email=writer@example.com", "commit", "--quiet", "-m", "concurrent change");
                Git(work, "push", "--quiet", "origin", branch);
            }
            finally
            {
                try
                {
                    Directory.Delete(work, true);
                }
                catch (IOException)
                {
                    // A temporary folder left behind is harmless.
                }
            }
        }

        /// <summary>Runs the git CLI and returns its output; a non-zero exit throws with git's message.</summary>
        public static string Git(string? directory, params string[] args)
        {
            var psi = new ProcessStartInfo("git") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true, StandardOutputEncoding = Encoding.UTF8 };
            if (directory is not null)
            {
                psi.WorkingDirectory = directory;
            }

            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"git {string.Join(" ", args)} failed: {stderr}");
            }

            return stdout.Result;
        }

        private static async Task Write(HttpListenerResponse response, int status, string contentType, string body)
        {
            response.StatusCode = status;
            response.ContentType = contentType;
            var bytes = Encoding.UTF8.GetBytes(body);
            response.ContentLength64 = bytes.Length;
            await response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
            response.Close();
        }
    }
}
