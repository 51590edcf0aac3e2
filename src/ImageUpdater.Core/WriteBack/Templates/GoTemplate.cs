using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace ImageUpdater.Core.WriteBack.Templates
{
    /// <summary>
    /// The subset of Go's text/template that commit-message and branch templates use: <c>{{ .Field }}</c>, <c>{{ .A.B }}</c>, <c>{{ . }}</c>,
    /// <c>{{ range .List }}…{{ else }}…{{ end }}</c>, <c>{{ if .X }}…{{ else }}…{{ end }}</c>, <c>{{/* comments */}}</c> and the trim markers
    /// <c>{{-</c> / <c>-}}</c>. Field names match case-insensitively. Data is nested dictionaries and lists (as <see cref="CommitMessageTemplate"/> builds them).
    /// </summary>
    public sealed class GoTemplate
    {
        private readonly List<Node> nodes;

        private GoTemplate(string text, List<Node> nodes)
        {
            Text = text;
            this.nodes = nodes;
        }

        public string Text { get; }

        /// <summary>Parses a template; a syntax error or an unsupported construct throws an <see cref="ImageUpdaterException"/> (InvalidData) naming the offset.</summary>
        public static GoTemplate Parse(string text)
        {
            if (text is null)
            {
                throw new ArgumentNullException(nameof(text));
            }

            var parser = new Parser(text);
            return new GoTemplate(text, parser.ParseAll());
        }

        /// <summary>Renders against nested dictionaries (case-insensitive keys) and lists; an unknown field throws an <see cref="ImageUpdaterException"/> (InvalidData).</summary>
        public string Render(IReadOnlyDictionary<string, object?> data)
        {
            var sb = new StringBuilder();
            foreach (var node in nodes)
            {
                node.Render(sb, data);
            }

            return sb.ToString();
        }

        /// <summary>The fields the template references that the schema does not know (as written, dotted for nested ones); empty when all resolve.</summary>
        public IReadOnlyList<string> Validate(TemplateFields schema)
        {
            var unknown = new List<string>();
            foreach (var node in nodes)
            {
                node.Validate(schema, unknown);
            }

            return unknown.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        }

        private static ImageUpdaterException Fail(string message) =>
            new ImageUpdaterException("TemplateInvalid", FailureKind.InvalidData, message);

        private abstract class Node
        {
            public abstract void Render(StringBuilder sb, object? dot);

            public abstract void Validate(TemplateFields? schema, List<string> unknown);
        }

        private sealed class TextNode : Node
        {
            public TextNode(string text)
            {
                Text = text;
            }

            public string Text { get; }

            public override void Render(StringBuilder sb, object? dot) => sb.Append(Text);

            public override void Validate(TemplateFields? schema, List<string> unknown)
            {
            }
        }

        /// <summary>A pipeline reduced to what we support: a field chain on dot (<c>.A.B</c>) or dot itself.</summary>
        private sealed class FieldPath
        {
            public FieldPath(string[] names)
            {
                Names = names;
            }

            public string[] Names { get; }

            public object? Evaluate(object? dot)
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

            public TemplateFields? Validate(TemplateFields? schema, List<string> unknown)
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

        private sealed class ActionNode : Node
        {
            private readonly FieldPath path;

            public ActionNode(FieldPath path)
            {
                this.path = path;
            }

            public override void Render(StringBuilder sb, object? dot) => sb.Append(Format(path.Evaluate(dot)));

            public override void Validate(TemplateFields? schema, List<string> unknown) => path.Validate(schema, unknown);

            private static string Format(object? value) => value switch
            {
                null => "<no value>",
                string s => s,
                bool b => b ? "true" : "false",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                IEnumerable list => "[" + string.Join(" ", list.Cast<object?>().Select(Format)) + "]",
                _ => value.ToString() ?? string.Empty,
            };
        }

        private sealed class BlockNode : Node
        {
            public BlockNode(bool isRange, FieldPath path)
            {
                IsRange = isRange;
                Path = path;
            }

            public bool IsRange { get; }

            public FieldPath Path { get; }

            public List<Node> Body { get; } = new List<Node>();

            public List<Node>? Else { get; set; }

            public override void Render(StringBuilder sb, object? dot)
            {
                var value = Path.Evaluate(dot);
                if (IsRange)
                {
                    var any = false;
                    if (value is IEnumerable list and not string)
                    {
                        foreach (var item in list)
                        {
                            any = true;
                            RenderAll(Body, sb, item);
                        }
                    }
                    else if (value is not null)
                    {
                        throw Fail($"'range .{string.Join(".", Path.Names)}' needs a list.");
                    }

                    if (!any && Else is not null)
                    {
                        RenderAll(Else, sb, dot);
                    }
                }
                else
                {
                    RenderAll(IsTrue(value) ? Body : Else ?? new List<Node>(), sb, dot);
                }
            }

            public override void Validate(TemplateFields? schema, List<string> unknown)
            {
                var target = Path.Validate(schema, unknown);
                var bodySchema = IsRange ? target?.Element : schema;
                foreach (var node in Body)
                {
                    // Inside a range over an unknown list every field is unknowable; report only the list.
                    if (!IsRange || bodySchema is not null)
                    {
                        node.Validate(bodySchema, unknown);
                    }
                }

                foreach (var node in Else ?? new List<Node>())
                {
                    node.Validate(schema, unknown);
                }
            }

            private static void RenderAll(List<Node> nodes, StringBuilder sb, object? dot)
            {
                foreach (var node in nodes)
                {
                    node.Render(sb, dot);
                }
            }

            private static bool IsTrue(object? value) => value switch
            {
                null => false,
                bool b => b,
                string s => s.Length > 0,
                ICollection c => c.Count > 0,
                IEnumerable e => e.Cast<object?>().Any(),
                _ => true,
            };
        }

        private sealed class Parser
        {
            private readonly string text;
            private int pos;

            public Parser(string text)
            {
                this.text = text;
            }

            public List<Node> ParseAll()
            {
                var root = new List<Node>();
                var stack = new Stack<(BlockNode Block, List<Node> Current)>();
                var current = root;
                while (pos < text.Length)
                {
                    var open = text.IndexOf("{{", pos, StringComparison.Ordinal);
                    if (open < 0)
                    {
                        AddText(current, text.Substring(pos));
                        pos = text.Length;
                        break;
                    }

                    var leading = text.Substring(pos, open - pos);
                    var start = open + 2;
                    var trimLeft = start + 1 < text.Length && text[start] == '-' && IsSpace(text[start + 1]);
                    if (trimLeft)
                    {
                        leading = leading.TrimEnd(' ', '\t', '\r', '\n');
                        start += 2;
                    }

                    if (leading.Length > 0)
                    {
                        AddText(current, leading);
                    }

                    var close = text.IndexOf("}}", start, StringComparison.Ordinal);
                    if (close < 0)
                    {
                        throw Fail($"Unclosed action at offset {open}: '{{{{' without '}}}}'.");
                    }

                    var end = close;
                    var trimRight = close - 2 >= start && text[close - 1] == '-' && IsSpace(text[close - 2]);
                    if (trimRight)
                    {
                        end = close - 1;
                    }

                    var action = text.Substring(start, end - start).Trim();
                    pos = close + 2;
                    if (trimRight)
                    {
                        while (pos < text.Length && IsSpace(text[pos]))
                        {
                            pos++;
                        }
                    }

                    if (action.StartsWith("/*", StringComparison.Ordinal) && action.EndsWith("*/", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    var words = action.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                    if (words.Length == 0)
                    {
                        throw Fail($"Empty action at offset {open}.");
                    }

                    switch (words[0])
                    {
                        case "range":
                        case "if":
                            if (words.Length != 2)
                            {
                                throw Fail($"'{action}' at offset {open}: only '{words[0]} .Field' is supported.");
                            }

                            var block = new BlockNode(words[0] == "range", ParsePath(words[1], open));
                            current.Add(block);
                            stack.Push((block, current));
                            current = block.Body;
                            break;
                        case "else":
                            if (stack.Count == 0 || words.Length != 1 || stack.Peek().Block.Else is not null)
                            {
                                throw Fail($"Unexpected '{action}' at offset {open}.");
                            }

                            stack.Peek().Block.Else = new List<Node>();
                            current = stack.Peek().Block.Else!;
                            break;
                        case "end":
                            if (stack.Count == 0 || words.Length != 1)
                            {
                                throw Fail($"Unexpected '{action}' at offset {open}: no range or if to end.");
                            }

                            current = stack.Pop().Current;
                            break;
                        default:
                            if (words.Length != 1)
                            {
                                throw Fail($"'{action}' at offset {open} is not supported: templates may use fields (.Name), range, if, else and end, without functions or pipes.");
                            }

                            current.Add(new ActionNode(ParsePath(words[0], open)));
                            break;
                    }

                }

                if (stack.Count > 0)
                {
                    throw Fail($"'{(stack.Peek().Block.IsRange ? "range" : "if")} .{string.Join(".", stack.Peek().Block.Path.Names)}' has no matching '{{{{ end }}}}'.");
                }

                return root;
            }

            private static void AddText(List<Node> nodes, string value) => nodes.Add(new TextNode(value));

            private static bool IsSpace(char c) => c == ' ' || c == '\t' || c == '\r' || c == '\n';

            private static FieldPath ParsePath(string word, int offset)
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
        }
    }
}
