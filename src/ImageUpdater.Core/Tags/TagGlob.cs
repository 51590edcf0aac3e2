namespace ImageUpdater.Core.Tags
{
    /// <summary>
    /// One ignore-tags pattern with Go's <c>path/filepath.Match</c> syntax: <c>*</c> any run of characters,
    /// <c>?</c> one character, <c>[a-z]</c> / <c>[^0-9]</c> classes, <c>\</c> escapes. A malformed pattern
    /// ignores nothing (as upstream), and <see cref="TryParse"/> says what is wrong with it.
    /// </summary>
    public sealed class TagGlob
    {
        private readonly bool _valid;

        private TagGlob(string pattern, bool valid)
        {
            Pattern = pattern;
            _valid = valid;
        }

        public string Pattern { get; }

        /// <summary>Reads a pattern; false (with a glob that matches nothing) when it is malformed.</summary>
        public static bool TryParse(string pattern, out TagGlob glob, out string? error)
        {
            error = null;
            int p = 0;
            while (p < pattern.Length)
            {
                ScanChunk(pattern, ref p, out int chunkStart, out int chunkEnd);
                if (MatchChunk(pattern, chunkStart, chunkEnd, string.Empty, 0) == BadPattern)
                {
                    error = $"ignore-tags pattern '{pattern}' is malformed (an unclosed or empty [...] class or a trailing '\\'), so it ignores nothing";
                    glob = new TagGlob(pattern, valid: false);
                    return false;
                }
            }

            glob = new TagGlob(pattern, valid: true);
            return true;
        }

        /// <summary>Whether the whole tag matches the pattern.</summary>
        public bool IsMatch(string tag)
        {
            if (!_valid)
            {
                return false;
            }

            var pattern = Pattern;
            int p = 0;
            int name = 0;
            while (p < pattern.Length)
            {
                bool star = ScanChunk(pattern, ref p, out int cs, out int ce);
                if (star && cs == ce)
                {
                    // A trailing star matches the rest unless it crosses a path separator.
                    return tag.IndexOf('/', name) < 0;
                }

                int rest = MatchChunk(pattern, cs, ce, tag, name);
                if (rest >= 0 && (rest == tag.Length || p < pattern.Length))
                {
                    name = rest;
                    continue;
                }

                bool advanced = false;
                if (star)
                {
                    for (int i = name; i < tag.Length && tag[i] != '/'; i++)
                    {
                        rest = MatchChunk(pattern, cs, ce, tag, i + 1);
                        if (rest >= 0)
                        {
                            if (p == pattern.Length && rest < tag.Length)
                            {
                                continue;
                            }

                            name = rest;
                            advanced = true;
                            break;
                        }
                    }
                }

                if (!advanced)
                {
                    return false;
                }
            }

            return name == tag.Length;
        }

        public override string ToString() => Pattern;

        private const int NoMatch = -1;
        private const int BadPattern = -2;

        // Go's scanChunk: leading stars, then everything up to the next star outside a class.
        private static bool ScanChunk(string pattern, ref int p, out int start, out int end)
        {
            bool star = false;
            while (p < pattern.Length && pattern[p] == '*')
            {
                p++;
                star = true;
            }

            start = p;
            bool inRange = false;
            int i = p;
            for (; i < pattern.Length; i++)
            {
                char c = pattern[i];
                if (c == '\\')
                {
                    if (i + 1 < pattern.Length)
                    {
                        i++;
                    }
                }
                else if (c == '[')
                {
                    inRange = true;
                }
                else if (c == ']')
                {
                    inRange = false;
                }
                else if (c == '*' && !inRange)
                {
                    break;
                }
            }

            end = i;
            p = i;
            return star;
        }

        // Go's matchChunk: the index in s after the chunk, NoMatch, or BadPattern. Keeps parsing after a mismatch so that errors surface.
        private static int MatchChunk(string chunk, int c, int end, string s, int si)
        {
            bool failed = false;
            while (c < end)
            {
                if (!failed && si >= s.Length)
                {
                    failed = true;
                }

                switch (chunk[c])
                {
                    case '[':
                    {
                        char r = '\0';
                        if (!failed)
                        {
                            r = s[si++];
                        }

                        c++;
                        bool negated = false;
                        if (c < end && chunk[c] == '^')
                        {
                            negated = true;
                            c++;
                        }

                        bool match = false;
                        int ranges = 0;
                        while (true)
                        {
                            if (c < end && chunk[c] == ']' && ranges > 0)
                            {
                                c++;
                                break;
                            }

                            if (!TryGetEscaped(chunk, ref c, end, out char lo))
                            {
                                return BadPattern;
                            }

                            char hi = lo;
                            if (chunk[c] == '-')
                            {
                                c++;
                                if (!TryGetEscaped(chunk, ref c, end, out hi))
                                {
                                    return BadPattern;
                                }
                            }

                            if (lo <= r && r <= hi)
                            {
                                match = true;
                            }

                            ranges++;
                        }

                        if (match == negated)
                        {
                            failed = true;
                        }

                        break;
                    }

                    case '?':
                        if (!failed)
                        {
                            if (s[si] == '/')
                            {
                                failed = true;
                            }

                            si++;
                        }

                        c++;
                        break;

                    case '\\':
                        c++;
                        if (c >= end)
                        {
                            return BadPattern;
                        }

                        goto default;

                    default:
                        if (!failed)
                        {
                            if (chunk[c] != s[si])
                            {
                                failed = true;
                            }

                            si++;
                        }

                        c++;
                        break;
                }
            }

            return failed ? NoMatch : si;
        }

        // Go's getEsc: one class character, possibly escaped; something must follow it.
        private static bool TryGetEscaped(string chunk, ref int c, int end, out char r)
        {
            r = '\0';
            if (c >= end || chunk[c] == '-' || chunk[c] == ']')
            {
                return false;
            }

            if (chunk[c] == '\\')
            {
                c++;
                if (c >= end)
                {
                    return false;
                }
            }

            r = chunk[c];
            c++;
            return c < end;
        }
    }
}
