using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace ImageUpdater.Core.WriteBack.Templates
{
    /// <summary>The values an action or block evaluates: field chains, variables, string literals and <c>index</c> (upstream's <c>index .Labels "key"</c>).</summary>
    public sealed partial class GoTemplate
    {
        private abstract class Expression
        {
            public abstract object? Evaluate(object? dot, Variables variables);

            /// <summary>Adds the fields the schema does not know; returns the schema of the value when it is a known field.</summary>
            public abstract TemplateFields? Validate(TemplateFields? schema, List<string> unknown);

            /// <summary>As written, for messages.</summary>
            public abstract string Text { get; }
        }

        /// <summary>A field chain on dot (<c>.A.B</c>) or dot itself.</summary>
        private sealed class FieldPath : Expression
        {
            public FieldPath(string[] names)
            {
                Names = names;
            }

            public string[] Names { get; }

            public override string Text => "." + string.Join(".", Names);

            public override object? Evaluate(object? dot, Variables variables)
            {
                var value = dot;
                foreach (var name in Names)
                {
                    if (value is IReadOnlyDictionary<string, object?> map && TryGet(map, name, out var next))
                    {
                        value = next;
                    }
                    else
                    {
                        throw Fail($"The template refers to the field '.{string.Join(".", Names)}', which does not exist (the fields here are: {Describe(value)}).");
                    }
                }

                return value;
            }

            public override TemplateFields? Validate(TemplateFields? schema, List<string> unknown)
            {
                var current = schema;
                foreach (var name in Names)
                {
                    if (current is null || !current.TryGet(name, out var nested))
                    {
                        unknown.Add(string.Join(".", Names));
                        return null;
                    }

                    current = nested;
                }

                return current;
            }

            private static bool TryGet(IReadOnlyDictionary<string, object?> map, string name, out object? value)
            {
                if (map.TryGetValue(name, out value))
                {
                    return true;
                }

                foreach (var pair in map)
                {
                    if (string.Equals(pair.Key, name, StringComparison.OrdinalIgnoreCase))
                    {
                        value = pair.Value;
                        return true;
                    }
                }

                return false;
            }

            private static string Describe(object? value) => value is IReadOnlyDictionary<string, object?> map
                ? string.Join(", ", map.Keys.Select(k => "." + k))
                : "none";
        }

        /// <summary><c>$name</c> (declared earlier with <c>:=</c>) or <c>$</c>, the data the template was rendered with, and fields of it (<c>$.AppName</c>).</summary>
        private sealed class Variable : Expression
        {
            private readonly FieldPath? fields;

            public Variable(string name, FieldPath? fields)
            {
                Name = name;
                this.fields = fields;
            }

            public string Name { get; }

            public override string Text => Name + (fields is null ? string.Empty : fields.Text);

            public override object? Evaluate(object? dot, Variables variables) =>
                fields is null ? variables.Get(Name) : fields.Evaluate(variables.Get(Name), variables);

            public override TemplateFields? Validate(TemplateFields? schema, List<string> unknown) => null;
        }

        private sealed class Literal : Expression
        {
            public Literal(string value, string text)
            {
                Value = value;
                Text = text;
            }

            public string Value { get; }

            public override string Text { get; }

            public override object? Evaluate(object? dot, Variables variables) => Value;

            public override TemplateFields? Validate(TemplateFields? schema, List<string> unknown) => null;
        }

        /// <summary><c>index map "key" …</c>: a missing key is the empty string (Go's zero value of map[string]string), so <c>if index …</c> works.</summary>
        private sealed class IndexCall : Expression
        {
            private readonly Expression target;
            private readonly Expression[] keys;

            public IndexCall(Expression target, Expression[] keys)
            {
                this.target = target;
                this.keys = keys;
            }

            public override string Text => "index " + target.Text + " " + string.Join(" ", keys.Select(k => k.Text));

            public override object? Evaluate(object? dot, Variables variables)
            {
                var value = target.Evaluate(dot, variables);
                foreach (var key in keys)
                {
                    var name = key.Evaluate(dot, variables) as string ?? throw Fail($"'{Text}': a key must be a string.");
                    value = value is IReadOnlyDictionary<string, object?> map
                        ? (map.TryGetValue(name, out var found) ? found : string.Empty)
                        : throw Fail($"'{Text}': {target.Text} is not a map.");
                }

                return value;
            }

            public override TemplateFields? Validate(TemplateFields? schema, List<string> unknown)
            {
                target.Validate(schema, unknown);
                foreach (var key in keys)
                {
                    key.Validate(schema, unknown);
                }

                return null;
            }
        }

        /// <summary>Variables in scope: a block's own declarations end with the block, as in Go.</summary>
        private sealed class Variables
        {
            private readonly Variables? parent;
            private readonly Dictionary<string, object?> values = new Dictionary<string, object?>(StringComparer.Ordinal);

            public Variables(object? root)
            {
                values["$"] = root;
            }

            private Variables(Variables parent)
            {
                this.parent = parent;
            }

            public Variables Child() => new Variables(this);

            public void Declare(string name, object? value) => values[name] = value;

            public object? Get(string name)
            {
                for (var scope = this; scope is not null; scope = scope.parent)
                {
                    if (scope.values.TryGetValue(name, out var value))
                    {
                        return value;
                    }
                }

                throw Fail($"undefined variable {name}");
            }
        }

        /// <summary>The words of an action; a quoted string ("…" or `…`) is one word.</summary>
        private static List<string> Words(string action, int offset)
        {
            var words = new List<string>();
            var i = 0;
            while (i < action.Length)
            {
                if (char.IsWhiteSpace(action[i]))
                {
                    i++;
                    continue;
                }

                var start = i;
                if (action[i] == '"' || action[i] == '`')
                {
                    var quote = action[i++];
                    while (i < action.Length && action[i] != quote)
                    {
                        i += action[i] == '\\' && quote == '"' ? 2 : 1;
                    }

                    if (i >= action.Length)
                    {
                        throw Fail($"Unterminated string in '{action}' at offset {offset}.");
                    }

                    i++;
                }
                else
                {
                    while (i < action.Length && !char.IsWhiteSpace(action[i]))
                    {
                        i++;
                    }
                }

                words.Add(action.Substring(start, i - start));
            }

            return words;
        }

        /// <summary>An operand: <c>.Field</c>, <c>$var</c> or a string literal.</summary>
        private static Expression Operand(string word, int offset, ISet<string> declared)
        {
            if (word.StartsWith("$", StringComparison.Ordinal))
            {
                var dot = word.IndexOf('.');
                var name = dot < 0 ? word : word.Substring(0, dot);
                if (name != "$" && !declared.Contains(name))
                {
                    throw Fail($"'{name}' at offset {offset} is an undefined variable; declare it first ({{{{ {name} := … }}}}).");
                }

                return new Variable(name, dot < 0 ? null : Path(word.Substring(dot), offset));
            }

            if (word.Length >= 2 && (word[0] == '"' || word[0] == '`') && word[word.Length - 1] == word[0])
            {
                return new Literal(word[0] == '`' ? word.Substring(1, word.Length - 2) : Unquote(word.Substring(1, word.Length - 2)), word);
            }

            return Path(word, offset);
        }

        private static string Unquote(string body)
        {
            var sb = new StringBuilder(body.Length);
            for (var i = 0; i < body.Length; i++)
            {
                if (body[i] == '\\' && i + 1 < body.Length)
                {
                    i++;
                    sb.Append(body[i] switch { 'n' => '\n', 't' => '\t', _ => body[i] });
                }
                else
                {
                    sb.Append(body[i]);
                }
            }

            return sb.ToString();
        }

        /// <summary>A whole pipeline as supported: one operand, or <c>index</c> with operands.</summary>
        private static Expression Pipeline(IReadOnlyList<string> words, string action, int offset, ISet<string> declared)
        {
            if (words.Count >= 3 && words[0] == "index")
            {
                return new IndexCall(Operand(words[1], offset, declared), words.Skip(2).Select(w => Operand(w, offset, declared)).ToArray());
            }

            if (words.Count != 1)
            {
                throw Fail($"'{action}' at offset {offset} is not supported: templates may use fields (.Name), variables ($x := …), index, range, if, else and end, without other functions or pipes.");
            }

            return Operand(words[0], offset, declared);
        }

        private static FieldPath Path(string word, int offset)
        {
            if (word == ".")
            {
                return new FieldPath(Array.Empty<string>());
            }

            if (!word.StartsWith(".", StringComparison.Ordinal))
            {
                throw Fail($"'{word}' at offset {offset} is not supported: write a field as '.Name'.");
            }

            var names = word.Substring(1).Split('.');
            foreach (var name in names)
            {
                if (name.Length == 0 || !name.All(c => char.IsLetterOrDigit(c) || c == '_') || char.IsDigit(name[0]))
                {
                    throw Fail($"'{word}' at offset {offset} is not a field name.");
                }
            }

            return new FieldPath(names);
        }

        private static string Format(object? value) => value switch
        {
            null => "<no value>",
            string s => s,
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            IReadOnlyDictionary<string, object?> map => "map[" + string.Join(" ", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + ":" + Format(p.Value))) + "]",
            IEnumerable list => "[" + string.Join(" ", list.Cast<object?>().Select(Format)) + "]",
            _ => value.ToString() ?? string.Empty,
        };
    }
}
