using System;
using System.Management.Automation;
using System.Net;
using System.Security;
using ImageUpdater.Core.WriteBack.Hosts;

namespace ImageUpdater.PS.Parameters
{
    /// <summary>-GitHost, -GitHostUrl, -GitHostToken, -PullRequest and -WriteBackTransport (Update-HelmImageTag and Invoke-ImageUpdater) → Core's <see cref="GitHostSettings"/> and <see cref="HostCommitSettings"/>, once.</summary>
    internal static class GitHostParameters
    {
        public static GitHostSettings Build(PSCmdlet cmdlet, string? gitHost, Uri? gitHostUrl, SecureString? gitHostToken, bool pullRequest)
        {
            if (gitHostUrl is not null && (!gitHostUrl.IsAbsoluteUri || (gitHostUrl.Scheme != Uri.UriSchemeHttps && gitHostUrl.Scheme != Uri.UriSchemeHttp)))
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-GitHostUrl '{Core.Security.UrlRedaction.Redact(gitHostUrl.OriginalString)}' is not an http(s) URL of a Git host's API (such as https://ghe.example.com/api/v3)."), "GitHostUrlInvalid", ErrorCategory.InvalidArgument, gitHostUrl));
            }

            return new GitHostSettings
            {
                Kind = GitHostSettings.ParseKind(gitHost),
                ApiUrl = gitHostUrl,
                Token = gitHostToken is null ? null : new NetworkCredential(string.Empty, gitHostToken),
                PullRequest = pullRequest,
            };
        }

        /// <summary>-WriteBackTransport: null for Git (a clone and a push), the host API transport's settings for HostApi.</summary>
        public static HostCommitSettings? Transport(string? writeBackTransport) => HostCommitSettings.For(writeBackTransport, TimeSpan.FromSeconds(60));
    }
}
