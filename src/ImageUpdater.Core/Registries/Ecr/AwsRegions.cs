using System.Collections.Generic;
using System.Linq;
using Amazon;

namespace ImageUpdater.Core.Registries.Ecr
{
    /// <summary>The regions of every AWS partition (aws, aws-cn, aws-us-gov, …), as the SDK knows them: the one list for completion and checks.</summary>
    public static class AwsRegions
    {
        /// <summary>(SystemName, DisplayName) pairs, sorted by name.</summary>
        public static IReadOnlyList<KeyValuePair<string, string>> All { get; } = RegionEndpoint.EnumerableAllRegions
            .Select(r => new KeyValuePair<string, string>(r.SystemName, r.DisplayName))
            .Where(r => r.Key.Count(c => c == '-') >= 2)
            .GroupBy(r => r.Key)
            .Select(g => g.First())
            .OrderBy(r => r.Key, System.StringComparer.Ordinal)
            .ToList();
    }
}
