using System.Net;
using System.Security;

namespace ImageUpdater.PS
{
    /// <summary>The one place a SecureString parameter becomes text, right before Core takes it.</summary>
    internal static class SecretText
    {
        public static string? ToPlainText(SecureString? secure) => secure is null ? null : new NetworkCredential(string.Empty, secure).Password;
    }
}
