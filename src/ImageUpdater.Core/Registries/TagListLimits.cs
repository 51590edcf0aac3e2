using System;

namespace ImageUpdater.Core.Registries
{
    /// <summary>
    /// How much one repository's tag listing may cost (pages, tags, bytes) before it fails, and how long one image may wait for
    /// its listing: a registry that pages forever or answers a huge page fails its images, not the run.
    /// </summary>
    public sealed class TagListLimits
    {
        public static readonly TagListLimits Default = new TagListLimits();

        /// <summary>Tag list pages (distribution API) or DescribeImages pages (ECR) read per repository at most.</summary>
        public int MaxPages { get; set; } = 1000;

        /// <summary>Tags (or ECR images) per repository at most.</summary>
        public int MaxTags { get; set; } = 100_000;

        /// <summary>Bytes of tag list responses per repository at most.</summary>
        public long MaxBytes { get; set; } = 64L * 1024 * 1024;

        /// <summary>How long one image waits for its listing before it is reported Failed (the others go on); zero or less: no limit.</summary>
        public TimeSpan ImageTimeout { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>Throws when a listing read so far is over a limit.</summary>
        public void Check(string registry, string repository, int pages, long tags, long bytes)
        {
            string? over = pages > MaxPages ? $"more than {MaxPages} pages"
                : tags > MaxTags ? $"more than {MaxTags} tags"
                : bytes > MaxBytes ? $"more than {MaxBytes / (1024 * 1024)} MB"
                : null;
            if (over is not null)
            {
                throw new ImageUpdaterException("RegistryTagListTooLarge", FailureKind.LimitsExceeded, $"{registry} lists {over} for {repository}; stopped reading it. Remove old tags, or raise the limit (TagListLimits in the registry settings) if the repository really is that large.", repository);
            }
        }

        /// <summary>The failure of an image whose listing did not finish within <see cref="ImageTimeout"/>.</summary>
        public ImageUpdaterException TimedOut(string image) =>
            new ImageUpdaterException("ImageTimeout", FailureKind.OperationTimeout, $"Listing the tags of {image} took longer than {ImageTimeout.TotalSeconds:0} s; the other images went on without it. Check the registry, or raise -ImageTimeoutSec.", image);
    }
}
