using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;

namespace ImageUpdater.Core.Registries
{
    /// <summary>
    /// The credential of one registry for a session: given explicitly, or fetched from its credential source and kept until
    /// <c>credsexpire</c> passes or the registry rejects it (then fetched once more).
    /// </summary>
    public sealed class RegistryCredentials
    {
        private readonly NetworkCredential? given;
        private readonly CredentialSource? source;
        private readonly TimeSpan? expire;
        private readonly string host;
        private readonly ISecretReader? secrets;
        private readonly SemaphoreSlim gate = new SemaphoreSlim(1, 1);
        private NetworkCredential? fetched;
        private DateTimeOffset fetchedAt;

        public RegistryCredentials(NetworkCredential? given, CredentialSource? source = null, TimeSpan? expire = null, string host = "", ISecretReader? secrets = null)
        {
            this.given = given;
            this.source = source;
            this.expire = expire;
            this.host = host;
            this.secrets = secrets;
        }

        /// <summary>No credentials: anonymous access.</summary>
        public static RegistryCredentials None { get; } = new RegistryCredentials(null);

        /// <summary>How many times the source was asked (scripts run, secrets read).</summary>
        public int Fetches { get; private set; }

        /// <summary>Where the credential comes from, for messages (never the credential).</summary>
        public string Origin => given is not null ? "the given credential" : source is not null ? "credentials " + source.Text : "anonymous access";

        public async Task<NetworkCredential?> GetAsync(CancellationToken cancellationToken)
        {
            if (given is not null || source is null)
            {
                return given;
            }

            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (fetched is null || (expire is { } ttl && DateTimeOffset.UtcNow - fetchedAt >= ttl))
                {
                    // One fetch at a time: concurrent requests share the result, like upstream's singleflight.
                    fetched = await source.ResolveAsync(host, secrets, cancellationToken).ConfigureAwait(false);
                    fetchedAt = DateTimeOffset.UtcNow;
                    Fetches++;
                }

                return fetched;
            }
            finally
            {
                gate.Release();
            }
        }

        /// <summary>Forgets a fetched credential the registry rejected; true when fetching again may help.</summary>
        public bool Invalidate(NetworkCredential? rejected)
        {
            if (source is null || rejected is null)
            {
                return false;
            }

            gate.Wait();
            try
            {
                if (ReferenceEquals(fetched, rejected))
                {
                    fetched = null;
                }

                return true;
            }
            finally
            {
                gate.Release();
            }
        }
    }
}
