using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace ImageUpdater.Core.Tags
{
    /// <summary>
    /// A version constraint with the syntax and meaning of Masterminds/semver v3 (the library upstream uses):
    /// <c>= != &gt; &lt; &gt;= =&gt; &lt;= =&lt; ~ ~&gt; ^</c>, <c>x</c>/<c>X</c>/<c>*</c> wildcards, hyphen ranges
    /// (<c>1.2 - 1.4.5</c>), AND by space or comma, OR by <c>||</c>. A pre-release version satisfies an AND group only
    /// when some constraint of that group carries a pre-release part (<c>&gt;=2.0.0-0</c>, <c>2.x-0</c>).
    /// </summary>
    public sealed class SemverConstraint
    {
        // Go's \s is ASCII whitespace; .NET's is Unicode, so spell it out.
        private const string Ws = @"[\t\n\f\r ]";
        private const string Ops = @"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";
        private const string Cv = @"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?" +
            @"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?" +
            @"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";

        private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(5);
        private static readonly Regex OneConstraint = Build("^" + Ws + "*(" + Ops + ")" + Ws + "*(" + Cv + ")" + Ws + @"*\z");
        private static readonly Regex HyphenRange = Build(Ws + "*(" + Cv + ")" + Ws + "+-" + Ws + "+(" + Cv + ")" + Ws + "*");
        private static readonly Regex FindConstraint = Build("(" + Ops + ")" + Ws + "*(" + Cv + ")");
        private static readonly Regex ValidGroup = Build(
            "^(" + Ws + "*(" + Ops + ")" + Ws + "*(" + Cv + ")" + Ws + "*)((?:" + Ws + "+|," + Ws + "*)(" + Ops + ")" + Ws + "*(" + Cv + ")" + Ws + @"*)*\z");

        private readonly Term[][] _groups;
        private readonly bool[] _groupAdmitsPrereleases;

        private SemverConstraint(string text, Term[][] groups, bool[] groupAdmitsPrereleases)
        {
            Text = text;
            _groups = groups;
            _groupAdmitsPrereleases = groupAdmitsPrereleases;
            AdmitsPrereleases = Array.IndexOf(groupAdmitsPrereleases, true) >= 0;
        }

        private enum Op
        {
            TildeOrEqual,
            NotEqual,
            Greater,
            Less,
            GreaterOrEqual,
            LessOrEqual,
            Tilde,
            Caret,
        }

        /// <summary>The constraint as written (trimmed).</summary>
        public string Text { get; }

        /// <summary>True when some OR group carries a pre-release part, so pre-release tags can satisfy it.</summary>
        public bool AdmitsPrereleases { get; }

        /// <summary><c>*</c>: every release, no pre-release (what upstream v1 uses when no constraint is given).</summary>
        public static SemverConstraint Any { get; } = Parse("*");

        /// <summary>Parses a constraint; on failure <paramref name="error"/> says what is wrong in the user's words.</summary>
        public static bool TryParse(string? text, out SemverConstraint? constraint, out string? error)
        {
            constraint = null;
            error = null;
            if (text is null)
            {
                error = "the constraint is empty; write one such as ~1.4, ^2, >=1.2 <2.0 or 1.2.x";
                return false;
            }

            try
            {
                return TryParseCore(text, out constraint, out error);
            }
            catch (RegexMatchTimeoutException)
            {
                error = $"the constraint '{text}' is too complex to parse";
                return false;
            }
        }

        /// <summary>Parses a constraint or throws an <see cref="ImageUpdaterException"/> (InvalidConstraint) that says what is wrong.</summary>
        public static SemverConstraint Parse(string text)
        {
            if (TryParse(text, out var constraint, out var error))
            {
                return constraint!;
            }

            throw new ImageUpdaterException("InvalidConstraint", FailureKind.InvalidArgument, $"Invalid semver constraint: {error}.", text);
        }

        /// <summary>Whether a version satisfies the constraint (Masterminds <c>Constraints.Check</c>).</summary>
        public bool IsSatisfiedBy(SemanticVersion version)
        {
            for (int g = 0; g < _groups.Length; g++)
            {
                bool includePre = _groupAdmitsPrereleases[g];
                if (version.IsPrerelease && !includePre)
                {
                    continue;
                }

                bool all = true;
                foreach (var term in _groups[g])
                {
                    if (!term.Check(version))
                    {
                        all = false;
                        break;
                    }
                }

                if (all)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Whether a tag parses as a version and satisfies the constraint.</summary>
        public bool IsSatisfiedBy(string tag) => SemanticVersion.TryParse(tag, out var v) && IsSatisfiedBy(v);

        public override string ToString() => Text;

        private static Regex Build(string pattern) => new Regex(pattern, RegexOptions.CultureInvariant, RegexTimeout);

        private static bool TryParseCore(string text, out SemverConstraint? constraint, out string? error)
        {
            constraint = null;
            error = null;
            var rewritten = RewriteHyphenRanges(text);
            var ors = rewritten.Split(new[] { "||" }, StringSplitOptions.None);
            var groups = new Term[ors.Length][];
            var admitsPre = new bool[ors.Length];
            for (int k = 0; k < ors.Length; k++)
            {
                var segment = ors[k];
                if (!ValidGroup.IsMatch(segment))
                {
                    error = ors.Length == 1
                        ? $"'{text}' is not a semver constraint; write one such as ~1.4, ^2, >=1.2 <2.0, 1.2.x or 1.2 - 1.4"
                        : $"'{segment.Trim()}' in '{text}' is not a semver constraint; write one such as ~1.4, ^2, >=1.2 <2.0, 1.2.x or 1.2 - 1.4";
                    return false;
                }

                var found = FindConstraint.Matches(segment);
                var terms = new List<Term>(found.Count);
                foreach (Match m in found)
                {
                    if (!TryParseTerm(m.Value, out var term))
                    {
                        error = $"'{m.Value.Trim()}' in '{text}' has a version that cannot be read (numbers must be digits or x, X, *)";
                        return false;
                    }

                    admitsPre[k] |= term.Version.IsPrerelease;
                    terms.Add(term);
                }

                groups[k] = terms.ToArray();
            }

            constraint = new SemverConstraint(text.Trim(), groups, admitsPre);
            return true;
        }

        // Masterminds rewriteRange: "A - B" becomes ">= A, <= B ".
        private static string RewriteHyphenRanges(string text)
        {
            var matches = HyphenRange.Matches(text);
            if (matches.Count == 0)
            {
                return text;
            }

            var result = text;
            foreach (Match m in matches)
            {
                var replacement = ">= " + m.Groups[1].Value + ", <= " + m.Groups[11].Value + " ";
                int at = result.IndexOf(m.Value, StringComparison.Ordinal);
                result = result.Substring(0, at) + replacement + result.Substring(at + m.Value.Length);
            }

            return result;
        }

        private static bool TryParseTerm(string text, out Term term)
        {
            term = default;
            var m = OneConstraint.Match(text);
            if (!m.Success)
            {
                return false;
            }

            string op = m.Groups[1].Value;
            string ver = m.Groups[2].Value;
            string major = m.Groups[3].Value, minor = m.Groups[4].Value, patch = m.Groups[5].Value, pre = m.Groups[6].Value;
            bool dirty = false, minorDirty = false, patchDirty = false;
            if (IsX(major))
            {
                ver = "0.0.0" + pre;
                dirty = true;
            }
            else if (minor.Length == 0 || IsX(minor.Substring(1)))
            {
                ver = major + ".0.0" + pre;
                dirty = minorDirty = true;
            }
            else if (patch.Length == 0 || IsX(patch.Substring(1)))
            {
                ver = major + minor + ".0" + pre;
                dirty = patchDirty = true;
            }

            if (!SemanticVersion.TryParse(ver, out var version))
            {
                return false;
            }

            term = new Term(ToOp(op), version, dirty, minorDirty, patchDirty);
            return true;
        }

        private static bool IsX(string s) => s == "x" || s == "X" || s == "*";

        private static Op ToOp(string op) => op switch
        {
            "!=" => Op.NotEqual,
            ">" => Op.Greater,
            "<" => Op.Less,
            ">=" or "=>" => Op.GreaterOrEqual,
            "<=" or "=<" => Op.LessOrEqual,
            "~" or "~>" => Op.Tilde,
            "^" => Op.Caret,
            _ => Op.TildeOrEqual,
        };

        /// <summary>One comparison; the checks mirror Masterminds' constraint functions (pre-release gating is done per group).</summary>
        private readonly struct Term
        {
            public Term(Op op, SemanticVersion version, bool dirty, bool minorDirty, bool patchDirty)
            {
                Operator = op;
                Version = version;
                Dirty = dirty;
                MinorDirty = minorDirty;
                PatchDirty = patchDirty;
            }

            public Op Operator { get; }

            public SemanticVersion Version { get; }

            public bool Dirty { get; }

            public bool MinorDirty { get; }

            public bool PatchDirty { get; }

            public bool Check(SemanticVersion v)
            {
                var c = Version;
                switch (Operator)
                {
                    case Op.TildeOrEqual:
                        return Dirty ? Tilde(v) : v.CompareTo(c) == 0;
                    case Op.Tilde:
                        return Tilde(v);
                    case Op.NotEqual:
                        if (Dirty)
                        {
                            if (c.Major != v.Major)
                            {
                                return true;
                            }

                            if (c.Minor != v.Minor && !MinorDirty)
                            {
                                return true;
                            }

                            if (MinorDirty)
                            {
                                return false;
                            }

                            if (c.Patch != v.Patch && !PatchDirty)
                            {
                                return true;
                            }

                            if (PatchDirty)
                            {
                                return (v.IsPrerelease || c.IsPrerelease) && !v.HasSamePrereleasePrecedence(c);
                            }
                        }

                        return v.CompareTo(c) != 0;
                    case Op.Greater:
                        if (!Dirty)
                        {
                            return v.CompareTo(c) > 0;
                        }

                        if (v.Major != c.Major)
                        {
                            return v.Major > c.Major;
                        }

                        if (MinorDirty)
                        {
                            return false;
                        }

                        if (PatchDirty)
                        {
                            return v.Minor > c.Minor;
                        }

                        return v.CompareTo(c) > 0;
                    case Op.Less:
                        return v.CompareTo(c) < 0;
                    case Op.GreaterOrEqual:
                        return v.CompareTo(c) >= 0;
                    case Op.LessOrEqual:
                        if (!Dirty)
                        {
                            return v.CompareTo(c) <= 0;
                        }

                        if (v.Major > c.Major)
                        {
                            return false;
                        }

                        return !(v.Major == c.Major && v.Minor > c.Minor && !MinorDirty);
                    case Op.Caret:
                        return Caret(v);
                    default:
                        return false;
                }
            }

            // ~1.2.3 is >=1.2.3 <1.3.0; ~1 and ~1.x are >=1.0.0 <2.0.0; ~0.0.0 (not ~0) admits everything.
            private bool Tilde(SemanticVersion v)
            {
                var c = Version;
                if (v.CompareTo(c) < 0)
                {
                    return false;
                }

                if (c.Major == 0 && c.Minor == 0 && c.Patch == 0 && !MinorDirty && !PatchDirty)
                {
                    return true;
                }

                if (v.Major != c.Major)
                {
                    return false;
                }

                return v.Minor == c.Minor || MinorDirty;
            }

            // ^1.2.3 is >=1.2.3 <2.0.0; ^0.2.3 is >=0.2.3 <0.3.0; ^0.0.3 is >=0.0.3 <0.0.4.
            private bool Caret(SemanticVersion v)
            {
                var c = Version;
                if (v.CompareTo(c) < 0)
                {
                    return false;
                }

                if (c.Major > 0 || MinorDirty)
                {
                    return v.Major == c.Major;
                }

                if (v.Major > 0)
                {
                    return false;
                }

                if (c.Minor > 0 || PatchDirty)
                {
                    return v.Minor == c.Minor;
                }

                if (v.Minor > 0)
                {
                    return false;
                }

                return v.Patch == c.Patch;
            }
        }
    }
}
