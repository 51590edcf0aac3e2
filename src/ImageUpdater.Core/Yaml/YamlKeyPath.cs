using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ImageUpdater.Core.Yaml
{
    /// <summary>One step of a key path: a mapping key or a sequence index.</summary>
    public readonly struct YamlPathSegment
    {
        private YamlPathSegment(string? key, int index)
        {
            Key = key;
            Index = index;
        }

        /// <summary>The mapping key, or null for an index.</summary>
        public string? Key { get; }

        public int Index { get; }

        public bool IsIndex => Key is null;

        public static YamlPathSegment ForKey(string key) => new YamlPathSegment(key, -1);

        public static YamlPathSegment ForIndex(int index) => new YamlPathSegment(null, index);

        public override string ToString() => IsIndex ? "[" + Index.ToString(CultureInfo.InvariantCulture) + "]" : YamlKeyPath.EscapeKey(Key!);
    }

    /// <summary>A key path in Helm parameter syntax: <c>image.tag</c>, <c>images[0].tag</c>, <c>annotations.example\.com/x</c>.</summary>
    public sealed class YamlKeyPath
    {
        private YamlKeyPath(string text, IReadOnlyList<YamlPathSegment> segments)
        {
            Text = text;
            Segments = segments;
        }

        /// <summary>The path as written.</summary>
        public string Text { get; }

        public IReadOnlyList<YamlPathSegment> Segments { get; }

        /// <summary>Parses a path; a backslash escapes the next character (<c>a\.b</c> is the single key <c>a.b</c>).</summary>
        public static YamlKeyPath Parse(string path)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                throw Invalid(path ?? string.Empty, "it is empty");
            }

            var segments = new List<YamlPathSegment>();
            var key = new StringBuilder();
            var keyOpen = true; // a key may start here (beginning, after '.')
            for (var i = 0; i < path.Length; i++)
            {
                var c = path[i];
                if (c == '\\')
                {
                    if (i + 1 >= path.Length)
                    {
                        throw Invalid(path, "it ends with a lone backslash");
                    }

                    key.Append(path[++i]);
                }
                else if (c == '.')
                {
                    if (key.Length == 0 && keyOpen)
                    {
                        throw Invalid(path, $"it has an empty key at position {i + 1}");
                    }

                    Flush();
                    keyOpen = true;
                }
                else if (c == '[')
                {
                    Flush();
                    var close = path.IndexOf(']', i);
                    if (close < 0 || !int.TryParse(path.Substring(i + 1, close - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                    {
                        throw Invalid(path, $"the index at position {i + 1} is not [<number>]");
                    }

                    segments.Add(YamlPathSegment.ForIndex(index));
                    i = close;
                    keyOpen = false;
                    if (i + 1 < path.Length && path[i + 1] != '.' && path[i + 1] != '[')
                    {
                        throw Invalid(path, $"expected '.' or '[' after the index at position {i + 2}");
                    }
                }
                else
                {
                    key.Append(c);
                }
            }

            if (key.Length == 0 && keyOpen)
            {
                throw Invalid(path, "it ends with '.'");
            }

            Flush();
            return new YamlKeyPath(path, segments);

            void Flush()
            {
                if (key.Length > 0)
                {
                    segments.Add(YamlPathSegment.ForKey(key.ToString()));
                    key.Clear();
                }
            }
        }

        /// <summary>Writes segments back in the same syntax.</summary>
        public static string Format(IEnumerable<YamlPathSegment> segments)
        {
            var sb = new StringBuilder();
            foreach (var s in segments)
            {
                if (!s.IsIndex && sb.Length > 0)
                {
                    sb.Append('.');
                }

                sb.Append(s.ToString());
            }

            return sb.ToString();
        }

        internal static string EscapeKey(string key)
        {
            var sb = new StringBuilder(key.Length);
            foreach (var c in key)
            {
                if (c == '.' || c == '[' || c == '\\')
                {
                    sb.Append('\\');
                }

                sb.Append(c);
            }

            return sb.ToString();
        }

        public override string ToString() => Text;

        private static ImageUpdaterException Invalid(string path, string why) =>
            new ImageUpdaterException("YamlKeyPathInvalid", FailureKind.InvalidArgument,
                $"The key path '{path}' is not valid: {why}. Use dotted keys, [n] for list items and '\\.' for a dot inside a key (image.tag, images[0].tag, a\\.b).", path);
    }
}
