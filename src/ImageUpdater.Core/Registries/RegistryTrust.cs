using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ImageUpdater.Core.Registries
{
    /// <summary>
    /// Certificate authorities one registry is trusted by besides the system's: registries.conf <c>ca_file</c> and <c>ca_data</c>
    /// (PEM), as upstream v1 reads them. A certificate the system trusts passes; otherwise its chain must end at one of these.
    /// </summary>
    public sealed class RegistryTrust
    {
        private const string Begin = "-----BEGIN CERTIFICATE-----";
        private const string End = "-----END CERTIFICATE-----";

        private readonly X509Certificate2[] authorities;

        private RegistryTrust(X509Certificate2[] authorities, string origin)
        {
            this.authorities = authorities;
            Origin = origin;
        }

        /// <summary>The certificates trusted for this registry.</summary>
        public IReadOnlyList<X509Certificate2> Authorities => authorities;

        /// <summary>Where they came from (<c>ca_file /etc/ca.pem</c>, <c>ca_data</c>), for messages.</summary>
        public string Origin { get; }

        /// <summary>
        /// Reads the authorities of <paramref name="caFile"/> (relative paths from <paramref name="baseFolder"/>) and <paramref name="caData"/>;
        /// null when neither is given. Throws (InvalidData / ObjectNotFound) with upstream's reasons when one holds no PEM certificate.
        /// </summary>
        public static RegistryTrust? Load(string? caFile, string? caData, string? baseFolder)
        {
            if (string.IsNullOrWhiteSpace(caFile) && string.IsNullOrWhiteSpace(caData))
            {
                return null;
            }

            var all = new List<X509Certificate2>();
            var origins = new List<string>();
            if (!string.IsNullOrWhiteSpace(caData))
            {
                all.AddRange(ReadPem(caData!) is { Count: > 0 } fromData ? fromData
                    : throw new ImageUpdaterException("RegistryCaInvalid", FailureKind.InvalidData, "ca_data does not contain a valid PEM certificate", "ca_data"));
                origins.Add("ca_data");
            }

            if (!string.IsNullOrWhiteSpace(caFile))
            {
                var path = baseFolder is null || Path.IsPathRooted(caFile) ? caFile! : Path.Combine(baseFolder, caFile);
                string text;
                try
                {
                    text = File.ReadAllText(path);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    throw new ImageUpdaterException("RegistryCaUnreadable", e is FileNotFoundException || e is DirectoryNotFoundException ? FailureKind.ObjectNotFound : FailureKind.ReadError, $"could not read CA file {path}: {e.Message}", path, e);
                }

                all.AddRange(ReadPem(text) is { Count: > 0 } fromFile ? fromFile
                    : throw new ImageUpdaterException("RegistryCaInvalid", FailureKind.InvalidData, $"CA file {path} does not contain a valid PEM certificate", path));
                origins.Add("ca_file " + path);
            }

            return new RegistryTrust(all.ToArray(), string.Join(" and ", origins));
        }

        /// <summary>The certificates of PEM text (other blocks, such as keys, are skipped; a block that does not decode is not a certificate).</summary>
        public static IReadOnlyList<X509Certificate2> ReadPem(string text)
        {
            var result = new List<X509Certificate2>();
            for (var start = text.IndexOf(Begin, StringComparison.Ordinal); start >= 0; start = text.IndexOf(Begin, start + Begin.Length, StringComparison.Ordinal))
            {
                var end = text.IndexOf(End, start, StringComparison.Ordinal);
                if (end < 0)
                {
                    break;
                }

                var body = text.Substring(start + Begin.Length, end - start - Begin.Length);
                try
                {
#pragma warning disable SYSLIB0057 // the byte[] constructor is the one both net472 and net8.0 have
                    result.Add(new X509Certificate2(Convert.FromBase64String(string.Concat(body.Where(c => !char.IsWhiteSpace(c))))));
#pragma warning restore SYSLIB0057
                }
                catch (Exception e) when (e is FormatException || e is CryptographicException)
                {
                    // Not a certificate: the caller reports "no valid PEM certificate" when none is left.
                }
            }

            return result;
        }

        /// <summary>The TLS check of a registry connection: the system's verdict, else a chain to one of these authorities with the right name.</summary>
        public bool Validate(X509Certificate2? certificate, SslPolicyErrors errors)
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            // Only an unknown issuer may be forgiven: a wrong host name or a missing certificate never is.
            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.ExtraStore.AddRange(authorities);
#if NET8_0_OR_GREATER
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
            return chain.Build(certificate);
#else
            chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
            if (!chain.Build(certificate))
            {
                return false;
            }

            var root = chain.ChainElements[chain.ChainElements.Count - 1].Certificate;
            return authorities.Any(a => a.RawData.SequenceEqual(root.RawData))
                && chain.ChainStatus.All(s => s.Status == X509ChainStatusFlags.NoError || s.Status == X509ChainStatusFlags.UntrustedRoot);
#endif
        }
    }
}
