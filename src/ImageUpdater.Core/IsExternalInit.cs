#if !NET5_0_OR_GREATER
namespace System.Runtime.CompilerServices
{
    /// <summary>Lets net472 compile <c>init</c> setters and records (the compiler only needs the type to exist).</summary>
    internal static class IsExternalInit
    {
    }
}
#endif
