using System;
using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace ImageUpdater.Core.Tags
{
    /// <summary>
    /// The allow-tags option: <c>any</c> (or empty) admits every tag, <c>regexp:&lt;re&gt;</c> admits tags the
    /// expression finds a match in (unanchored, as Go's <c>regexp.MatchString</c>). Anything else, or an expression
    /// that does not compile, admits nothing (upstream fails closed) and <see cref="Problem"/> says why.
    /// </summary>
    public sealed class AllowTagsFilter
    {
#if !NET8_0_OR_GREATER
        // Only the backtracking engine (net472) can blow up on a tag; generous, because a busy machine must not turn a match into a miss.
        private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);
#endif

        // Compiled filters by text: many images share one allow-tags value, and a regex warms up (its DFA) as it matches.
        private static readonly ConcurrentDictionary<string, (AllowTagsFilter Filter, string? Error)> Cache = new ConcurrentDictionary<string, (AllowTagsFilter, string?)>(StringComparer.Ordinal);
        private const int CacheLimit = 256;
        private readonly Regex? _regex;
        private readonly bool _any;

        private AllowTagsFilter(string text, bool any, Regex? regex, string? problem)
        {
            Text = text;
            _any = any;
            _regex = regex;
            Problem = problem;
        }

        /// <summary>Admits every tag.</summary>
        public static AllowTagsFilter Any { get; } = new AllowTagsFilter("any", any: true, regex: null, problem: null);

        /// <summary>The option as written.</summary>
        public string Text { get; }

        public bool AdmitsAll => _any;

        /// <summary>Why this filter admits nothing (an invalid value), or null.</summary>
        public string? Problem { get; }

        /// <summary>
        /// Reads an allow-tags value. Returns false when it is invalid; <paramref name="filter"/> is then a filter that
        /// admits nothing (upstream behaviour) and <paramref name="error"/> says what is wrong.
        /// </summary>
        public static bool TryParse(string? value, out AllowTagsFilter filter, out string? error)
        {
            error = null;
            if (string.IsNullOrEmpty(value) || string.Equals(value, "any", StringComparison.OrdinalIgnoreCase))
            {
                filter = Any;
                return true;
            }

            if (Cache.TryGetValue(value!, out var cached))
            {
                filter = cached.Filter;
                error = cached.Error;
                return error is null;
            }

            bool ok = TryParseUncached(value!, out filter, out error);
            if (Cache.Count >= CacheLimit)
            {
                Cache.Clear();
            }

            Cache[value!] = (filter, error);
            return ok;
        }

        private static bool TryParseUncached(string value, out AllowTagsFilter filter, out string? error)
        {
            error = null;
            int colon = value.IndexOf(':');
            if (colon < 0)
            {
                error = $"allow-tags '{value}' is neither 'any' nor 'regexp:<expression>', so it admits no tag";
            }
            else if (!string.Equals(value.Substring(0, colon), "regexp", StringComparison.OrdinalIgnoreCase))
            {
                error = $"allow-tags '{value}' uses the unknown match function '{value.Substring(0, colon)}' (only 'regexp:' exists), so it admits no tag";
            }
            else
            {
                var pattern = value.Substring(colon + 1);
                if (TryCompile(pattern, out var regex, out var why))
                {
                    filter = new AllowTagsFilter(value, any: false, regex, problem: null);
                    return true;
                }

                error = $"allow-tags '{value}' is not a valid regular expression ({why}), so it admits no tag";
            }

            filter = new AllowTagsFilter(value, any: false, regex: null, problem: error);
            return false;
        }

        public bool IsMatch(string tag)
        {
            if (_any)
            {
                return true;
            }

            if (_regex is null)
            {
                return false;
            }

            try
            {
                return _regex.IsMatch(tag);
            }
            catch (RegexMatchTimeoutException)
            {
                return false;
            }
        }

        public override string ToString() => Text;

        private static bool TryCompile(string pattern, out Regex? regex, out string? why)
        {
            regex = null;
            why = null;
            try
            {
                // Go (RE2) spells named groups (?P<name>…) and knows POSIX classes; .NET needs them rewritten.
                var dotnet = pattern.Replace("(?P<", "(?<");
                foreach (var (posix, range) in PosixClasses)
                {
                    dotnet = dotnet.Replace(posix, range);
                }

#if NET8_0_OR_GREATER
                // Linear-time like RE2, and it refuses what RE2 refuses (look-arounds, back-references).
                regex = new Regex(dotnet, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, Regex.InfiniteMatchTimeout);
#else
                regex = new Regex(dotnet, RegexOptions.CultureInvariant, MatchTimeout);
#endif
                return true;
            }
            catch (ArgumentException ex)
            {
                why = ex.Message;
                return false;
            }
            catch (NotSupportedException ex)
            {
                why = "Go's regexp syntax has no such construct: " + ex.Message;
                return false;
            }
        }

        private static readonly (string Posix, string Range)[] PosixClasses =
        {
            ("[:alnum:]", "0-9A-Za-z"),
            ("[:alpha:]", "A-Za-z"),
            ("[:digit:]", "0-9"),
            ("[:lower:]", "a-z"),
            ("[:upper:]", "A-Z"),
            ("[:xdigit:]", "0-9A-Fa-f"),
            ("[:word:]", "0-9A-Za-z_"),
            ("[:space:]", @"\t\n\v\f\r "),
        };
    }
}
