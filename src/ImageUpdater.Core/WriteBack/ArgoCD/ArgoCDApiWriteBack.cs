using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack;

namespace ImageUpdater.Core.WriteBack.ArgoCD
{
    /// <summary>
    /// The <c>argocd</c> write-back method through the Argo CD API: read the Application, PATCH its spec with a JSON Patch whose
    /// <c>test</c> operations guard the replaced values, and when someone changed them in between, read again and re-apply (bounded).
    /// </summary>
    public sealed class ArgoCDApiWriteBack
    {
        private readonly Func<ArgoCDClient> connect;
        private readonly object connecting = new object();
        private ArgoCDClient? connected;

        public ArgoCDApiWriteBack(ArgoCDClient client, int maxAttempts = 5)
            : this(() => client, maxAttempts)
        {
        }

        /// <summary>Connects on first use, so that a missing session fails each application (as a result and an error) rather than the whole call.</summary>
        public ArgoCDApiWriteBack(Func<ArgoCDClient> connect, int maxAttempts = 5)
        {
            this.connect = connect;
            MaxAttempts = Math.Max(1, maxAttempts);
        }

        /// <summary>PATCH attempts per application before giving up on a busy application.</summary>
        public int MaxAttempts { get; }

        /// <summary>Reports each request and retry (for -Verbose).</summary>
        public Action<string>? Log { get; set; }

        /// <summary>Writes images the hold annotation holds too (-IgnoreHold); without git history only the explicit hold applies here.</summary>
        public bool IgnoreHold { get; set; }

        /// <summary>Writes every application's candidates; a failed application gives Failed results and an error, and the others go on.</summary>
        public WriteBackOutcome Apply(IReadOnlyList<ImageUpdateCandidate> candidates, bool whatIf, CancellationToken cancellationToken = default)
        {
            var outcome = new WriteBackOutcome();
            var now = DateTimeOffset.UtcNow;
            var free = new List<ImageUpdateCandidate>();
            foreach (var candidate in candidates)
            {
                if (!IgnoreHold && !string.IsNullOrEmpty(candidate.NewTag) && HoldRule.Decide(candidate.Spec.Hold, null, candidate.Spec.UpdateStrategy, candidate.NewTag!, now) is { } reason)
                {
                    outcome.Results.Add(Result(candidate, UpdateStatus.Held, null, reason, null));
                }
                else
                {
                    free.Add(candidate);
                }
            }

            foreach (var group in ByApplication(free))
            {
                try
                {
                    foreach (var result in Write(group, (_, _) => !whatIf, cancellationToken))
                    {
                        outcome.Results.Add(result);
                    }
                }
                catch (ImageUpdaterException ex)
                {
                    outcome.Errors.Add(ex);
                    outcome.Results.AddRange(group.Select(c => Result(c, UpdateStatus.Failed, null, ex.Message, null)));
                }
            }

            return outcome;
        }

        /// <summary>Groups candidates by application, in first-seen order.</summary>
        public static IEnumerable<IReadOnlyList<ImageUpdateCandidate>> ByApplication(IEnumerable<ImageUpdateCandidate> candidates) =>
            candidates.GroupBy(c => c.ApplicationObject.QualifiedName, StringComparer.Ordinal).Select(g => (IReadOnlyList<ImageUpdateCandidate>)g.ToList());

