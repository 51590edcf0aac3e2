using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using ImageUpdater.Core;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Diagnostics;
using ImageUpdater.Core.Registries.Ecr;

namespace ImageUpdater.PS.Commands
{
    /// <summary>
    /// A preflight of the place a run happens (an Azure Automation sandbox, a Hybrid Worker, a container): one result per
    /// check, with a remedy for each failure. It changes nothing and sends nothing beyond TCP/TLS handshakes.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "ImageUpdaterEnvironment", HelpUri = HelpLinks.Docs + "Test-ImageUpdaterEnvironment.md")]
    [OutputType(typeof(EnvironmentCheck))]
    public sealed class TestImageUpdaterEnvironmentCommand : AwsCmdletBase
    {
        /// <summary>The Argo CD API server to check; default: the Connect-ArgoCD session, else ARGOCD_SERVER.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Server { get; set; }

        /// <summary>More endpoints to check: registries, git remotes (https://, ssh://).</summary>
        [Parameter(ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        public string[]? Endpoint { get; set; }

        /// <summary>Check this libgit2 file instead of the module's own (a deployment's copy).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? LibGit2Path { get; set; }

        /// <summary>Seconds each endpoint may take to answer (default 5).</summary>
        [Parameter]
        [ValidateRange(1, 120)]
        public int TimeoutSec { get; set; } = 5;

        private readonly List<string> endpoints = new List<string>();

        protected override void ProcessRecord()
        {
            if (Endpoint is not null)
            {
                endpoints.AddRange(Endpoint);
            }
        }

        protected override void EndProcessing()
        {
            WriteTyped(PowerShellVersion());
            WriteTyped(EnvironmentChecks.Runtime());
            WriteTyped(LoadContext());
            WriteTyped(EnvironmentChecks.LibGit2(LibGit2Path is null ? null : GetUnresolvedProviderPathFromPSPath(LibGit2Path)));

            var aws = GetAwsOptions();
            WriteTyped(EnvironmentChecks.AwsCredentialSource(aws));
            foreach (var (role, url) in Endpoints(aws))
            {
                WriteVerbose($"Checking {role} {url.GetLeftPart(UriPartial.Authority)} (TCP/TLS handshake only).");
                WriteTyped(EnvironmentChecks.EndpointAsync(role, url, TimeSpan.FromSeconds(TimeoutSec)).GetAwaiter().GetResult());
            }

            foreach (var check in EnvironmentChecks.Headroom())
            {
                WriteTyped(check);
            }
        }

        /// <summary>The ECR API endpoint (when a region is known), the Argo CD server (when one is configured) and -Endpoint.</summary>
        private IEnumerable<(string Role, Uri Url)> Endpoints(AwsOptions aws)
        {
            Uri? ecr = null;
            try
            {
                ecr = aws.ResolveEndpoint().Url ?? EcrHost.ApiEndpointFor(aws.ResolveRegion().Region);
            }
            catch (ImageUpdaterException ex)
            {
                WriteVerbose("No ECR endpoint to check: " + ex.Message);
            }

            if (ecr is not null)
            {
                yield return ("ECR", ecr);
            }

            var argo = Server ?? ArgoCDSession.Current?.Server.ToString() ?? Environment.GetEnvironmentVariable(ArgoCDConnection.ServerVariable);
            if (!string.IsNullOrWhiteSpace(argo))
            {
                yield return ("Argo CD", ArgoCDConnection.NormalizeServer(argo!));
            }

            foreach (var text in endpoints)
            {
                var value = text.Contains("://") ? text : "https://" + text;
                if (Uri.TryCreate(value, UriKind.Absolute, out var url))
                {
                    yield return ("-Endpoint", url);
                }
                else
                {
                    WriteError(ToErrorRecord(new ImageUpdaterException("EndpointInvalid", FailureKind.InvalidArgument, $"'{text}' is not a host or URL.", text), text));
                }
            }
        }

        private EnvironmentCheck PowerShellVersion()
        {
            var table = SessionState.PSVariable.GetValue("PSVersionTable") as Hashtable;
            var version = table?["PSVersion"]?.ToString() ?? "?";
            var edition = table?["PSEdition"]?.ToString() ?? "?";
            var detail = $"PowerShell {version} ({edition})";
            return Version.TryParse(version.Split('-')[0], out var parsed) && parsed.Major == 7 && parsed.Minor < 4
                ? new EnvironmentCheck("PowerShell", CheckStatus.Warning, detail, "PowerShell 7.4 or later is tested (in Azure Automation: a 7.4 Runtime Environment); 5.1 and 7.4+ are supported.")
                : new EnvironmentCheck("PowerShell", CheckStatus.Passed, detail);
        }

        private static EnvironmentCheck LoadContext()
        {
#if NET8_0_OR_GREATER
            var context = System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(typeof(EnvironmentCheck).Assembly);
            var name = context?.Name ?? "?";
            return context == System.Runtime.Loader.AssemblyLoadContext.Default
                ? new EnvironmentCheck("load context", CheckStatus.Warning, "the module's assemblies are in the default load context",
                    "Import the module through ImageUpdater.PS.psd1 (not the DLL), so its YamlDotNet, LibGit2Sharp and AWSSDK stay apart from other modules'.")
                : new EnvironmentCheck("load context", CheckStatus.Passed, "the module's own AssemblyLoadContext '" + name + "'");
#else
            return new EnvironmentCheck("load context", CheckStatus.Passed, "Windows PowerShell (.NET Framework): one AppDomain, no load contexts");
#endif
        }
    }
}
