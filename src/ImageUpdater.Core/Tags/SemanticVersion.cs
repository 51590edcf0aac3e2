using System;

namespace ImageUpdater.Core.Tags
{
    /// <summary>
    /// A version parsed the lenient way Masterminds/semver v3 <c>NewVersion</c> does: optional lowercase <c>v</c>,
    /// missing minor/patch read as 0 (<c>1.2</c> is 1.2.0), leading zeros accepted in the numbers,
    /// pre-release and build metadata per semver 2.0. Precedence ignores build metadata.
    /// </summary>
    /// <remarks>A struct over the original text (offsets, no substrings) so that 100 000 tags parse without allocating.</remarks>
    public readonly struct SemanticVersion : IComparable<SemanticVersion>, IEquatable<SemanticVersion>
    {
        private readonly string? _original;
        private readonly int _preStart;
        private readonly int _preLength;
        private readonly int _metaStart;
        private readonly int _metaLength;

        private SemanticVersion(string original, ulong major, ulong minor, ulong patch, int preStart, int preLength, int metaStart, int metaLength)
        {
            _original = original;
            Major = major;
            Minor = minor;
            Patch = patch;
            _preStart = preStart;
            _preLength = preLength;
            _metaStart = metaStart;
            _metaLength = metaLength;
        }

        public ulong Major { get; }

        public ulong Minor { get; }

        public ulong Patch { get; }

        /// <summary>The text this version was parsed from (the tag).</summary>
        public string Original => _original ?? "0.0.0";

        public bool IsPrerelease => _preLength > 0;

        /// <summary>The pre-release part without the leading <c>-</c>, or empty.</summary>
        public string Prerelease => _preLength > 0 ? _original!.Substring(_preStart, _preLength) : string.Empty;

        /// <summary>The build metadata without the leading <c>+</c>, or empty.</summary>
        public string Metadata => _metaLength > 0 ? _original!.Substring(_metaStart, _metaLength) : string.Empty;

        /// <summary>Parses leniently (Masterminds <c>NewVersion</c>); false for anything else, e.g. <c>latest</c>, <c>1.2.3.4</c>, <c>1.0.0-01</c>.</summary>
        public static bool TryParse(string? text, out SemanticVersion version)
        {
            version = default;
            if (text is null || text.Length == 0)
            {
                return false;
            }

            int i = 0;
            int n = text.Length;
            if (text[0] == 'v')
            {
                i = 1;
            }

            if (!TryReadNumber(text, ref i, out ulong major))
            {
                return false;
            }

            ulong minor = 0, patch = 0;
            if (i < n && text[i] == '.')
            {
                i++;
                if (!TryReadNumber(text, ref i, out minor))
                {
                    return false;
                }

                if (i < n && text[i] == '.')
                {
                    i++;
                    if (!TryReadNumber(text, ref i, out patch))
                    {
                        return false;
                    }
                }
            }

            int preStart = 0, preLength = 0, metaStart = 0, metaLength = 0;
            if (i < n && text[i] == '-')
            {
                preStart = i + 1;
                if (!TryReadIdentifiers(text, ref i, numericMustNotStartWithZero: true))
                {
                    return false;
                }

                preLength = i - preStart;
            }

            if (i < n && text[i] == '+')
            {
                metaStart = i + 1;
                if (!TryReadIdentifiers(text, ref i, numericMustNotStartWithZero: false))
                {
                    return false;
                }

                metaLength = i - metaStart;
            }

            if (i != n)
            {
                return false;
            }

            version = new SemanticVersion(text, major, minor, patch, preStart, preLength, metaStart, metaLength);
            return true;
        }

        /// <summary>Semver 2.0 precedence: numbers, then a release above its pre-releases, then pre-release identifiers; metadata ignored.</summary>
        public int CompareTo(SemanticVersion other)
        {
            if (Major != other.Major)
            {
                return Major < other.Major ? -1 : 1;
            }

            if (Minor != other.Minor)
            {
                return Minor < other.Minor ? -1 : 1;
            }

            if (Patch != other.Patch)
            {
                return Patch < other.Patch ? -1 : 1;
            }

            if (_preLength == 0 || other._preLength == 0)
            {
                return _preLength == 0 ? (other._preLength == 0 ? 0 : 1) : -1;
            }

            return ComparePrerelease(_original!, _preStart, _preLength, other._original!, other._preStart, other._preLength);
        }

        /// <summary>The order upstream sorts tags in: precedence, ties (<c>v1.0</c> vs <c>1.0.0</c>) by ordinal comparison of the tag text.</summary>
        public static int CompareForSelection(SemanticVersion a, SemanticVersion b)
        {
            int c = a.CompareTo(b);
            return c != 0 ? c : string.CompareOrdinal(a.Original, b.Original);
        }

        public bool Equals(SemanticVersion other) => CompareTo(other) == 0;

        public override bool Equals(object? obj) => obj is SemanticVersion other && Equals(other);

        public override int GetHashCode()
        {
            unchecked
            {
                int h = (Major.GetHashCode() * 397) ^ Minor.GetHashCode();
                h = (h * 397) ^ Patch.GetHashCode();
                return (h * 397) ^ StringComparer.Ordinal.GetHashCode(Prerelease);
            }
        }

        /// <summary>The normalized form, <c>1.2.0-rc.1+build</c> (no <c>v</c>, all three numbers).</summary>
        public override string ToString()
        {
            var s = Major + "." + Minor + "." + Patch;
            if (_preLength > 0)
            {
                s += "-" + Prerelease;
            }

            if (_metaLength > 0)
            {
                s += "+" + Metadata;
            }

            return s;
        }

        public static bool operator <(SemanticVersion a, SemanticVersion b) => a.CompareTo(b) < 0;

        public static bool operator >(SemanticVersion a, SemanticVersion b) => a.CompareTo(b) > 0;

        public static bool operator <=(SemanticVersion a, SemanticVersion b) => a.CompareTo(b) <= 0;

        public static bool operator >=(SemanticVersion a, SemanticVersion b) => a.CompareTo(b) >= 0;

        public static bool operator ==(SemanticVersion a, SemanticVersion b) => a.Equals(b);

        public static bool operator !=(SemanticVersion a, SemanticVersion b) => !a.Equals(b);

        /// <summary>Whether the pre-release parts have equal precedence (both empty counts as equal).</summary>
        internal bool HasSamePrereleasePrecedence(SemanticVersion other) =>
            ComparePrerelease(Original, _preStart, _preLength, other.Original, other._preStart, other._preLength) == 0;

        /// <summary>Masterminds <c>comparePrerelease</c>: identifier by identifier; numbers (that fit 64 bits) below words; fewer identifiers first.</summary>
        internal static int ComparePrerelease(string a, int aStart, int aLength, string b, int bStart, int bLength)
        {
            int ai = aStart, aEnd = aStart + aLength;
            int bi = bStart, bEnd = bStart + bLength;
            while (true)
            {
                bool aDone = ai >= aEnd, bDone = bi >= bEnd;
                if (aDone || bDone)
                {
                    return aDone && bDone ? 0 : (aDone ? -1 : 1);
                }

                int aPartEnd = a.IndexOf('.', ai, aEnd - ai);
                if (aPartEnd < 0)
                {
                    aPartEnd = aEnd;
                }

                int bPartEnd = b.IndexOf('.', bi, bEnd - bi);
                if (bPartEnd < 0)
                {
                    bPartEnd = bEnd;
                }

                int c = ComparePart(a, ai, aPartEnd - ai, b, bi, bPartEnd - bi);
                if (c != 0)
                {
                    return c;
                }

                ai = aPartEnd + 1;
                bi = bPartEnd + 1;
            }
        }

        private static int ComparePart(string a, int aStart, int aLength, string b, int bStart, int bLength)
        {
            bool aNumeric = TryParseUInt64(a, aStart, aLength, out ulong an);
            bool bNumeric = TryParseUInt64(b, bStart, bLength, out ulong bn);
            if (aNumeric && bNumeric)
            {
                return an == bn ? 0 : (an < bn ? -1 : 1);
            }

            if (aNumeric != bNumeric)
            {
                return aNumeric ? -1 : 1;
            }

            int c = string.CompareOrdinal(a, aStart, b, bStart, Math.Min(aLength, bLength));
            return c != 0 ? Math.Sign(c) : aLength.CompareTo(bLength);
        }

        private static bool TryParseUInt64(string s, int start, int length, out ulong value)
        {
            value = 0;
            if (length == 0)
            {
                return false;
            }

            for (int i = start; i < start + length; i++)
            {
                char ch = s[i];
                if (ch < '0' || ch > '9')
                {
                    return false;
                }

                ulong digit = (ulong)(ch - '0');
                if (value > (ulong.MaxValue - digit) / 10)
                {
                    return false;
                }

                value = (value * 10) + digit;
            }

            return true;
        }

        private static bool TryReadNumber(string s, ref int i, out ulong value)
        {
            int start = i;
            while (i < s.Length && s[i] >= '0' && s[i] <= '9')
            {
                i++;
            }

            return TryParseUInt64(s, start, i - start, out value);
        }

        // Reads "-a.b.c" or "+a.b.c" starting at the sign: non-empty [0-9A-Za-z-] identifiers separated by dots.
        private static bool TryReadIdentifiers(string s, ref int i, bool numericMustNotStartWithZero)
        {
            int n = s.Length;
            i++;
            while (true)
            {
                int start = i;
                bool allDigits = true;
                while (i < n && IsIdentifierChar(s[i]))
                {
                    allDigits &= s[i] >= '0' && s[i] <= '9';
                    i++;
                }

                int length = i - start;
                if (length == 0)
                {
                    return false;
                }

                if (numericMustNotStartWithZero && allDigits && length > 1 && s[start] == '0')
                {
                    return false;
                }

                if (i < n && s[i] == '.')
                {
                    i++;
                    continue;
                }

                return true;
            }
        }

        private static bool IsIdentifierChar(char c) =>
            (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
    }
}
