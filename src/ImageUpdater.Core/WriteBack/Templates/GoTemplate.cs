using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace ImageUpdater.Core.WriteBack.Templates
{
    /// <summary>
    /// The subset of Go's text/template that commit-message and branch templates use: <c>{{ .Field }}</c>, <c>{{ .A.B }}</c>, <c>{{ . }}</c>,
    /// <c>{{ range .List }}…{{ else }}…{{ end }}</c>, <c>{{ if .X }}…{{ else }}…{{ end }}</c>, variables (<c>{{ $x := … }}</c>, <c>{{ $x }}</c>),
    /// <c>index</c> (<c>{{ index .Labels "key" }}</c>), <c>{{/* comments */}}</c> and the trim markers <c>{{-</c> / <c>-}}</c>.
    /// Field names match case-insensitively. Data is nested dictionaries and lists (as <see cref="CommitMessageTemplate"/> builds them).
    /// </summary>
    public sealed partial class GoTemplate
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
            var variables = new Variables(data);
            foreach (var node in nodes)
            {
                node.Render(sb, data, variables);
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
            public abstract void Render(StringBuilder sb, object? dot, Variables variables);

            public abstract void Validate(TemplateFields? schema, List<string> unknown);
        }

        private sealed class TextNode : Node
        {
            public TextNode(string text)
            {
                Text = text;
            }

            public string Text { get; }

            public override void Render(StringBuilder sb, object? dot, Variables variables) => sb.Append(Text);

            public override void Validate(TemplateFields? schema, List<string> unknown)
            {
            }
        }

        private sealed class ActionNode : Node
        {
            private readonly Expression value;

            public ActionNode(Expression value)
            {
                this.value = value;
            }

            public override void Render(StringBuilder sb, object? dot, Variables variables) => sb.Append(Format(value.Evaluate(dot, variables)));

            public override void Validate(TemplateFields? schema, List<string> unknown) => value.Validate(schema, unknown);
        }

        /// <summary><c>{{ $x := … }}</c>: declares a variable for the rest of its block; writes nothing.</summary>
        private sealed class AssignNode : Node
        {
            private readonly string name;
            private readonly Expression value;

            public AssignNode(string name, Expression value)
            {
                this.name = name;
                this.value = value;
            }

            public override void Render(StringBuilder sb, object? dot, Variables variables) => variables.Declare(name, value.Evaluate(dot, variables));

            public override void Validate(TemplateFields? schema, List<string> unknown) => value.Validate(schema, unknown);
        }

        private sealed class BlockNode : Node
        {
            public BlockNode(bool isRange, Expression condition)
            {
                IsRange = isRange;
                Condition = condition;
            }

            public bool IsRange { get; }

            public Expression Condition { get; }

            public List<Node> Body { get; } = new List<Node>();

            public List<Node>? Else { get; set; }

            public override void Render(StringBuilder sb, object? dot, Variables variables)
            {
                var value = Condition.Evaluate(dot, variables);
                if (IsRange)
                {
                    var any = false;
                    if (value is IEnumerable list and not string and not IReadOnlyDictionary<string, object?>)
                    {
                        foreach (var item in list)
                        {
                            any = true;
                            RenderAll(Body, sb, item, variables.Child());
                        }
                    }
                    else if (value is not null)
                    {
                        throw Fail($"'range {Condition.Text}' needs a list.");
                    }

                    if (!any && Else is not null)
                    {
                        RenderAll(Else, sb, dot, variables.Child());
                    }
                }
                else
                {
                    RenderAll(IsTrue(value) ? Body : Else ?? new List<Node>(), sb, dot, variables.Child());
                }
            }

            public override void Validate(TemplateFields? schema, List<string> unknown)
            {
                var target = Condition.Validate(schema, unknown);
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

            private static void RenderAll(List<Node> nodes, StringBuilder sb, object? dot, Variables variables)
            {
                foreach (var node in nodes)
                {
                    node.Render(sb, dot, variables);
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
            private readonly HashSet<string> declared = new HashSet<string>(StringComparer.Ordinal);
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

                    var words = Words(action, open);
                    if (words.Count == 0)
                    {
                        throw Fail($"Empty action at offset {open}.");
                    }

                    switch (words[0])
                    {
                        case "range":
                        case "if":
                            if (words.Count < 2)
                            {
                                throw Fail($"'{action}' at offset {open}: '{words[0]}' needs a value ('{words[0]} .Field').");
                            }

                            var block = new BlockNode(words[0] == "range", Pipeline(words.Skip(1).ToList(), action, open, declared));
                            current.Add(block);
                            stack.Push((block, current));
                            current = block.Body;
                            break;
                        case "else":
                            if (stack.Count == 0 || words.Count != 1 || stack.Peek().Block.Else is not null)
                            {
                                throw Fail($"Unexpected '{action}' at offset {open}.");
                            }

                            stack.Peek().Block.Else = new List<Node>();
                            current = stack.Peek().Block.Else!;
                            break;
                        case "end":
                            if (stack.Count == 0 || words.Count != 1)
                            {
                                throw Fail($"Unexpected '{action}' at offset {open}: no range or if to end.");
                            }

                            current = stack.Pop().Current;
                            break;
                        default:
                            if (words.Count >= 3 && words[1] == ":=" && words[0].Length > 1 && words[0][0] == '$' && words[0].Skip(1).All(c => char.IsLetterOrDigit(c) || c == '_'))
                            {
                                var value = Pipeline(words.Skip(2).ToList(), action, open, declared);
                                declared.Add(words[0]);
                                current.Add(new AssignNode(words[0], value));
                                break;
                            }

                            current.Add(new ActionNode(Pipeline(words, action, open, declared)));
                            break;
                    }
                }

                if (stack.Count > 0)
                {
                    throw Fail($"'{(stack.Peek().Block.IsRange ? "range" : "if")} {stack.Peek().Block.Condition.Text}' has no matching '{{{{ end }}}}'.");
                }

                return root;
            }

            private static void AddText(List<Node> nodes, string value) => nodes.Add(new TextNode(value));

            private static bool IsSpace(char c) => c == ' ' || c == '\t' || c == '\r' || c == '\n';
        }
    }
}
