using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace ImageUpdater.Core.Tags
{
    /// <summary>The platforms of a tag: a list to scripts and JSON, <c>linux/amd64,linux/arm64</c> as text (Export-Csv, string interpolation).</summary>
    public sealed class PlatformList : IReadOnlyList<string>
    {
        public static readonly PlatformList Empty = new PlatformList(Array.Empty<string>());

        private readonly string[] items;

        public PlatformList(IEnumerable<string> items)
        {
            this.items = (items ?? throw new ArgumentNullException(nameof(items))).ToArray();
        }

        public int Count => items.Length;

        public string this[int index] => items[index];

        public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)items).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => items.GetEnumerator();

        public override string ToString() => string.Join(",", items);
    }
}
