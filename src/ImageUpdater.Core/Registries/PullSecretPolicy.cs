using System;
using System.Collections.Generic;
using System.Linq;

namespace ImageUpdater.Core.Registries
{
    /// <summary>Who wrote a credential reference: the operator (registries.conf) is trusted, an Application's annotation is not.</summary>
    public enum CredentialOrigin
    {
        Operator,
        Annotation,
    }

    /// <summary>
    /// Which <c>pull-secret</c> annotation values may be used. Anyone who can edit an Application writes its annotations, so by
    /// default an annotation may only name <c>secret:</c>/<c>pullsecret:</c> secrets of the Application's own namespace; <c>env:</c>
    /// and <c>ext:</c> (read any variable of the runner, run any program) and other namespaces need an operator allow-list entry.
    /// </summary>
    public sealed class PullSecretPolicy
    {
        public PullSecretPolicy(IEnumerable<string>? allowed = null)
        {
            Allowed = (allowed ?? Array.Empty<string>()).Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a.Trim()).ToArray();
        }

        /// <summary>Nothing allowed beyond the Application's own namespace.</summary>
        public static PullSecretPolicy Default { get; } = new PullSecretPolicy();

        /// <summary>Operator entries, written like the annotation (<c>env:REG_PASS</c>, <c>ext:/opt/creds/ecr.sh</c>, <c>secret:shared/*</c>); <c>*</c> matches any text.</summary>
        public IReadOnlyList<string> Allowed { get; }

        /// <summary>Why an annotation may not use <paramref name="source"/> for an Application in <paramref name="applicationNamespace"/>, or null when it may.</summary>
        public string? Problem(CredentialSource source, string? applicationNamespace)
        {
            if (source is null)
            {
                throw new ArgumentNullException(nameof(source));
            }

            if (IsAllowed(source.Canonical))
            {
                return null;
            }

            const string Allow = "; the operator can allow it with -AllowPullSecret '{0}' or name the credentials in registries.conf";
            switch (source.Kind)
            {
                case CredentialSourceKind.Environment:
                    return $"'{source.Text}' would send the runner's environment variable {source.Target} to a registry the annotation chooses, so a pull-secret annotation may not use env:" + string.Format(System.Globalization.CultureInfo.InvariantCulture, Allow, source.Canonical);
                case CredentialSourceKind.External:
                    return $"'{source.Text}' would run {source.Target} on the runner, so a pull-secret annotation may not use ext:" + string.Format(System.Globalization.CultureInfo.InvariantCulture, Allow, source.Canonical);
                default:
                    if (!string.IsNullOrEmpty(applicationNamespace) && string.Equals(source.Namespace, applicationNamespace, StringComparison.Ordinal))
                    {
                        return null;
                    }

                    var own = string.IsNullOrEmpty(applicationNamespace) ? "the application has no namespace" : $"only secrets of the application's namespace '{applicationNamespace}' may be named";
                    return $"'{source.Text}' reads a secret of namespace '{source.Namespace}', and {own}" + string.Format(System.Globalization.CultureInfo.InvariantCulture, Allow, (source.Kind == CredentialSourceKind.Secret ? "secret:" : "pullsecret:") + source.Namespace + "/*");
            }
        }

        /// <summary>For the annotation linter: why the annotation text cannot be used (unparsable or not allowed), or null.</summary>
        public string? AnnotationProblem(string text, string? applicationNamespace)
        {
            try
            {
                return Problem(CredentialSource.Parse(text), applicationNamespace);
            }
            catch (ImageUpdaterException ex)
            {
                return ex.Message;
            }
        }

        /// <summary>Throws PullSecretNotAllowed (PermissionDenied) unless <see cref="Problem"/> is null.</summary>
        public void Demand(CredentialSource source, string? applicationNamespace)
        {
            if (Problem(source, applicationNamespace) is { } problem)
            {
                throw new ImageUpdaterException("PullSecretNotAllowed", FailureKind.PermissionDenied, "pull-secret " + problem + ".", source.Text);
            }
        }

        private bool IsAllowed(string canonical) => Allowed.Any(pattern => Matches(pattern, canonical));

        /// <summary>Ordinal match where <c>*</c> stands for any text (the kind before ':' ignores case).</summary>
        internal static bool Matches(string pattern, string text)
        {
            var colon = pattern.IndexOf(':');
            if (colon > 0)
            {
                pattern = pattern.Substring(0, colon).ToLowerInvariant() + pattern.Substring(colon);
            }

            var parts = pattern.Split('*');
            if (parts.Length == 1)
            {
                return string.Equals(pattern, text, StringComparison.Ordinal);
            }

            if (!text.StartsWith(parts[0], StringComparison.Ordinal))
            {
                return false;
            }

            var at = parts[0].Length;
            for (var i = 1; i < parts.Length - 1; i++)
            {
                var found = text.IndexOf(parts[i], at, StringComparison.Ordinal);
                if (found < 0)
                {
                    return false;
                }

                at = found + parts[i].Length;
            }

            var last = parts[parts.Length - 1];
            return text.Length - at >= last.Length && text.EndsWith(last, StringComparison.Ordinal);
        }
    }
}
