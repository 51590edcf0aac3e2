using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Registries;
using ImageUpdater.Core.Updating;

namespace ImageUpdater.Core.WriteBack.Git
{
    /// <summary>
    /// <c>write-back-method: git:secret:&lt;namespace&gt;/&lt;name&gt;</c>: the credentials of a Kubernetes secret read through the API
    /// (keys <c>username</c>/<c>password</c> or <c>sshPrivateKey</c>, as Argo CD's repository secrets). Only the Application's own
    /// namespace unless the operator allow-lists <c>secret:ns/name</c> (the pull-secret policy's rule, one home).
    /// </summary>
    internal sealed class GitSecretCredentials : IDisposable
    {
        private const string Prefix = "secret:";
        private string? keyFile;

        private GitSecretCredentials(GitCredentials credentials) => Credentials = credentials;

        public GitCredentials Credentials { get; }

        /// <summary>
        /// Fails the candidates whose git:secret: reference is malformed or names another namespace's secret the operator did not allow, so
        /// an application cannot ride on another's secret in a shared batch; the rest of the batch comes back.
        /// </summary>
        public static GitRepositoryBatch RefuseDisallowed(GitRepositoryBatch batch, GitWriteBackOptions options, string url, WriteBackOutcome outcome)
        {
            if (options.Secrets is null)
            {
                return batch;
            }

            var kept = new List<ImageUpdateCandidate>();
            foreach (var app in batch.Candidates.GroupBy(c => c.ApplicationObject))
            {
                var problem = Reference(app.Key, options, out _, out _);
                if (problem is null)
                {
                    kept.AddRange(app);
                }
                else
                {
                    GitWriteBack.Fail(outcome, app, url, null, problem);
                }
            }

            return kept.Count == batch.Candidates.Count ? batch : new GitRepositoryBatch(batch.Repository, kept);
        }

        /// <summary>The secret named by the batch's first application with git:secret:, or null (no such application, or no reader: the parameters apply).</summary>
        public static GitSecretCredentials? Read(GitRepositoryBatch batch, GitWriteBackOptions options, string url)
        {
            var application = batch.Candidates.Select(c => c.ApplicationObject).FirstOrDefault(IsSecret);
            if (application is null || options.Secrets is null)
            {
                return null;
            }

            if (Reference(application, options, out var ns, out var name) is { } problem)
            {
                throw problem;
            }

            var reference = ns + "/" + name;
            IReadOnlyDictionary<string, byte[]> data;
            try
            {
                data = options.Secrets.ReadSecretAsync(ns, name, options.CancellationToken).GetAwaiter().GetResult();
            }
            catch (ImageUpdaterException e) when (e.ErrorId == "RegistryCredentialMissing")
            {
                throw GitErrors.Error("GitSecretNotFound", $"Application '{application.QualifiedName}' writes to {url} with git:secret:{reference}, but there is no such secret: create it with username/password or sshPrivateKey.", application, e);
            }

            return FromData(data, application, reference, url, options.Credentials);
        }

        /// <summary>
        /// Argo CD's repository credentials for <paramref name="url"/> when an application of the batch uses git:repocreds (or plain git) and
        /// Argo CD's secrets can be listed; null when none matches (the parameters apply). The credential goes only to that URL.
        /// </summary>
        public static GitSecretCredentials? ReadRepoCreds(GitRepositoryBatch batch, GitWriteBackOptions options, string url)
        {
            var application = batch.Candidates.Select(c => c.ApplicationObject).FirstOrDefault(IsRepoCreds);
            if (application is null || options.RepositorySecrets is null || !(RepositoryUrl.IsHttp(url) || RepositoryUrl.IsSsh(url)))
            {
                return null;
            }

            KeyValuePair<string, IReadOnlyDictionary<string, byte[]>>? found;
            try
            {
                found = ArgoRepositoryCredentials.Read(options.RepositorySecrets, options.ArgoCDNamespace, url, options.CancellationToken);
            }
            catch (ImageUpdaterException e) when (e.Kind == FailureKind.PermissionDenied && RepositoryUrl.IsSsh(url))
            {
                // ssh still has its own keys and agent to try; an https push without a credential would only fail later.
                options.Warning?.Invoke(e.Message);
                return null;
            }

            if (found is not { } match)
            {
                return null;
            }

            var reference = options.ArgoCDNamespace + "/" + match.Key;
            options.Verbose?.Invoke($"Using Argo CD's repository credentials (secret {reference}) for {url}.");
            return FromData(match.Value, application, reference, url, options.Credentials);
        }

