using System;
using System.Management.Automation;
using System.Security;
using ImageUpdater.Core;
using ImageUpdater.Core.Registries.Ecr;

namespace ImageUpdater.PS.Commands
{
    /// <summary>Gets a registry login for Amazon ECR (GetAuthorizationToken) as a PSCredential for user AWS.</summary>
    [Cmdlet(VerbsCommon.Get, "EcrAuthorizationToken", HelpUri = HelpLinks.Docs + "Get-EcrAuthorizationToken.md")]
    [OutputType(typeof(PSCredential))]
    public sealed class GetEcrAuthorizationTokenCommand : AwsCmdletBase
    {
        /// <summary>The 12-digit account whose registry to log in to (default: the caller's).</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidatePattern("^[0-9]{12}$")]
        public string[] RegistryId { get; set; } = Array.Empty<string>();

        protected override void ProcessRecord()
        {
            EcrClient client;
            try
            {
                client = new EcrClient(GetAwsOptions()) { Log = QueueVerbose };
            }
            catch (ImageUpdaterException ex)
            {
                ThrowFailure(ex);
                return;
            }

            using (client)
            {
                WriteVerbose($"Credentials from {client.CredentialSource}; region {client.Region} from {client.RegionSource}.");
                foreach (var id in RegistryId.Length == 0 ? new string?[] { null } : RegistryId)
                {
                    try
                    {
                        var login = Await(client.GetAuthorizationTokenAsync(id));
                        var password = new SecureString();
                        foreach (var c in login.Password)
                        {
                            password.AppendChar(c);
                        }

                        password.MakeReadOnly();
                        var credential = PSObject.AsPSObject(new PSCredential(login.UserName, password));
                        credential.Properties.Add(new PSNoteProperty("ProxyEndpoint", login.ProxyEndpoint));
                        credential.Properties.Add(new PSNoteProperty("ExpiresAt", login.ExpiresAt?.UtcDateTime));
                        credential.Properties.Add(new PSNoteProperty("RegistryId", id ?? (EcrHost.TryParse(login.ProxyEndpoint, out var host) ? host.AccountId : null)));
                        WriteObject(credential);
                    }
                    catch (ImageUpdaterException ex)
                    {
                        FlushVerbose();
                        WriteFailure(ex, id);
                    }
                }
            }
        }
    }
}
