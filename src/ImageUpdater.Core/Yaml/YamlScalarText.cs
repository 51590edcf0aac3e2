using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;

namespace ImageUpdater.Core.Yaml
{
    /// <summary>How a string is written as a YAML scalar so that every reader (YAML 1.1 and 1.2) reads it back as that string.</summary>
    public static class YamlScalarText
    {
        // Plain text that a YAML 1.1 or 1.2 resolver turns into null, bool, int, float or timestamp (go-yaml v2/v3, PyYAML, Helm).
        private static readonly Regex NonString = new Regex(
            @"^(?:~|null|Null|NULL" +
            @"|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF" +
            @"|[-+]?[0-9][0-9_]*" +
            @"|[-+]?0[0-7_]+|[-+]?0o[0-7_]+|[-+]?0x[0-9a-fA-F_]+|[-+]?0b[01_]+" +
            @"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?" +
            @"|[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?" +
            @"|[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+" +
            @"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)" +
            @"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?" +
            @"|<<|=)$",
            RegexOptions.CultureInvariant);

        /// <summary>
        /// Reads a scalar's text back in its context (a block value or a flow item) as a parser would: the one value it holds, else null
        /// (a second node, a mapping); <paramref name="error"/> is the parser's complaint when it does not parse.
        /// </summary>
        internal static string? ReadBack(string rendered, bool inFlow, out string? error)
        {
            var scalars = new System.Collections.Generic.List<string>();
            error = null;
            try
            {
                var parser = new Parser(new System.IO.StringReader(inFlow ? "[" + rendered + "]" : "k: " + rendered));
                while (parser.MoveNext())
                {
                    if (parser.Current is YamlDotNet.Core.Events.Scalar scalar)
                    {
                        scalars.Add(scalar.Value);
                    }
                    else if (parser.Current is YamlDotNet.Core.Events.MappingStart && inFlow)
                    {
                        scalars.Add("(mapping)");
                    }
                }
            }
            catch (YamlException ex)
            {
                error = ex.Message;
                return null;
            }

            return inFlow ? (scalars.Count == 1 ? scalars[0] : null) : scalars.Count == 2 ? scalars[1] : null;
        }

        /// <summary>True when <paramref name="value"/> can be written unquoted and still be read as this string.</summary>
        public static bool IsSafePlain(string value, bool inFlow)
        {
            if (value.Length == 0 || NonString.IsMatch(value))
            {
                return false;
            }

            var first = value[0];
            if ("-?:,[]{}#&*!|>'\"%@`".IndexOf(first) >= 0)
            {
                // '-', '?' and ':' may start a plain scalar when a non-space follows, but a quote is clearer.
                if (!((first == '-' || first == '?' || first == ':') && value.Length > 1 && value[1] != ' ' && !inFlow))
                {
                    return false;
                }
            }

            if (value[value.Length - 1] == ' ' || value[value.Length - 1] == ':' || first == ' ')
            {
                return false;
            }

            foreach (var c in value)
            {
                if (c < ' ' || c == '\u007f' || c == '\u0085' || c == '\u2028' || c == '\u2029' || c == '\uFEFF' || (c >= '\u0080' && c <= '\u009f'))
                {
                    return false;
                }

                // In flow context ':' may start an implicit key, so it is quoted there too.
                if (inFlow && (c == ',' || c == '[' || c == ']' || c == '{' || c == '}' || c == ':'))
                {
                    return false;
                }
            }

            return value.IndexOf(": ", System.StringComparison.Ordinal) < 0 && value.IndexOf(" #", System.StringComparison.Ordinal) < 0;
        }

        /// <summary>Writes <paramref name="value"/> in <paramref name="style"/> when that keeps it a string, else in the nearest quoted style.</summary>
        public static string Render(string value, ScalarStyle style, bool inFlow)
        {
            switch (style)
            {
                case ScalarStyle.SingleQuoted:
                    return CanSingleQuote(value) ? SingleQuoted(value) : DoubleQuoted(value);
                case ScalarStyle.DoubleQuoted:
                    return DoubleQuoted(value);
                default:
                    if (IsSafePlain(value, inFlow))
                    {
                        return value;
                    }

                    return value.IndexOf('"') >= 0 || value.IndexOf('\\') >= 0 ? Render(value, ScalarStyle.SingleQuoted, inFlow) : DoubleQuoted(value);
            }
        }

        public static string SingleQuoted(string value) => "'" + value.Replace("'", "''") + "'";

        public static string DoubleQuoted(string value)
        {
            var sb = new StringBuilder(value.Length + 2).Append('"');
            foreach (var c in value)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    case '\0': sb.Append("\\0"); break;
                    default:
                        if (c < ' ' || c == '\u007f' || (c >= '\u0080' && c <= '\u009f') || c == '\u2028' || c == '\u2029' || c == '\uFEFF')
                        {
                            sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            sb.Append(c);
                        }

                        break;
                }
            }

            return sb.Append('"').ToString();
        }

        private static bool CanSingleQuote(string value)
        {
            foreach (var c in value)
            {
                if (c < ' ' || c == '\u007f' || (c >= '\u0080' && c <= '\u009f') || c == '\u2028' || c == '\u2029' || c == '\uFEFF')
                {
                    return false;
                }
            }

            return true;
        }
    }
}
