using System;
using System.IO;
using System.Text;

namespace ImageUpdater.Core.Yaml
{
    /// <summary>Bytes ↔ text for the editor: strict UTF-8, the BOM kept apart, the size cap, the file's line break.</summary>
    internal static class YamlText
    {
        private static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(false, true);

        /// <summary>The byte cap checked before decoding: twice the character cap.</summary>
        private static long MaxBytes => YamlTreeReader.MaxChars * 2L;

        /// <summary>Decodes UTF-8 bytes strictly (other encodings are refused rather than silently rewritten).</summary>
        public static string Decode(byte[] bytes, string sourceName, out bool hasBom)
        {
            if (bytes.Length > MaxBytes)
            {
                throw TooLarge(sourceName, bytes.Length);
            }

            hasBom = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF;
            try
            {
                return hasBom ? StrictUtf8.GetString(bytes, 3, bytes.Length - 3) : StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException ex)
            {
                throw new YamlEditException("YamlNotUtf8", FailureKind.InvalidData, sourceName, 0, 0,
                    "The file is not UTF-8 text; save it as UTF-8 and try again. It was left untouched.", ex);
            }
        }

        /// <summary>The text in UTF-8, with the BOM when <paramref name="hasBom"/>.</summary>
        public static byte[] Encode(string text, bool hasBom)
        {
            var body = StrictUtf8.GetBytes(text);
            if (!hasBom)
            {
                return body;
            }

            var bytes = new byte[body.Length + 3];
            bytes[0] = 0xEF;
            bytes[1] = 0xBB;
            bytes[2] = 0xBF;
            Buffer.BlockCopy(body, 0, bytes, 3, body.Length);
            return bytes;
        }

        /// <summary>A file's bytes, refusing absurd sizes before reading.</summary>
        public static byte[] ReadBytes(string path)
        {
            var limit = MaxBytes;
            var info = new FileInfo(path);
            if (info.Exists && info.Length > limit)
            {
                throw TooLarge(path, info.Length);
            }

            // Devices and pipes (/dev/zero) report no length: the cap holds while reading too.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var bytes = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (bytes.Length + read > limit)
                {
                    throw TooLarge(path, bytes.Length + read);
                }

                bytes.Write(chunk, 0, read);
            }

            return bytes.ToArray();
        }

        /// <summary>"\r\n" when the text's first line break is CRLF, else "\n".</summary>
        public static string DetectLineBreak(string text)
        {
            var lf = text.IndexOf('\n');
            return lf > 0 && text[lf - 1] == '\r' ? "\r\n" : "\n";
        }

        private static YamlEditException TooLarge(string file, long bytes) =>
            new YamlEditException("YamlFileTooLarge", FailureKind.LimitsExceeded, file, 0, 0,
                $"The file has {bytes:N0} bytes or more, more than this editor accepts ({YamlTreeReader.MaxChars:N0} characters); edit it by hand or split it.");
    }
}
