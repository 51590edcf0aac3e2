using System;
using System.Security.Cryptography;

namespace ImageUpdater.Core.WriteBack.Git
{
    /// <summary>An RSA private key from PEM (PKCS#1 "RSA PRIVATE KEY", as GitHub hands out, or PKCS#8 "PRIVATE KEY"); .NET Framework has no ImportFromPem.</summary>
    internal static class RsaPem
    {
        public static RSA Import(string pem, string target)
        {
            try
            {
#if NET
                var rsa = RSA.Create();
                rsa.ImportFromPem(pem);
                return rsa;
#else
                var der = Der(pem, out var pkcs8);
                var reader = new DerReader(der);
                reader.Sequence();
                reader.Integer();
                if (pkcs8)
                {
                    reader.Skip();
                    reader = new DerReader(reader.OctetString());
                    reader.Sequence();
                    reader.Integer();
                }

                var parameters = new RSAParameters { Modulus = reader.Integer(), Exponent = reader.Integer(), D = reader.Integer(), P = reader.Integer(), Q = reader.Integer(), DP = reader.Integer(), DQ = reader.Integer(), InverseQ = reader.Integer() };
                var size = parameters.Modulus.Length;
                parameters.D = Pad(parameters.D, size);
                parameters.P = Pad(parameters.P, (size + 1) / 2);
                parameters.Q = Pad(parameters.Q, (size + 1) / 2);
                parameters.DP = Pad(parameters.DP, (size + 1) / 2);
                parameters.DQ = Pad(parameters.DQ, (size + 1) / 2);
                parameters.InverseQ = Pad(parameters.InverseQ, (size + 1) / 2);
                var rsa = RSA.Create();
                rsa.ImportParameters(parameters);
                return rsa;
#endif
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException or FormatException or IndexOutOfRangeException)
            {
                // The exception's text may quote the key: only its type is kept.
                throw GitErrors.Error("GitHubAppInvalid", $"The GitHub App private key (githubAppPrivateKey) is not an RSA private key in PEM form ({e.GetType().Name}).", target);
            }
        }

#if !NET
        private static byte[] Der(string pem, out bool pkcs8)
        {
            pkcs8 = pem.IndexOf("BEGIN PRIVATE KEY", StringComparison.Ordinal) >= 0;
            var start = pem.IndexOf("-----", pem.IndexOf("-----BEGIN", StringComparison.Ordinal) + 10, StringComparison.Ordinal) + 5;
            var end = pem.IndexOf("-----END", start, StringComparison.Ordinal);
            return Convert.FromBase64String(pem.Substring(start, end - start).Replace("\r", string.Empty).Replace("\n", string.Empty).Trim());
        }

        private static byte[] Pad(byte[] value, int length)
        {
            if (value.Length >= length)
            {
                return value;
            }

            var padded = new byte[length];
            Buffer.BlockCopy(value, 0, padded, length - value.Length, value.Length);
            return padded;
        }

        private sealed class DerReader
        {
            private readonly byte[] data;
            private int position;

            public DerReader(byte[] data) => this.data = data;

            public void Sequence() => Header(0x30);

            public byte[] Integer()
            {
                var value = Read(0x02);
                var skip = 0;
                while (skip < value.Length - 1 && value[skip] == 0)
                {
                    skip++;
                }

                var result = new byte[value.Length - skip];
                Buffer.BlockCopy(value, skip, result, 0, result.Length);
                return result;
            }

            public byte[] OctetString() => Read(0x04);

            public void Skip()
            {
                position++;
                position += Length();
            }

            private byte[] Read(byte tag)
            {
                var length = Header(tag);
                var value = new byte[length];
                Buffer.BlockCopy(data, position, value, 0, length);
                position += length;
                return value;
            }

            private int Header(byte tag)
            {
                if (data[position++] != tag)
                {
                    throw new FormatException("unexpected DER tag");
                }

                return Length();
            }

            private int Length()
            {
                int first = data[position++];
                if (first < 0x80)
                {
                    return first;
                }

                var length = 0;
                for (var i = 0; i < (first & 0x7f); i++)
                {
                    length = (length << 8) | data[position++];
                }

                return length;
            }
        }
#endif
    }
}
