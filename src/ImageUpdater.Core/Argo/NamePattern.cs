using System.Text;
using System.Text.RegularExpressions;

namespace ImageUpdater.Core.Argo
{
    /// <summary>
    /// An application name pattern as PowerShell users write it (<c>*</c>, <c>?</c>, <c>[a-c]</c>, a backtick escapes),
    /// matched case-insensitively like <c>-Name</c> of Get-Process.
    /// </summary>
    public sealed class NamePattern
    {
        private readonly Regex regex;

        public NamePattern(string pattern)
        {
            Text = pattern;
            regex = new Regex(ToRegex(pattern), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);
        }

        public string Text { get; }

        /// <summary>True when the text has an unescaped <c>*</c>, <c>?</c> or <c>[</c>; a name without them is fetched by name.</summary>
        public static bool HasWildcards(string text)
        {
            for (var i = 0; i < text.Length; i++)
            {
                switch (text[i])
                {
                    case '`':
                        i++;
                        break;
                    case '*':
                    case '?':
                    case '[':
                        return true;
                }
            }

            return false;
        }

        /// <summary>The name a pattern without wildcards stands for (escapes removed).</summary>
        public static string Unescape(string text)
        {
            var result = new StringBuilder(text.Length);
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] == '`' && i + 1 < text.Length)
                {
                    i++;
                }

                result.Append(text[i]);
            }

            return result.ToString();
        }

        public bool IsMatch(string name) => regex.IsMatch(name);

        public override string ToString() => Text;

        private static string ToRegex(string pattern)
        {
            var result = new StringBuilder("^");
            for (var i = 0; i < pattern.Length; i++)
            {
                var c = pattern[i];
                if (c == '`' && i + 1 < pattern.Length)
                {
                    result.Append(Regex.Escape(pattern[++i].ToString()));
                }
                else if (c == '*')
                {
                    result.Append(".*");
                }
                else if (c == '?')
                {
                    result.Append('.');
                }
                else if (c == '[' && pattern.IndexOf(']', i + 1) is var close && close > i + 1)
                {
                    result.Append('[');
                    for (var j = i + 1; j < close; j++)
                    {
                        result.Append(pattern[j] == '-' ? "-" : Regex.Escape(pattern[j].ToString()));
                    }

                    result.Append(']');
                    i = close;
                }
                else
                {
                    result.Append(Regex.Escape(c.ToString()));
                }
            }

            return result.Append("\\z").ToString();
        }
    }
}