        /// <summary>
        /// Writes the candidates of ONE application. <paramref name="confirm"/>(target, "PATCH &lt;json patch&gt;") is asked once before
        /// anything is written; false gives WhatIf results carrying the patch. Throws <see cref="ImageUpdaterException"/> when the
        /// application cannot be written.
        /// </summary>
        public IReadOnlyList<ImageUpdateResult> Write(IReadOnlyList<ImageUpdateCandidate> candidates, Func<string, string, bool> confirm, CancellationToken cancellationToken = default)
        {
            if (candidates.Count == 0)
            {
                return Array.Empty<ImageUpdateResult>();
            }

            var app = candidates[0].ApplicationObject;
            if (candidates.Any(c => !ReferenceEquals(c.ApplicationObject, app) && c.ApplicationObject.QualifiedName != app.QualifiedName))
            {
                throw new ArgumentException("Write takes the candidates of one application; group them with ByApplication.", nameof(candidates));
            }

            var toWrite = candidates.Where(c => c.UpdateNeeded && (c.NewTag is not null || c.NewDigest is not null)).ToList();
            var results = candidates.Where(c => !toWrite.Contains(c)).Select(c => ImageUpdateResult.Settled(c, Method)).ToList();
            if (toWrite.Count == 0)
            {
                return results;
            }

            ArgoCDClient client;
            // Units of several applications write at once; they share one connection.
            lock (connecting)
            {
                client = connected ??= connect();
            }

            var confirmed = false;
            for (var attempt = 1; ; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Log?.Invoke($"GET application '{app.QualifiedName}' from {client.Origin}.");
                var current = JsonNode.Parse(client.GetApplicationAsync(app.Name, app.Namespace, app.Project, cancellationToken).GetAwaiter().GetResult().GetRawText()) as JsonObject
                    ?? throw new ImageUpdaterException("ArgoCDInvalidAnswer", FailureKind.InvalidData, $"Argo CD at {client.Origin} returned no object for '{app.Name}'.", app.Name);
                var patch = ApplicationImagePatch.Build(current, toWrite);
                var text = patch.ToJson();
                if (patch.IsEmpty)
                {
                    results.AddRange(toWrite.Select(c => Result(c, UpdateStatus.Unchanged, patch.Targets.TryGetValue(c, out var t) ? t : null, "The Application already has this image.", null)));
                    return results;
                }

                if (!confirmed)
                {
                    if (!confirm(app.QualifiedName + " on " + client.Origin, "PATCH " + text))
                    {
                        results.AddRange(toWrite.Select(c => Result(c, UpdateStatus.WhatIf, patch.Targets[c], "Would patch the Application.", patch.ToJson(indented: true))));
                        return results;
                    }

                    confirmed = true;
                }

                try
                {
                    Log?.Invoke($"PATCH application '{app.QualifiedName}' on {client.Origin}: {patch.Operations.Count} operation(s) on {string.Join(", ", patch.Targets.Values.Distinct())}.");
                    client.PatchApplicationAsync(app.Name, app.Namespace, app.Project, text, cancellationToken).GetAwaiter().GetResult();
                    var message = attempt == 1 ? "Patched the Application." : $"Patched the Application after {attempt - 1} concurrent change(s) were read back and kept.";
                    results.AddRange(toWrite.Select(c => Result(c, UpdateStatus.Updated, patch.Targets[c], message, patch.ToJson(indented: true))));
                    return results;
                }
                catch (ImageUpdaterException ex) when (ex.ErrorId == ArgoCDClient.ChangedErrorId)
                {
                    if (attempt >= MaxAttempts)
                    {
                        throw new ImageUpdaterException("ArgoApplicationBusy", FailureKind.ResourceUnavailable, $"Application '{app.QualifiedName}' changed on {client.Origin} during each of {MaxAttempts} attempts to patch it; nothing was overwritten. Run the update again.", app.Name, ex);
                    }

                    Log?.Invoke($"Application '{app.QualifiedName}' changed since it was read; reading it again (attempt {attempt + 1} of {MaxAttempts}).");
                    Thread.Sleep(TimeSpan.FromMilliseconds(50 * attempt));
                }
            }
        }

        private const string Method = "argocd";

        private ImageUpdateResult Result(ImageUpdateCandidate candidate, UpdateStatus status, string? target, string message, string? diff) =>
            ImageUpdateResult.For(candidate, Method, status, message) with { Repository = connected?.Origin, Target = target, Diff = diff };
    }
}
