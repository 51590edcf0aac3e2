using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Threading;
using ImageUpdater.Core;
using ImageUpdater.Core.Argo;

namespace ImageUpdater.PS.Parameters
{
    /// <summary>
    /// The application-source block (-Path, -Recurse | -Server, -Token, -SkipCertificateCheck, -Connection, -AppNamespace | -Kubeconfig,
    /// -Context, -Namespace; -Name, -Project, -Selector, -ImageUpdater) and its mapping to Core's source options and query. The cmdlets that
    /// take it (Get-ArgoApplication, Invoke-ImageUpdater) declare the properties themselves so that help and completion see
    /// them; ParameterBlocks.Tests.ps1 keeps those declarations identical.
    /// </summary>
    internal sealed class ApplicationSourceParameters
    {
        public string[]? Path { get; set; }

        public bool Recurse { get; set; }

        public string? Server { get; set; }

        public SecureString? Token { get; set; }

        public bool SkipCertificateCheck { get; set; }

        public ArgoCDConnection? Connection { get; set; }

        public string? AppNamespace { get; set; }

        public string? Kubeconfig { get; set; }

        public string? Context { get; set; }

        public string? Namespace { get; set; }

        public string[]? Name { get; set; }

        public string[]? Project { get; set; }

        public string? Selector { get; set; }

        public ImageUpdaterResource[]? ImageUpdater { get; set; }

        /// <summary>The block as the cmdlet's caller bound it (unbound parameters keep their defaults).</summary>
        public static ApplicationSourceParameters FromBound(PSCmdlet cmdlet)
        {
            var bound = cmdlet.MyInvocation.BoundParameters;
            T? Get<T>(string name) where T : class => bound.TryGetValue(name, out var value) ? value as T : null;
            bool Switch(string name) => bound.TryGetValue(name, out var value) && value is SwitchParameter s && s.IsPresent;
            return new ApplicationSourceParameters
            {
                Path = Get<string[]>("Path"),
                Recurse = Switch("Recurse"),
                Server = Get<string>("Server"),
                Token = Get<SecureString>("Token"),
                SkipCertificateCheck = Switch("SkipCertificateCheck"),
                Connection = Get<ArgoCDConnection>("Connection"),
                AppNamespace = Get<string>("AppNamespace"),
                Kubeconfig = Get<string>("Kubeconfig"),
                Context = Get<string>("Context"),
                Namespace = Get<string>("Namespace"),
                Name = Get<string[]>("Name"),
                Project = Get<string[]>("Project"),
                Selector = Get<string>("Selector"),
                ImageUpdater = Get<ImageUpdaterResource[]>("ImageUpdater"),
            };
        }

        public ApplicationQuery ToQuery() => new ApplicationQuery(Name, Project, Selector, AppNamespace, Namespace);

        /// <summary>Core's options: PowerShell paths resolved (wildcards, drives; a missing one is reported by the source), the token as text, the session.</summary>
        public ApplicationSourceOptions ToOptions(PSCmdlet cmdlet) => new ApplicationSourceOptions
        {
            Paths = Path is null ? null : Path.SelectMany(p => ResolvePath(cmdlet, p)).ToArray(),
            Recurse = Recurse,
            Kubeconfig = Kubeconfig is null ? null : cmdlet.GetUnresolvedProviderPathFromPSPath(Kubeconfig),
            Context = Context,
            Server = Server,
            Token = Token is null ? null : ArgoCmdletBase.ToPlainText(Token),
            SkipCertificateCheck = SkipCertificateCheck,
            // -Connection stands where the process-wide session would: parameters still win, the environment still follows.
            Session = Connection ?? ArgoCDSession.Current,
            ImageUpdaters = ImageUpdater,
        };

        /// <summary>
        /// Reads the Applications on the pipeline thread: errors are written as non-terminating errors, warnings and verbose lines
        /// through the cmdlet; a source that cannot be opened (no server, no kubeconfig) is a terminating error.
        /// </summary>
        public IEnumerable<ArgoApplication> Read(PSCmdlet cmdlet, CancellationToken cancellationToken)
        {
            using (var source = Open(cmdlet))
            {
                foreach (var read in source.Read(ToQuery(), cancellationToken))
                {
                    switch (read.Kind)
                    {
                        case ApplicationReadKind.Application:
                            yield return read.Application!;
                            break;
                        case ApplicationReadKind.Error:
                            cmdlet.WriteError(ImageUpdaterCmdlet.ToErrorRecord(read.Error!, read.Target));
                            break;
                        case ApplicationReadKind.Warning:
                            cmdlet.WriteWarning(read.Message);
                            break;
                        case ApplicationReadKind.ImageUpdater:
                            break;
                        default:
                            cmdlet.WriteVerbose(read.Message);
                            break;
                    }
                }
            }
        }

        private IApplicationSource Open(PSCmdlet cmdlet)
        {
            try
            {
                return ApplicationSources.Create(ToOptions(cmdlet));
            }
            catch (ImageUpdaterException ex)
            {
                cmdlet.ThrowTerminatingError(ImageUpdaterCmdlet.ToErrorRecord(ex, Kubeconfig ?? ex.Target));
                throw;
            }
        }

        /// <summary>File system paths of a PowerShell path; one that matches nothing, or names another provider's items, is passed on as written for the source to report.</summary>
        internal static IEnumerable<string> ResolvePath(PSCmdlet cmdlet, string path)
        {
            try
            {
                var resolved = cmdlet.GetResolvedProviderPathFromPSPath(path, out var provider);
                return provider.Name == "FileSystem" ? resolved : new[] { path };
            }
            catch (Exception ex) when (ex is ItemNotFoundException || ex is DriveNotFoundException || ex is ProviderNotFoundException || ex is NotSupportedException)
            {
                return new[] { path };
            }
        }
    }
}
