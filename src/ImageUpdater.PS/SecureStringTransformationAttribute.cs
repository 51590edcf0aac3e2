using System;
using System.Management.Automation;
using System.Net;
using System.Security;

namespace ImageUpdater.PS
{
    /// <summary>
    /// Lets a SecureString parameter take a plain string too, as AWS Tools' -SecretKey does: the text becomes a SecureString
    /// before binding, so a type-conversion error (which would echo the value into $Error) never happens.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class SecureStringTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            var value = inputData is PSObject pso ? pso.BaseObject : inputData;
            return value switch
            {
                string text => ToSecureString(text),
                char[] chars => ToSecureString(new string(chars)),
                _ => inputData,
            };
        }

        internal static SecureString ToSecureString(string text)
        {
            var secure = new NetworkCredential(string.Empty, text).SecurePassword;
            secure.MakeReadOnly();
            return secure;
        }
    }
}
