using System.Management.Automation;

namespace ImageUpdater.PS.Commands
{
    /// <summary>Forgets the Argo CD session stored by Connect-ArgoCD.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "ArgoCD", HelpUri = HelpLinks.Docs + "Disconnect-ArgoCD.md")]
    [OutputType(typeof(void))]
    public sealed class DisconnectArgoCDCommand : ImageUpdaterCmdlet
    {
        protected override void EndProcessing()
        {
            var session = ArgoCDSession.Current;
            if (session is null)
            {
                WriteVerbose("There was no Argo CD session.");
                return;
            }

            ArgoCDSession.Current = null;
            WriteVerbose($"Forgot the Argo CD session for {session.Server}.");
        }
    }
}
