using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using LibGit2Sharp;

namespace ImageUpdater.Core.WriteBack.Git
{
    /// <summary>
    /// git's smart HTTP protocol over HttpClient in place of libgit2's own sockets, whose blocking reads cannot be interrupted: every
    /// request and every read waits on the running call's cancellation token and its timeout, and a cancelled or timed-out wait
    /// drops the connection at once. Registered for http:// and https:// once per process; a call gets its token and timeout from
    /// <see cref="Enter"/> on the thread that runs it (libgit2 calls the transport on that thread).
    /// Credentials: none is sent until the server answers 401; then the call's own credential callback is asked (so GitCredentials'
    /// binding of a credential to its hosts holds), once. Redirects: only of the first request (the ref listing), at most five, to
    /// the same host (http → https allowed); later requests go to where the listing was found. Proxies: the .NET defaults
    /// (HTTP_PROXY, HTTPS_PROXY, NO_PROXY; on .NET Framework the system's settings); git's http.proxy is not read.
    /// </summary>
    internal sealed class GitHttpTransport : RpcSmartSubtransport
    {
        private const int MaxRedirects = 5;

        [ThreadStatic]
        private static Scope? current;

        private static readonly object Gate = new object();
        private static readonly HttpClient Client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        private static bool registered;

        private readonly Scope scope = current ?? new Scope(CancellationToken.None, TimeSpan.FromSeconds(60));
        private string? header;
        private string? redirectedBase;

        /// <summary>
        /// Registers the transport (once) and binds the calling thread's git network calls to <paramref name="token"/> and
        /// <paramref name="timeout"/> until disposed; the handle keeps the transport's own failure (libgit2 1.8 may lose its text).
        /// </summary>
        public static Call Enter(CancellationToken token, TimeSpan timeout, Action<string>? warning)
        {
            Register(warning);
            var previous = current;
            var scope = new Scope(token, timeout <= TimeSpan.Zero ? System.Threading.Timeout.InfiniteTimeSpan : timeout);
            current = scope;
            return new Call(scope, previous);
        }

        private static void Register(Action<string>? warning)
        {
            lock (Gate)
            {
                if (registered)
                {
                    return;
                }

                registered = true;
                try
                {
                    GlobalSettings.RegisterSmartSubtransport<GitHttpTransport>("http");
                    GlobalSettings.RegisterSmartSubtransport<GitHttpTransport>("https");
                }
                catch (Exception e) when (e is LibGit2SharpException || e is InvalidOperationException)
                {
                    warning?.Invoke($"Cannot route git over http through .NET ({e.Message}); a git server that stops answering holds the run until the timeout, even when it is stopped.");
                }
            }
        }

        protected override SmartSubtransportStream Action(string url, GitSmartSubtransportAction action) => action switch
        {
            GitSmartSubtransportAction.UploadPackList => new Request(this, url, "/info/refs?service=git-upload-pack", null),
            GitSmartSubtransportAction.UploadPack => new Request(this, url, "/git-upload-pack", "application/x-git-upload-pack-request"),
            GitSmartSubtransportAction.ReceivePackList => new Request(this, url, "/info/refs?service=git-receive-pack", null),
            GitSmartSubtransportAction.ReceivePack => new Request(this, url, "/git-receive-pack", "application/x-git-receive-pack-request"),
            _ => throw new InvalidOperationException("unknown git smart protocol action " + action),
        };

        /// <summary>Sends one request (its body buffered from libgit2's writes), answering a 401 with the call's credential once.</summary>
        private HttpResponseMessage Send(string url, string suffix, string? contentType, byte[] body)
        {
            var target = (redirectedBase ?? url.TrimEnd('/')) + suffix;
            var redirects = 0;
            while (true)
            {
                using var request = new HttpRequestMessage(contentType is null ? HttpMethod.Get : HttpMethod.Post, target);
                request.Headers.UserAgent.ParseAdd("git/2.0 (ImageUpdater.PS)");
                request.Headers.Pragma.ParseAdd("no-cache");
                if (header is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Basic", header);
                }

                if (contentType is not null)
                {
                    request.Content = new ByteArrayContent(body);
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
                    request.Headers.Accept.ParseAdd(contentType.Replace("-request", "-result"));
                }

                var response = Wait(token => Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token), request.RequestUri!, null);
                var status = (int)response.StatusCode;
                if (status == 401)
                {
                    response.Dispose();
                    if (header is not null)
                    {
                        throw new IOException($"401 authentication failed for {request.RequestUri!.Host}: the server refused the credential (too many authentication replays)");
                    }

                    var asked = AcquireCredentials(out var credential, null!, typeof(UsernamePasswordCredentials));
                    if (asked != 0 || credential is not UsernamePasswordCredentials password)
                    {
                        throw new IOException($"401 authentication required by {request.RequestUri!.Host}, and no credential is bound to it");
                    }

                    header = Convert.ToBase64String(Encoding.UTF8.GetBytes(password.Username + ":" + password.Password));
                    continue;
                }

                if (status is 301 or 302 or 303 or 307 or 308 && contentType is null && response.Headers.Location is { } location)
                {
                    response.Dispose();
                    var next = location.IsAbsoluteUri ? location : new Uri(request.RequestUri!, location);
                    var from = request.RequestUri!;
                    if (++redirects > MaxRedirects || !string.Equals(next.Host, from.Host, StringComparison.OrdinalIgnoreCase)
                        || !(next.Scheme == from.Scheme || (from.Scheme == Uri.UriSchemeHttp && next.Scheme == Uri.UriSchemeHttps)))
                    {
                        throw new IOException($"{from.Host} redirected the request to {next.Scheme}://{next.Authority}, which is not followed (only the same host, at most {MaxRedirects} times)");
                    }

                    target = next.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.UserInfo, UriFormat.UriEscaped);
                    var at = target.IndexOf(suffix.Substring(0, suffix.IndexOf('?') < 0 ? suffix.Length : suffix.IndexOf('?')), StringComparison.Ordinal);
                    redirectedBase = at > 0 ? target.Substring(0, at) : redirectedBase;
                    continue;
                }