        internal static bool IsRepoCreds(ArgoApplication application) => application.WriteBack.Credentials is null or "repocreds";

        private static bool IsSecret(ArgoApplication application) => application.WriteBack.Credentials?.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) == true;

        /// <summary>Why the application's git:secret: reference may not be read (malformed, or another namespace not allowed), or null.</summary>
        private static ImageUpdaterException? Reference(ArgoApplication application, GitWriteBackOptions options, out string ns, out string name)
        {
            ns = name = string.Empty;
            if (!IsSecret(application))
            {
                return null;
            }

            var text = application.WriteBack.Credentials!;
            var reference = text.Substring(Prefix.Length).Trim();
            var slash = reference.IndexOf('/');
            if (slash <= 0 || slash == reference.Length - 1 || reference.IndexOf('/', slash + 1) >= 0)
            {
                return GitErrors.Error("GitSecretInvalid", $"Application '{application.QualifiedName}' has write-back-method 'git:{text}'; write it as git:secret:<namespace>/<name>.", application);
            }

            ns = reference.Substring(0, slash);
            name = reference.Substring(slash + 1);
            // Anyone who can edit an Application writes its annotations: another namespace's secret needs the operator's allow-list entry.
            var canonical = "secret:" + ns + "/" + name;
            if (!string.Equals(ns, application.Namespace, StringComparison.Ordinal) && !options.AllowedSecrets.Any(p => PullSecretPolicy.Matches(p, canonical)))
            {
                return GitErrors.Error("GitSecretNotAllowed", $"Application '{application.QualifiedName}' (namespace '{application.Namespace}') names git:{canonical}, a secret of another namespace; only secrets of the application's own namespace are read unless the operator allows it with -AllowGitSecret '{canonical}' (or 'secret:{ns}/*').", application);
            }

            return null;
        }

        private static GitSecretCredentials FromData(IReadOnlyDictionary<string, byte[]> data, ArgoApplication application, string reference, string url, GitCredentials parameters)
        {
            string? Value(string key) => data.TryGetValue(key, out var bytes) && bytes.Length > 0 ? Encoding.UTF8.GetString(bytes) : null;
            var credentials = new GitCredentials { SshKnownHostsPath = parameters.SshKnownHostsPath, AllowHttp = parameters.AllowHttp };
            if (Value("password") is { } password)
            {
                credentials.HttpsByPrefix = new[] { new KeyValuePair<string, NetworkCredential>(url, new NetworkCredential(Value("username") ?? "x-access-token", password)) };
                return new GitSecretCredentials(credentials);
            }

            if (Value("sshPrivateKey") is { } key)
            {
                var result = new GitSecretCredentials(credentials);
                result.keyFile = WriteKey(key);
                credentials.SshKeyPath = result.keyFile;
                return result;
            }

            if (Value("githubAppPrivateKey") is { } appKey)
            {
                if (Value("githubAppID") is not { } appId || Value("githubAppInstallationID") is not { } installation)
                {
                    throw GitErrors.Error("GitHubAppInvalid", $"Secret {reference} of application '{application.QualifiedName}' has githubAppPrivateKey but not both githubAppID and githubAppInstallationID.", application);
                }

                credentials.GitHubApp = new GitHubAppCredential(appId, installation, appKey, Value("githubAppEnterpriseBaseUrl"));
                credentials.GitHubAppScope = new[] { url };
                return new GitSecretCredentials(credentials);
            }

            throw GitErrors.Error("GitSecretEmpty", $"Secret {reference} of application '{application.QualifiedName}' has none of the keys git write-back reads: username and password, sshPrivateKey, or githubAppID, githubAppInstallationID and githubAppPrivateKey.", application);
        }

        /// <summary>ssh reads keys from files: the key goes into a file only this user can read, deleted with the batch.</summary>
        private static string WriteKey(string key)
        {
            var path = Path.Combine(Path.GetTempPath(), "imageupdater-key-" + Guid.NewGuid().ToString("N"));
#if NET
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(path, options))
#else
            using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
#endif
            {
                var bytes = Encoding.UTF8.GetBytes(key.Replace("\r\n", "\n").TrimEnd('\n') + "\n");
                stream.Write(bytes, 0, bytes.Length);
            }

            return path;
        }

        public void Dispose()
        {
            if (keyFile is not null && File.Exists(keyFile))
            {
                File.Delete(keyFile);
            }
        }
    }
}
