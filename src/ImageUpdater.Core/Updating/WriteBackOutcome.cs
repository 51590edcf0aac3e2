using System.Collections.Generic;

namespace ImageUpdater.Core.Updating
{
    /// <summary>What a write-back did: a result per candidate and the failures to report (each failed candidate also has a Failed result).</summary>
    public sealed class WriteBackOutcome
    {
        public List<ImageUpdateResult> Results { get; } = new List<ImageUpdateResult>();

        /// <summary>Failures with the application or repository they concern.</summary>
        public List<ImageUpdaterException> Errors { get; } = new List<ImageUpdaterException>();

        /// <summary>Candidates that already have a result.</summary>
        internal HashSet<ImageUpdateCandidate> Reported { get; } = new HashSet<ImageUpdateCandidate>();

        internal void Add(ImageUpdateCandidate candidate, ImageUpdateResult result)
        {
            Reported.Add(candidate);
            Results.Add(result);
        }

        /// <summary>The Message of a result whose write the user declined at the confirmation prompt (every writing path).</summary>
        public const string DeclinedMessage = "Declined at the confirmation prompt.";

        /// <summary>Skipped results for a unit the user declined at the confirmation prompt.</summary>
        public static WriteBackOutcome Declined(IWriteBackUnit unit)
        {
            var outcome = new WriteBackOutcome();
            foreach (var candidate in unit.Candidates)
            {
                outcome.Add(candidate, ImageUpdateResult.For(candidate, unit.Method, UpdateStatus.Skipped, DeclinedMessage) with { Repository = unit.Repository });
            }

            return outcome;
        }
    }
}