                if (status < 200 || status > 299)
                {
                    response.Dispose();
                    throw new IOException(status == 404 ? $"404 repository not found at {request.RequestUri!.Host}" : $"unexpected http status code {status} from {request.RequestUri!.Host}");
                }

                return response;
            }
        }

        /// <summary>Waits for <paramref name="start"/> until the call's token or timeout ends it; then <paramref name="abort"/> drops the connection.</summary>
        private T Wait<T>(Func<CancellationToken, Task<T>> start, Uri uri, IDisposable? abort)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(scope.Token);
            if (scope.Timeout != System.Threading.Timeout.InfiniteTimeSpan)
            {
                limit.CancelAfter(scope.Timeout);
            }

            var task = start(limit.Token);
            try
            {
                task.Wait(limit.Token);
                return task.Result;
            }
            catch (OperationCanceledException)
            {
                abort?.Dispose();
                _ = task.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
                scope.Token.ThrowIfCancellationRequested();
                throw new IOException($"{uri.Host} timed out: no answer in {scope.Timeout.TotalSeconds:0} s");
            }
            catch (AggregateException e) when (e.InnerException is HttpRequestException or IOException or TaskCanceledException)
            {
                scope.Token.ThrowIfCancellationRequested();
                throw e.InnerException is TaskCanceledException
                    ? new IOException($"{uri.Host} timed out: no answer in {scope.Timeout.TotalSeconds:0} s")
                    : new IOException($"failed to connect to {uri.Host}: {e.InnerException.Message}", e.InnerException);
            }
        }

        /// <summary>One request of the protocol: libgit2 writes its body, then reads the answer.</summary>
        private sealed class Request : SmartSubtransportStream
        {
            private readonly GitHttpTransport owner;
            private readonly string url;
            private readonly string suffix;
            private readonly string? contentType;
            private readonly MemoryStream body = new MemoryStream();
            private HttpResponseMessage? response;
            private Stream? content;

            public Request(GitHttpTransport owner, string url, string suffix, string? contentType)
                : base(owner)
            {
                this.owner = owner;
                this.url = url;
                this.suffix = suffix;
                this.contentType = contentType;
            }

            public override int Write(Stream dataStream, long length)
            {
                var buffer = new byte[81920];
                while (length > 0)
                {
                    var read = dataStream.Read(buffer, 0, (int)Math.Min(buffer.Length, length));
                    if (read == 0)
                    {
                        throw new EndOfStreamException("libgit2 gave fewer bytes than it announced");
                    }

                    body.Write(buffer, 0, read);
                    length -= read;
                }

                return 0;
            }

            public override int Read(Stream dataStream, long length, out long bytesRead)
            {
                try
                {
                    return ReadSome(dataStream, length, out bytesRead);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    owner.scope.Failure ??= e is AggregateException { InnerException: { } inner } ? inner : e;
                    throw;
                }
            }

            private int ReadSome(Stream dataStream, long length, out long bytesRead)
            {
                if (content is null)
                {
                    response = owner.Send(url, suffix, contentType, body.ToArray());
                    var sent = response;
                    content = owner.Wait(_ => sent.Content.ReadAsStreamAsync(), sent.RequestMessage?.RequestUri ?? new Uri(url), sent);
                }

                var buffer = new byte[(int)Math.Min(length, 65536)];
                var stream = content;
                var n = owner.Wait(token => stream.ReadAsync(buffer, 0, buffer.Length, token), response!.RequestMessage?.RequestUri ?? new Uri(url), response);
                dataStream.Write(buffer, 0, n);
                bytesRead = n;
                return 0;
            }

            protected override void Free()
            {
                content?.Dispose();
                response?.Dispose();
                base.Free();
            }
        }

        /// <summary>The binding of one git network call made by <see cref="Enter"/>; disposing it restores the thread's previous one.</summary>
        internal sealed class Call : IDisposable
        {
            private readonly Scope scope;
            private readonly Scope? previous;

            public Call(Scope scope, Scope? previous)
            {
                this.scope = scope;
                this.previous = previous;
            }

            /// <summary>The transport's failure in this call (timed out, refused, 401…), or null.</summary>
            public Exception? Failure => scope.Failure;

            public void Dispose() => current = previous;
        }

        internal sealed class Scope
        {
            public Scope(CancellationToken token, TimeSpan timeout)
            {
                Token = token;
                Timeout = timeout;
            }

            public CancellationToken Token { get; }

            public TimeSpan Timeout { get; }

            public Exception? Failure { get; set; }
        }
    }
}
