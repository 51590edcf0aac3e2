using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ImageUpdater.Core.Yaml
{
    /// <summary>Unified diffs (<c>diff -u</c> / <c>git diff</c> layout) of two texts, line by line (Myers' algorithm).</summary>
    public static class UnifiedDiff
    {
        private const int Context = 3;

        /// <summary>The diff from <paramref name="oldText"/> to <paramref name="newText"/>; "" when they are equal.</summary>
        public static string Create(string oldText, string newText, string name) => Create(oldText, newText, "a/" + name, "b/" + name);

        public static string Create(string oldText, string newText, string oldName, string newName)
        {
            if (string.Equals(oldText, newText, StringComparison.Ordinal))
            {
                return string.Empty;
            }

            var a = SplitLines(oldText);
            var b = SplitLines(newText);
            var ops = Compare(a, b);
            var sb = new StringBuilder();
            sb.Append("--- ").Append(oldText.Length == 0 ? "/dev/null" : oldName).Append('\n');
            sb.Append("+++ ").Append(newName).Append('\n');

            // ops: (kind, aIndex, bIndex) with kind ' ', '-', '+'; group changes with their context into hunks.
            var i = 0;
            while (i < ops.Count)
            {
                if (ops[i].Kind == ' ')
                {
                    i++;
                    continue;
                }

                var start = Math.Max(0, i - Context);
                var end = i;
                var lastChange = i;
                while (end < ops.Count)
                {
                    if (ops[end].Kind != ' ')
                    {
                        lastChange = end;
                    }
                    else if (end - lastChange > 2 * Context)
                    {
                        break;
                    }

                    end++;
                }

                end = Math.Min(ops.Count, lastChange + Context + 1);
                AppendHunk(sb, ops, start, end, a, b);
                i = end;
            }

            return sb.ToString();
        }

        private static void AppendHunk(StringBuilder sb, List<(char Kind, int A, int B)> ops, int start, int end, List<string> a, List<string> b)
        {
            int aStart = -1, bStart = -1, aCount = 0, bCount = 0;
            for (var k = start; k < end; k++)
            {
                var op = ops[k];
                if (op.Kind != '+')
                {
                    aCount++;
                    if (aStart < 0) aStart = op.A;
                }

                if (op.Kind != '-')
                {
                    bCount++;
                    if (bStart < 0) bStart = op.B;
                }
            }

            // An empty side starts at the line before (diff -u convention).
            aStart = aCount == 0 ? PositionBefore(ops, start, true) : aStart + 1;
            bStart = bCount == 0 ? PositionBefore(ops, start, false) : bStart + 1;
            sb.Append("@@ -").Append(Range(aStart, aCount)).Append(" +").Append(Range(bStart, bCount)).Append(" @@\n");
            for (var k = start; k < end; k++)
            {
                var op = ops[k];
                var line = op.Kind == '+' ? b[op.B] : a[op.A];
                sb.Append(op.Kind).Append(line.TrimEnd('\n').TrimEnd('\r')).Append('\n');
                if (!line.EndsWith("\n", StringComparison.Ordinal))
                {
                    sb.Append("\\ No newline at end of file\n");
                }
            }
        }

        private static int PositionBefore(List<(char Kind, int A, int B)> ops, int start, bool side)
        {
            for (var k = start - 1; k >= 0; k--)
            {
                if (side && ops[k].Kind != '+') return ops[k].A + 1;
                if (!side && ops[k].Kind != '-') return ops[k].B + 1;
            }

            return 0;
        }

        private static string Range(int start, int count) =>
            count == 1 ? start.ToString(CultureInfo.InvariantCulture) : start.ToString(CultureInfo.InvariantCulture) + "," + count.ToString(CultureInfo.InvariantCulture);

        /// <summary>Lines with their line breaks (the last may lack one).</summary>
        internal static List<string> SplitLines(string text)
        {
            var lines = new List<string>();
            var start = 0;
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] == '\n')
                {
                    lines.Add(text.Substring(start, i - start + 1));
                    start = i + 1;
                }
            }

            if (start < text.Length)
            {
                lines.Add(text.Substring(start));
            }

            return lines;
        }

        /// <summary>The edit script: common prefix and suffix trimmed, Myers' O(ND) diff on the middle.</summary>
        internal static List<(char Kind, int A, int B)> Compare(List<string> a, List<string> b)
        {
            var prefix = 0;
            while (prefix < a.Count && prefix < b.Count && a[prefix] == b[prefix]) prefix++;
            var suffix = 0;
            while (suffix < a.Count - prefix && suffix < b.Count - prefix && a[a.Count - 1 - suffix] == b[b.Count - 1 - suffix]) suffix++;

            var ops = new List<(char, int, int)>();
            for (var k = 0; k < prefix; k++) ops.Add((' ', k, k));
            Myers(a, b, prefix, a.Count - suffix, prefix, b.Count - suffix, ops);
            for (var k = 0; k < suffix; k++) ops.Add((' ', a.Count - suffix + k, b.Count - suffix + k));
            return ops;
        }

        private static void Myers(List<string> a, List<string> b, int a0, int a1, int b0, int b1, List<(char, int, int)> ops)
        {
            int n = a1 - a0, m = b1 - b0, max = n + m;
            var v = new int[2 * max + 2];
            var trace = new List<int[]>();
            var found = false;
            for (var d = 0; d <= max && !found; d++)
            {
                // Round d reads only diagonals -d..d of the previous round: keep just that window (O(D²) memory, not O((N+M)·D)).
                var window = new int[2 * d + 1];
                Array.Copy(v, max - d, window, 0, 2 * d + 1);
                trace.Add(window);
                for (var k = -d; k <= d; k += 2)
                {
                    int x = k == -d || (k != d && v[k - 1 + max] < v[k + 1 + max]) ? v[k + 1 + max] : v[k - 1 + max] + 1;
                    var y = x - k;
                    while (x < n && y < m && a[a0 + x] == b[b0 + y]) { x++; y++; }
                    v[k + max] = x;
                    if (x >= n && y >= m) { found = true; break; }
                }
            }

            // Walk the trace back from (n, m) to (0, 0); trace[d] holds the furthest x per diagonal before round d.
            var script = new List<(char, int, int)>();
            int cx = n, cy = m;
            for (var d = trace.Count - 1; d >= 0; d--)
            {
                var vd = trace[d];
                var k = cx - cy;
                var prevK = k == -d || (k != d && vd[k - 1 + d] < vd[k + 1 + d]) ? k + 1 : k - 1;
                var px = d == 0 ? 0 : vd[prevK + d];
                var py = px - prevK;
                while (cx > px && cy > py)
                {
                    script.Add((' ', a0 + cx - 1, b0 + cy - 1));
                    cx--;
                    cy--;
                }

                if (d > 0)
                {
                    if (cx == px)
                    {
                        script.Add(('+', a0 + cx, b0 + cy - 1));
                    }
                    else
                    {
                        script.Add(('-', a0 + cx - 1, b0 + cy));
                    }
                }

                cx = px;
                cy = py;
            }

            script.Reverse();
            ops.AddRange(script);
        }
    }
}
