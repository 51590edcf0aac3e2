using System.Management.Automation;
using ImageUpdater.Core;
using ImageUpdater.Core.Argo;

namespace ImageUpdater.PS.Commands
{
    /// <summary>Checks a token (or logs in) against an Argo CD API server and keeps it as the default for the Argo cmdlets.</summary>
    [Cmdlet(VerbsCommunications.Connect, "ArgoCD", DefaultParameterSetName = ServerSet, HelpUri = HelpLinks.Docs + "Connect-ArgoCD.md")]
    [OutputType(typeof(ArgoCDConnection))]
    public sealed class ConnectArgoCDCommand : ArgoCmdletBase
    {
        /// <summary>A local Argo CD user (e.g. admin) to log in with, through POST /api/v1/session, when there is no token.</summary>
        [Parameter(ParameterSetName = ServerSet)]
        [Credential]
        public PSCredential? Credential { get; set; }

        /// <summary>Write the connection (server, account; never the token).</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>Only write the connection (for -Connection); leave the process-wide session as it is (runbooks sharing a process).</summary>
        [Parameter]
        public SwitchParameter NoDefault { get; set; }

        protected override void EndProcessing()
        {
            try
            {
                // The session being replaced is not a default here: Connect-ArgoCD takes parameters (or -Connection), else the environment.
                var server = ArgoCDConnection.ResolveServer(Server, Connection);
                var token = Token is not null ? ToPlainText(Token) : Connection is null ? ArgoCDConnection.EnvironmentToken : null;
                if (token is null && Credential is not null)
                {
                    WriteVerbose($"Logging in to Argo CD at {ArgoCDConnection.NormalizeServer(server)} as '{Credential.UserName}' (POST /api/v1/session).");
                    token = ArgoCDClient.CreateSessionAsync(server, Credential.UserName, ToPlainText(Credential.Password), SkipCertificateCheck.IsPresent).GetAwaiter().GetResult();
                }

                var connection = ArgoCDConnection.Resolve(server, token, SkipCertificateCheck.IsPresent, Connection);
                using (var client = new ArgoCDClient(connection))
                {
                    WriteVerbose($"Checking the token with Argo CD at {connection.Server} (GET /api/v1/session/userinfo).");
                    var user = client.GetUserNameAsync().GetAwaiter().GetResult();
                    connection.Account = user ?? connection.Account;
                    WriteVerbose($"Connected to {connection.Server} as '{connection.Account ?? "?"}'.");
                }

                if (!NoDefault.IsPresent)
                {
                    ArgoCDSession.Current = connection;
                }

                if (PassThru.IsPresent || NoDefault.IsPresent)
                {
                    WriteTyped(connection);
                }
                else
                {
                    // Like Connect-AzAccount, say what is now connected; on the information stream, so $x = Connect-ArgoCD stays empty.
                    WriteInformation(new InformationRecord($"Connected to Argo CD at {connection.Server} as '{connection.Account ?? "?"}'.", "Connect-ArgoCD"), new[] { "PSHOST" });
                }
            }
            catch (ImageUpdaterException ex)
            {
                ThrowFailure(ex, Server);
            }
        }
    }
}
