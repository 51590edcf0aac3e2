using System;
using System.Collections.Generic;

namespace ImageUpdater.Core.Updating
{
    /// <summary>What one Invoke-ImageUpdater run did (PSTypeName ImageUpdater.ImageUpdateSummary).</summary>
    public sealed class ImageUpdateSummary
    {
        public int Applications { get; set; }

        public int ImagesChecked { get; set; }

        public int Updated { get; set; }

        public int Unchanged { get; set; }

        public int Skipped { get; set; }

        /// <summary>Images for which no tag qualifies (every tag rejected by the constraint, allow-tags, ignore-tags or platforms).</summary>
        public int NoTag { get; set; }

        public int Failed { get; set; }

        /// <summary>Images held by a hand change in git or the hold annotation.</summary>
        public int Held { get; set; }

        /// <summary>Images that -WhatIf would have updated.</summary>
        public int WhatIf { get; set; }

        /// <summary>Registry requests sent again after throttling or a transient failure, plus pushes retried after a rejection.</summary>
        public int Retries { get; set; }

        /// <summary>Requests per registry operation (<c>ecr DescribeImages</c>, <c>oci GET tags</c>, …).</summary>
        public IDictionary<string, int> Requests { get; set; } = new SortedDictionary<string, int>(StringComparer.Ordinal);

        public int Commits { get; set; }

        public int Pushes { get; set; }

        public int Fetches { get; set; }

        /// <summary>Wall time of the run in seconds: a number in JSON and CSV, where a TimeSpan would be a 15-field object.</summary>
        public double DurationSeconds { get; set; }

        /// <summary>Counts one result by its status.</summary>
        public void Count(ImageUpdateResult result)
        {
            switch (result.Status)
            {
                case UpdateStatus.Updated: Updated++; break;
                case UpdateStatus.Unchanged: Unchanged++; break;
                case UpdateStatus.Skipped: Skipped++; break;
                case UpdateStatus.WhatIf: WhatIf++; break;
                case UpdateStatus.NoTag: NoTag++; break;
                case UpdateStatus.Held: Held++; break;
                default: Failed++; break;
            }
        }

        public override string ToString() =>
            $"{Applications} application(s), {ImagesChecked} image(s): {Updated} updated, {Unchanged} unchanged, {Skipped} skipped, {Failed} failed" + (NoTag > 0 ? $", {NoTag} without a qualifying tag" : string.Empty) + (Held > 0 ? $", {Held} held" : string.Empty) + (WhatIf > 0 ? $", {WhatIf} would update" : string.Empty);
    }
}
