using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Registries;
using Xunit;

namespace ImageUpdater.Core.Tests.Issue14
{
    /// <summary>
    /// Issue 14 item 14: registries.conf <c>ca_file</c> and <c>ca_data</c> (upstream v1's config_test.go and endpoints_test.go cases),
    /// with TLS against a loopback https server whose certificate a CA made in the test signed.
    /// </summary>
    public sealed class RegistryTrustTests : IDisposable
    {
        private readonly string folder = Path.Combine(Path.GetTempPath(), "issue14-ca-" + Guid.NewGuid().ToString("N"));

        public RegistryTrustTests() => Directory.CreateDirectory(folder);

        public void Dispose() => Directory.Delete(folder, true);

        private static (X509Certificate2 Ca, X509Certificate2 Server) MakeCa(string serverName = "127.0.0.1")
        {
            using var caKey = RSA.Create(2048);
            var caRequest = new CertificateRequest("CN=Issue14 Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

            var serverKey = RSA.Create(2048);
            var request = new CertificateRequest("CN=" + serverName, serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var names = new SubjectAlternativeNameBuilder();
            if (IPAddress.TryParse(serverName, out var ip))
            {
                names.AddIpAddress(ip);
            }
            else
            {
                names.AddDnsName(serverName);
            }

            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
            using var signed = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), new byte[] { 1, 4, 1, 4 });
            var server = X509CertificateLoader.LoadPkcs12(signed.CopyWithPrivateKey(serverKey).Export(X509ContentType.Pfx), null);
            return (ca, server);
        }

        private static string Pem(X509Certificate2 certificate) =>
            "-----BEGIN CERTIFICATE-----\n" + Convert.ToBase64String(certificate.RawData, Base64FormattingOptions.InsertLineBreaks) + "\n-----END CERTIFICATE-----\n";

        /// <summary>A loopback https server that answers one request with 200 and returns its URL.</summary>
        private static (string Url, Task Served) Serve(X509Certificate2 certificate, CancellationToken token)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var url = "https://127.0.0.1:" + ((IPEndPoint)listener.LocalEndpoint).Port;
            var served = Task.Run(async () =>
            {
                try
                {
                    using var client = await listener.AcceptTcpClientAsync(token);
                    using var tls = new SslStream(client.GetStream());
                    try
                    {
                        await tls.AuthenticateAsServerAsync(certificate);
                        var buffer = new byte[4096];
                        _ = await tls.ReadAsync(buffer, token);
                        var answer = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
                        await tls.WriteAsync(answer, token);
                    }
                    catch (Exception e) when (e is IOException || e is AuthenticationException)
                    {
                        // The client refused the certificate (under TLS 1.3 after the server's side of the handshake).
                    }
                }
                finally
                {
                    listener.Stop();
                }
            }, token);
            return (url, served);
        }

        private static async Task<bool> Connects(RegistryTrust? trust, X509Certificate2 server)
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var (url, served) = Serve(server, cancel.Token);
            using var handler = new HttpClientHandler();
            if (trust is not null)
            {
                handler.ServerCertificateCustomValidationCallback = (_, certificate, _, errors) => trust.Validate(certificate, errors);
            }

            using var http = new HttpClient(handler);
            try
            {
                using var response = await http.GetAsync(url, cancel.Token);
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            finally
            {
                cancel.Cancel();
                try
                {
                    await served;
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        [Fact]
        public async Task Item14_TrustsCertificatesFromARegistryCaFile()
        {
            var (ca, server) = MakeCa();
            File.WriteAllText(Path.Combine(folder, "registry-ca.pem"), Pem(ca));
            var config = RegistriesConfig.Parse($"registries:\n- name: private registry\n  prefix: private.example.com\n  api_url: https://127.0.0.1\n  ca_file: registry-ca.pem\n", Path.Combine(folder, "registries.conf"));
            var trust = config.Registries[0].Trust;

            Assert.NotNull(trust);
            Assert.True(await Connects(trust, server));
            Assert.False(await Connects(null, server));
        }

        [Fact]
        public async Task Item14_TrustsCertificatesFromInlineRegistryCaData()
        {
            var (ca, server) = MakeCa();
            var indented = string.Join("\n", Pem(ca).TrimEnd('\n').Split('\n'));
            var config = RegistriesConfig.Parse("registries:\n- name: private registry\n  prefix: private.example.com\n  api_url: https://127.0.0.1\n  ca_data: |\n    " + indented.Replace("\n", "\n    ") + "\n");

            Assert.Contains("BEGIN CERTIFICATE", Pem(Assert.Single(config.Registries[0].Trust!.Authorities)), StringComparison.Ordinal);
            Assert.True(await Connects(config.Registries[0].Trust, server));
        }

        [Fact]
        public async Task Item14_AnotherCaOrAnotherHostNameIsStillRefused()
        {
            var (_, server) = MakeCa();
            var (otherCa, _) = MakeCa();
            Assert.False(await Connects(RegistryTrust.Load(null, Pem(otherCa), null), server));

            var (ca, wrongName) = MakeCa("registry.example.com");
            Assert.False(await Connects(RegistryTrust.Load(null, Pem(ca), null), wrongName));
        }

        [Theory]
        [InlineData("ca_file: invalid-ca.pem", "does not contain a valid PEM certificate")]
        [InlineData("ca_data: not a certificate", "ca_data does not contain a valid PEM certificate")]
        [InlineData("ca_file: missing.pem", "could not read CA file")]
        public void Item14_RejectsAnInvalidCa_NamingTheRegistryAndLine(string entry, string reason)
        {
            File.WriteAllText(Path.Combine(folder, "invalid-ca.pem"), "not a certificate");
            var ex = Assert.Throws<ImageUpdaterException>(() => RegistriesConfig.Parse("registries:\n- name: private registry\n  api_url: https://private.example.com\n  " + entry + "\n", Path.Combine(folder, "registries.conf")));
            Assert.Contains("could not configure CA certificates for registry private registry", ex.Message, StringComparison.Ordinal);
            Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
            Assert.Contains("line 4", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Item14_SkipsCaProcessingWhenInsecureIsTrue()
        {
            var config = RegistriesConfig.Parse("registries:\n- name: insecure registry\n  api_url: https://insecure.example.com\n  insecure: true\n  ca_file: missing.pem\n  ca_data: not a certificate\n");
            Assert.True(config.Registries[0].Insecure);
            Assert.Null(config.Registries[0].Trust);
        }

        [Fact]
        public void Item14_ParseCaFileFromValidYaml_RelativeToTheConfigFile()
        {
            var (ca, _) = MakeCa();
            Directory.CreateDirectory(Path.Combine(folder, "certs"));
            File.WriteAllText(Path.Combine(folder, "certs", "registry-ca.pem"), "# bundle\n" + Pem(ca) + Pem(MakeCa().Ca));
            var config = RegistriesConfig.Parse("registries:\n- name: private\n  api_url: https://private.example.com\n  ca_file: certs/registry-ca.pem\n", Path.Combine(folder, "registries.conf"));
            Assert.Equal(2, config.Registries[0].Trust!.Authorities.Count);
            Assert.Contains(Path.Combine(folder, "certs", "registry-ca.pem"), config.Registries[0].Trust!.Origin, StringComparison.Ordinal);
        }
    }
}
