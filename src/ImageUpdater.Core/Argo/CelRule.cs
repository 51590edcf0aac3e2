using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace ImageUpdater.Core.Argo
{
    /// <summary>
    /// The subset of CEL that CRD validation rules (x-kubernetes-validations) of the ImageUpdater CRD use: <c>self</c> and its
    /// fields, <c>has()</c>, <c>size()</c>, <c>! &amp;&amp; || ?:</c>, <c>+ == != &lt; &gt; &lt;= &gt;=</c>, integers, booleans and strings.
    /// A rule outside the subset throws <see cref="FormatException"/>, so it is reported as not checked rather than guessed.
    /// </summary>
    public sealed class CelRule
    {
        private readonly List<string> tokens;
        private int position;
        private object? self;

        private CelRule(string rule)
        {
            tokens = Tokenize(rule);
        }

        /// <summary>The rule's value for <paramref name="node"/> (a map of the object tree); throws FormatException outside the subset.</summary>
        public static bool Holds(string rule, object? node)
        {
            var parser = new CelRule(rule) { self = node };
            var compiled = parser.Conditional();
            if (parser.position != parser.tokens.Count)
            {
                throw new FormatException($"unexpected '{parser.tokens[parser.position]}'");
            }

            return compiled() is bool b ? b : throw new FormatException("the rule is not a boolean");
        }

        // Each level compiles to a closure, so that || && ?: evaluate only the side they need, as CEL does.
        private Func<object?> Conditional()
        {
            var condition = Or();
            if (!Accept("?"))
            {
                return condition;
            }

            var then = Conditional();
            Expect(":");
            var otherwise = Conditional();
            return () => Bool(condition()) ? then() : otherwise();
        }

        private Func<object?> Or()
        {
            var left = And();
            while (Accept("||"))
            {
                var l = left;
                var right = And();
                left = () => Bool(l()) || Bool(right());
            }

            return left;
        }

        private Func<object?> And()
        {
            var left = Equality();
            while (Accept("&&"))
            {
                var l = left;
                var right = Equality();
                left = () => Bool(l()) && Bool(right());
            }

            return left;
        }

        private Func<object?> Equality()
        {
            var left = Relation();
            while (Peek() is "==" or "!=")
            {
                var op = tokens[position++];
                var l = left;
                var right = Relation();
                left = () => Same(l(), right()) == (op == "==");
            }

            return left;
        }

        private Func<object?> Relation()
        {
            var left = Sum();
            while (Peek() is "<" or ">" or "<=" or ">=")
            {
                var op = tokens[position++];
                var l = left;
                var right = Sum();
                left = () =>
                {
                    var a = Number(l());
                    var b = Number(right());
                    return op switch { "<" => a < b, ">" => a > b, "<=" => a <= b, _ => a >= b };
                };
            }

            return left;
        }

        private Func<object?> Sum()
        {
            var left = Unary();
            while (Accept("+"))
            {
                var l = left;
                var right = Unary();
                left = () => Number(l()) + Number(right());
            }

            return left;
        }

        private Func<object?> Unary()
        {
            if (Accept("!"))
            {
                var inner = Unary();
                return () => !Bool(inner());
            }

            return Primary();
        }

        private Func<object?> Primary()
        {
            var token = Peek() ?? throw new FormatException("the rule ends early");
            if (Accept("("))
            {
                var inner = Conditional();
                Expect(")");
                return inner;
            }

            if (token == "has")
            {
                position++;
                Expect("(");
                var fields = Path();
                Expect(")");
                return () => Resolve(fields, out var found) is not null && found;
            }

            if (token == "size")
            {
                position++;
                Expect("(");
                var value = Conditional();
                Expect(")");
                return () => (long)(value() switch
                {
                    IList<object?> list => list.Count,
                    IDictionary<string, object?> map => map.Count,
                    string s => s.Length,
                    _ => throw new FormatException("size() of a value that has none"),
                });
            }

            if (token == "self")
            {
                var fields = Path();
                return () => Resolve(fields, out var found) is { } value && found ? value : throw new FormatException("no such key: " + string.Join(".", fields));
            }

            position++;
            if (token == "true" || token == "false")
            {
                var b = token == "true";
                return () => b;
            }

            if (long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                return () => number;
            }

            if (token.Length >= 2 && (token[0] == '\'' || token[0] == '"'))
            {
                var text = token.Substring(1, token.Length - 2);
                return () => text;
            }

            throw new FormatException($"'{token}' is outside the CEL subset checked here");
        }

        // self.a.b → the field names.
        private List<string> Path()
        {
            Expect("self");
            var fields = new List<string>();
            while (Accept("."))
            {
                fields.Add(tokens[position++]);
            }

            return fields;
        }

        private object? Resolve(List<string> fields, out bool found)
        {
            object? current = self;
            found = true;
            foreach (var field in fields)
            {
                found = current is IDictionary<string, object?> map && map.TryGetValue(field, out current);
                if (!found)
                {
                    return null;
                }
            }

            return current;
        }

        // Tree scalars are text: compare them with booleans and numbers by their meaning.
        private static bool Same(object? a, object? b)
        {
            if (a is bool || b is bool)
            {
                return Bool(a) == Bool(b);
            }

            if (a is long || b is long)
            {
                return Number(a) == Number(b);
            }

            return Equals(a, b);
        }

        private static bool Bool(object? value) => value switch
        {
            bool b => b,
            string s when s == "true" || s == "false" => s == "true",
            _ => throw new FormatException("a value that is not a boolean is used as one"),
        };

        private static long Number(object? value) => value switch
        {
            long n => n,
            string s when long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => n,
            _ => throw new FormatException("a value that is not a number is used as one"),
        };

        private string? Peek() => position < tokens.Count ? tokens[position] : null;

        private bool Accept(string token)
        {
            if (Peek() == token)
            {
                position++;
                return true;
            }

            return false;
        }

        private void Expect(string token)
        {
            if (!Accept(token))
            {
                throw new FormatException($"expected '{token}' at token {position + 1}");
            }
        }

        private static List<string> Tokenize(string rule)
        {
            var result = new List<string>();
            var i = 0;
            while (i < rule.Length)
            {
                var c = rule[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                }
                else if (char.IsLetterOrDigit(c) || c == '_')
                {
                    var start = i;
                    while (i < rule.Length && (char.IsLetterOrDigit(rule[i]) || rule[i] == '_'))
                    {
                        i++;
                    }

                    result.Add(rule.Substring(start, i - start));
                }
                else if (c == '\'' || c == '"')
                {
                    var end = rule.IndexOf(c, i + 1);
                    if (end < 0)
                    {
                        throw new FormatException("a string is not closed");
                    }

                    result.Add(rule.Substring(i, end - i + 1));
                    i = end + 1;
                }
                else
                {
                    var two = i + 1 < rule.Length ? rule.Substring(i, 2) : null;
                    if (two is "==" or "!=" or "<=" or ">=" or "&&" or "||")
                    {
                        result.Add(two);
                        i += 2;
                    }
                    else if ("()?:+<>!.".IndexOf(c) >= 0)
                    {
                        result.Add(c.ToString());
                        i++;
                    }
                    else
                    {
                        throw new FormatException($"'{c}' is outside the CEL subset checked here");
                    }
                }
            }

            return result;
        }
    }
}
