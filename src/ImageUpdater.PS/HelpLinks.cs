namespace ImageUpdater.PS
{
    /// <summary>Where Get-Help -Online goes: each cmdlet's docs/&lt;Cmdlet&gt;.md in the project repository (the manifest's ProjectUri).</summary>
    internal static class HelpLinks
    {
        public const string Docs = "https://github.com/imageupdater-ps/ImageUpdater.PS/blob/main/docs/";
    }
}
