using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ImageUpdater.Core.Registries
{
    /// <summary>Where a registry's user and password come from (registries.conf <c>credentials</c>).</summary>
    // 64-bit on purpose: PowerShell's ConvertTo-Json writes such enums by name ("Status": "Updated"), not as a number.
    public enum CredentialSourceKind : long
    {
        /// <summary><c>env:VAR</c>: the variable holds <c>user:pass</c>.</summary>
        Environment,

        /// <summary><c>ext:/abs/script</c>: the script prints <c>user:pass</c>.</summary>
        External,

        /// <summary><c>secret:ns/name#field</c>: a Kubernetes secret field holds <c>user:pass</c>.</summary>
        Secret,

        /// <summary><c>pullsecret:ns/name</c>: a Kubernetes image pull secret (<c>.dockerconfigjson</c>).</summary>
        PullSecret,
    }

    /// <summary>Reads a Kubernetes secret's data (decoded); given by whoever holds a Kubernetes connection.</summary>
    public interface ISecretReader
    {
        Task<IReadOnlyDictionary<string, byte[]>> ReadSecretAsync(string ns, string name, CancellationToken cancellationToken);
    }

    /// <summary>Lists the secrets of a namespace that carry a label (Argo CD's repository secrets); given by whoever holds a Kubernetes connection.</summary>
    public interface ISecretLister
    {
        /// <summary>Each matching secret's name and decoded data.</summary>
        Task<IReadOnlyList<KeyValuePair<string, IReadOnlyDictionary<string, byte[]>>>> ListSecretsAsync(string ns, string labelSelector, CancellationToken cancellationToken);
    }

    /// <summary>A parsed credential reference; <see cref="ResolveAsync"/> fetches the credential it names.</summary>
    public sealed class CredentialSource
    {
        /// <summary>Upstream kills <c>ext:</c> scripts after 10 seconds.</summary>
        public static readonly TimeSpan DefaultScriptTimeout = TimeSpan.FromSeconds(10);

        private CredentialSource(string text, CredentialSourceKind kind, string target, string? ns, string? field)
        {
            Text = text;
            Kind = kind;
            Target = target;
            Namespace = ns;
            Field = field;
        }

        /// <summary>The reference as written (never contains a secret).</summary>
        public string Text { get; }

        public CredentialSourceKind Kind { get; }

        /// <summary>Variable name, script path, or secret name.</summary>
        public string Target { get; }

        public string? Namespace { get; }

        public string? Field { get; }

        public TimeSpan ScriptTimeout { get; set; } = DefaultScriptTimeout;

        /// <summary>Who wrote the reference; an annotation's reference is checked against <see cref="Policy"/> before any use.</summary>
        public CredentialOrigin Origin { get; private set; } = CredentialOrigin.Operator;

        /// <summary>The namespace of the Application whose annotation wrote the reference.</summary>
        public string? ApplicationNamespace { get; private set; }

        public PullSecretPolicy Policy { get; private set; } = PullSecretPolicy.Default;

        /// <summary>The reference without an upstream <c>registry=</c> prefix, as allow-list entries are written (<c>env:NAME</c>, <c>secret:ns/name#field</c>).</summary>
        public string Canonical => Kind switch
        {
            CredentialSourceKind.Environment => "env:" + Target,
            CredentialSourceKind.External => "ext:" + Target,
            CredentialSourceKind.Secret => "secret:" + Namespace + "/" + Target + "#" + Field,
            _ => "pullsecret:" + Namespace + "/" + Target,
        };

        /// <summary>Parses an Application's <c>pull-secret</c> annotation; throws PullSecretNotAllowed when <paramref name="policy"/> does not allow it.</summary>
        public static CredentialSource FromAnnotation(string text, string? applicationNamespace, PullSecretPolicy? policy = null)
        {
            var source = Parse(text);
            source.Origin = CredentialOrigin.Annotation;
            source.ApplicationNamespace = applicationNamespace;
            source.Policy = policy ?? PullSecretPolicy.Default;
            source.Policy.Demand(source, applicationNamespace);
            return source;
        }

        /// <summary>Why <paramref name="text"/> is not a credential reference at all (no kind, unknown kind, malformed), or null when it parses.</summary>
        public static string? SyntaxProblem(string text)
        {
            try
            {
                Parse(text);
                return null;
            }
            catch (ImageUpdaterException ex)
            {
                return ex.Message;
            }
        }

        /// <summary>Parses <c>env:</c>, <c>ext:</c>, <c>secret:</c> and <c>pullsecret:</c> references (an optional upstream <c>registry=</c> prefix is ignored).</summary>
        public static CredentialSource Parse(string text)
        {
            var value = (text ?? string.Empty).Trim();
            var eq = value.IndexOf('=');
            var colon = value.IndexOf(':');
            if (eq > 0 && (colon < 0 || eq < colon))
            {
                value = value.Substring(eq + 1);
                colon = value.IndexOf(':');
            }

            if (colon <= 0)
            {
                throw Invalid(text, "it has no 'kind:' prefix");
            }

            var kind = value.Substring(0, colon).ToLowerInvariant();
            var rest = value.Substring(colon + 1).Trim();
            switch (kind)
            {
                case "env":
                    if (rest.Length == 0)
                    {
                        throw Invalid(text, "the variable name is missing");
                    }

                    return new CredentialSource(text!, CredentialSourceKind.Environment, rest, null, null);
                case "ext":
                    if (!Path.IsPathRooted(rest))
                    {
                        throw Invalid(text, "the script path must be absolute");
                    }

                    return new CredentialSource(text!, CredentialSourceKind.External, rest, null, null);
                case "secret":
                {
                    var hash = rest.IndexOf('#');
                    var slash = rest.IndexOf('/');
                    if (hash < 0 || slash <= 0 || slash > hash || hash == rest.Length - 1 || hash == slash + 1)
                    {
                        throw Invalid(text, "write it as secret:<namespace>/<name>#<field>");
                    }

                    return new CredentialSource(text!, CredentialSourceKind.Secret, rest.Substring(slash + 1, hash - slash - 1), rest.Substring(0, slash), rest.Substring(hash + 1));
                }

                case "pullsecret":
                {
                    var slash = rest.IndexOf('/');
                    if (slash <= 0 || slash == rest.Length - 1)
                    {
                        throw Invalid(text, "write it as pullsecret:<namespace>/<name>");
                    }

                    return new CredentialSource(text!, CredentialSourceKind.PullSecret, rest.Substring(slash + 1), rest.Substring(0, slash), null);
                }

                default:
                    throw Invalid(text, $"'{kind}' is not one of env, ext, secret, pullsecret");
            }
        }

        /// <summary>Fetches the credential. <paramref name="registryHost"/> picks the entry of a pull secret.</summary>
        public async Task<NetworkCredential> ResolveAsync(string registryHost, ISecretReader? secrets, CancellationToken cancellationToken)
        {
            if (Origin == CredentialOrigin.Annotation)
            {
                // Checked again where the variable is read, the program run or the secret fetched: the one place that acts on it.
                Policy.Demand(this, ApplicationNamespace);
            }

            switch (Kind)
            {
                case CredentialSourceKind.Environment:
                {
                    var value = System.Environment.GetEnvironmentVariable(Target);
                    if (string.IsNullOrEmpty(value))
                    {
                        throw new ImageUpdaterException("RegistryCredentialMissing", FailureKind.AuthenticationError, $"Credentials '{Text}': the environment variable {Target} is not set. Set it to 'user:password'.", Text);
                    }

                    return SplitUserPassword(value!, $"the environment variable {Target}");
                }

                case CredentialSourceKind.External:
                    return SplitUserPassword(await RunScriptAsync(cancellationToken).ConfigureAwait(false), $"the output of {Target}");
                case CredentialSourceKind.Secret:
                {
                    var data = await ReadSecretAsync(secrets, cancellationToken).ConfigureAwait(false);
                    if (!data.TryGetValue(Field!, out var bytes))
                    {
                        throw new ImageUpdaterException("RegistryCredentialMissing", FailureKind.ObjectNotFound, $"Credentials '{Text}': secret {Namespace}/{Target} has no field '{Field}' (fields: {string.Join(", ", data.Keys)}).", Text);
                    }

                    return SplitUserPassword(Encoding.UTF8.GetString(bytes), $"field '{Field}' of secret {Namespace}/{Target}");
                }

                default:
                {
                    var data = await ReadSecretAsync(secrets, cancellationToken).ConfigureAwait(false);
                    if (!data.TryGetValue(".dockerconfigjson", out var bytes))
                    {
                        throw new ImageUpdaterException("RegistryCredentialMissing", FailureKind.InvalidData, $"Credentials '{Text}': secret {Namespace}/{Target} has no '.dockerconfigjson'; a pull secret is of type kubernetes.io/dockerconfigjson.", Text);
                    }

                    return FromDockerConfig(bytes, registryHost);
                }
            }
        }

        /// <summary>The <c>auths</c> entry of a Docker config for a host (keys may be URLs with a scheme or path).</summary>
        internal NetworkCredential FromDockerConfig(byte[] json, string registryHost)
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.TryGetProperty("auths", out var auths) && auths.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in auths.EnumerateObject())
                {
                    var key = entry.Name;
                    var schemeEnd = key.IndexOf("://", StringComparison.Ordinal);
                    if (schemeEnd >= 0)
                    {
                        key = key.Substring(schemeEnd + 3);
                    }

                    var slash = key.IndexOf('/');
                    if (slash >= 0)
                    {
                        key = key.Substring(0, slash);
                    }

                    var same = string.Equals(key, registryHost, StringComparison.OrdinalIgnoreCase)
                        || (RegistriesConfig.IsDockerHubHost(key) && RegistriesConfig.IsDockerHubHost(registryHost));
                    if (!same)
                    {
                        continue;
                    }

                    if (entry.Value.TryGetProperty("auth", out var auth) && auth.GetString() is { Length: > 0 } encoded)
                    {
                        return SplitUserPassword(Encoding.UTF8.GetString(Convert.FromBase64String(encoded)), $"the '{entry.Name}' entry of pull secret {Namespace}/{Target}");
                    }

                    if (entry.Value.TryGetProperty("username", out var user) && entry.Value.TryGetProperty("password", out var pass))
                    {
                        return new NetworkCredential(user.GetString(), pass.GetString());
                    }
                }
            }

            throw new ImageUpdaterException("RegistryCredentialMissing", FailureKind.ObjectNotFound, $"Credentials '{Text}': pull secret {Namespace}/{Target} has no entry for {registryHost}.", Text);
        }

        private async Task<IReadOnlyDictionary<string, byte[]>> ReadSecretAsync(ISecretReader? secrets, CancellationToken cancellationToken)
        {
            if (secrets is null)
            {
                throw new ImageUpdaterException("KubernetesConnectionRequired", FailureKind.InvalidOperation, $"Credentials '{Text}' are read from a Kubernetes secret, and no Kubernetes connection was given. Pass -Kubeconfig, or use env:, ext: or -Credential instead.", Text);
            }

            return await secrets.ReadSecretAsync(Namespace!, Target, cancellationToken).ConfigureAwait(false);
        }

        private async Task<string> RunScriptAsync(CancellationToken cancellationToken)
        {
            if (!File.Exists(Target))
            {
                throw new ImageUpdaterException("RegistryCredentialScriptFailed", FailureKind.ObjectNotFound, $"Credentials '{Text}': the script {Target} does not exist.", Text);
            }

            var info = new ProcessStartInfo(Target)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                CreateNoWindow = true,
            };
            Process process;
            try
            {
                process = Process.Start(info) ?? throw new InvalidOperationException("no process");
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception || e is InvalidOperationException)
            {
                throw new ImageUpdaterException("RegistryCredentialScriptFailed", FailureKind.PermissionDenied, $"Credentials '{Text}': {Target} could not be started ({e.Message}); it must be an executable file.", Text, e);
            }

            using (process)
            {
                process.StandardInput.Close();
                var stdout = process.StandardOutput.ReadToEndAsync();
                var stderr = process.StandardError.ReadToEndAsync();
                var exited = await Task.Run(() => process.WaitForExit((int)ScriptTimeout.TotalMilliseconds), cancellationToken).ConfigureAwait(false);
                if (!exited)
                {
                    KillTree(process);
                    throw new ImageUpdaterException("RegistryCredentialScriptTimeout", FailureKind.OperationTimeout, $"Credentials '{Text}': {Target} did not finish within {ScriptTimeout.TotalSeconds:0.#} s and was stopped.", Text);
                }

                process.WaitForExit();
                var output = await stdout.ConfigureAwait(false);
                var errors = (await stderr.ConfigureAwait(false)).Trim();
                if (process.ExitCode != 0)
                {
                    throw new ImageUpdaterException("RegistryCredentialScriptFailed", FailureKind.AuthenticationError, $"Credentials '{Text}': {Target} exited with code {process.ExitCode}" + (errors.Length > 0 ? ": " + errors : " and wrote nothing to stderr."), Text);
                }

                return output;
            }
        }

        private static void KillTree(Process process)
        {
            try
            {
#if NET8_0_OR_GREATER
                process.Kill(true);
#else
                process.Kill();
#endif
            }
            catch (InvalidOperationException)
            {
                // It ended between the timeout and the kill.
            }
        }

        /// <summary><c>user:password</c> (first line, trimmed) → a credential; the message names where it came from, never the value.</summary>
        internal NetworkCredential SplitUserPassword(string value, string origin)
        {
            var line = value.Trim();
            var newline = line.IndexOf('\n');
            if (newline >= 0)
            {
                line = line.Substring(0, newline).TrimEnd('\r');
            }

            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                throw new ImageUpdaterException("RegistryCredentialInvalid", FailureKind.InvalidData, $"Credentials '{Text}': {origin} must be 'user:password' on one line.", Text);
            }

            return new NetworkCredential(line.Substring(0, colon), line.Substring(colon + 1));
        }

        private static ImageUpdaterException Invalid(string? text, string why) =>
            new ImageUpdaterException("RegistryCredentialSourceInvalid", FailureKind.InvalidArgument, $"Credentials '{text}' are not valid: {why}. Use env:VAR, ext:/path/script, secret:ns/name#field or pullsecret:ns/name.", text);

        public override string ToString() => Text;
    }
}
