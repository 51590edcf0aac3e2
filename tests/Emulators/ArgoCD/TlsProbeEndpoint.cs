using System;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Tasks;

namespace ImageUpdater.Emulators.ArgoCD
{
    /// <summary>
    /// A TLS port with a self-signed certificate: a client that checks certificates fails the handshake, as against a test server.
    /// A client that skips the check gets an HTTP 503 saying this port only exercises TLS failures (the API is on the plain port).
    /// </summary>
    public sealed class TlsProbeEndpoint : IDisposable
    {
        private readonly TcpListener listener = new TcpListener(IPAddress.Loopback, 0);
        private readonly X509Certificate2 certificate;

        public TlsProbeEndpoint()
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=argocd-emulator.invalid", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
            listener.Start();
            Url = $"https://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/";
            _ = Task.Run(AcceptAsync);
        }

        public string Url { get; }

        public void Dispose()
        {
            listener.Stop();
            certificate.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (true)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException)
                {
                    return;
                }

                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            using var ssl = new SslStream(client.GetStream());
                            await ssl.AuthenticateAsServerAsync(certificate).ConfigureAwait(false);
                            var buffer = new byte[8192];
                            _ = await ssl.ReadAsync(buffer).ConfigureAwait(false);
                            var body = "{\"error\":\"TLS probe only\",\"code\":14,\"message\":\"this port only exercises TLS failures\"}";
                            var answer = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " + body.Length + "\r\n\r\n" + body;
                            await ssl.WriteAsync(Encoding.ASCII.GetBytes(answer)).ConfigureAwait(false);
                        }
                        catch (Exception)
                        {
                            // A client that rejects the certificate aborts the handshake; that is the point.
                        }
                    }
                });
            }
        }
    }
}
