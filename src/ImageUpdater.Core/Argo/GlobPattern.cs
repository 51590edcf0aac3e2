using System;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ImageUpdater.Core.Argo
{
    /// <summary>
    /// Go's filepath.Match, which upstream applies to applicationRefs[].namePattern: <c>*</c> and <c>?</c> never match '/',
    /// <c>[a-z]</c> and <c>[^a-z]</c> are classes, <c>\</c> escapes, matching is case-sensitive and whole-name. (PowerShell
    /// wildcards, <see cref="NamePattern"/>, are a different syntax: <c>[!a]</c>, case-insensitive.)
    /// </summary>
    public sealed class GlobPattern
    {
        private readonly Regex regex;

        private GlobPattern(string pattern, Regex regex)
        {
            Pattern = pattern;
            this.regex = regex;
        }

        public string Pattern { get; }

        /// <summary>The pattern, or null with the reason Go would return ErrBadPattern (unclosed class, trailing '\', a class starting with '-' or ']').</summary>
        public static GlobPattern? TryParse(string pattern, out string? problem)
        {
            var sb = new StringBuilder("^");
            problem = null;
            for (var i = 0; i < pattern.Length; i++)
            {
                var c = pattern[i];
                switch (c)
                {
                    case '*':
                        sb.Append("[^/]*");
                        break;
                    case '?':
                        sb.Append("[^/]");
                        break;
                    case '\\':
                        if (++i >= pattern.Length)
                        {
                            problem = "it ends with '\\'";
                            return null;
                        }

                        sb.Append(Literal(pattern[i]));
                        break;
                    case '[':
                        if (!Class(pattern, ref i, sb, out problem))
                        {
                            return null;
                        }

                        break;
                    default:
                        sb.Append(Literal(c));
                        break;
                }
            }

            sb.Append("\\z");
            return new GlobPattern(pattern, new Regex(sb.ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline));
        }

        public bool IsMatch(string name) => regex.IsMatch(name);

        /// <summary>True when the pattern has no wildcard (upstream's "exact name": no * ? [ ]).</summary>
        public static bool IsExact(string pattern) => pattern.IndexOfAny(new[] { '*', '?', '[', ']' }) < 0;

        // One class [..] from pattern[i] == '[': ranges lo-hi, '^' negates, '\' escapes.
        private static bool Class(string pattern, ref int i, StringBuilder sb, out string? problem)
        {
            problem = null;
            var start = i;
            i++;
            var negate = i < pattern.Length && pattern[i] == '^';
            if (negate)
            {
                i++;
            }

            var items = new StringBuilder();
            var count = 0;
            while (true)
            {
                if (i >= pattern.Length)
                {
                    problem = $"the class at position {start + 1} is not closed with ']'";
                    return false;
                }

                if (pattern[i] == ']' && count > 0)
                {
                    break;
                }

                if (!Escaped(pattern, ref i, out var lo, out problem))
                {
                    return false;
                }

                var hi = lo;
                if (i < pattern.Length && pattern[i] == '-')
                {
                    i++;
                    if (!Escaped(pattern, ref i, out hi, out problem))
                    {
                        return false;
                    }

                    if (hi < lo)
                    {
                        problem = $"the range '{lo}-{hi}' is reversed";
                        return false;
                    }
                }

                items.Append(Code(lo)).Append('-').Append(Code(hi));
                count++;
            }

            sb.Append(negate ? "[^" : "[").Append(items).Append(']');
            return true;
        }

        // One class character (escapes allowed); '-' and ']' may not start an item, as in Go.
        private static bool Escaped(string pattern, ref int i, out char c, out string? problem)
        {
            problem = null;
            c = '\0';
            if (i >= pattern.Length || pattern[i] == '-' || pattern[i] == ']')
            {
                problem = i >= pattern.Length ? "a class is not closed with ']'" : $"'{pattern[i]}' at position {i + 1} cannot start a class item (escape it with '\\')";
                return false;
            }

            if (pattern[i] == '\\')
            {
                i++;
                if (i >= pattern.Length)
                {
                    problem = "it ends with '\\'";
                    return false;
                }
            }

            c = pattern[i++];
            return true;
        }

        private static string Code(char c) => "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);

        private static string Literal(char c) => char.IsLetterOrDigit(c) ? c.ToString() : Code(c);

        public override string ToString() => Pattern;
    }
}
