using System;
using System.Collections.Generic;
using System.Linq;
using YamlDotNet.Core;

namespace ImageUpdater.Core.Yaml
{
    /// <summary>
    /// Renders new content in the file's layout: a value is a string, a <see cref="PlainText"/>, a mapping
    /// (<c>List&lt;KeyValuePair&lt;string, object&gt;&gt;</c>, keys in order) or a list (<c>List&lt;object&gt;</c>).
    /// </summary>
    internal sealed class YamlNodeWriter
    {
        private readonly YamlLayout layout;

        public YamlNodeWriter(YamlLayout layout) => this.layout = layout;

        public static string Indent(int n) => new string(' ', Math.Max(0, n));

        public static string Key(string key, bool inFlow) => YamlScalarText.Render(key, ScalarStyle.Plain, inFlow);

        /// <summary>A value in flow style (inside [] or {}).</summary>
        public static string Flow(object value) => value switch
        {
            string s => YamlScalarText.Render(s, ScalarStyle.Plain, true),
            PlainText p => p.Text,
            List<KeyValuePair<string, object>> map => "{" + string.Join(", ", map.Select(e => Key(e.Key, true) + ": " + Flow(e.Value))) + "}",
            List<object> list => "[" + string.Join(", ", list.Select(Flow)) + "]",
            _ => throw YamlEditor.Broken("unknown value " + value.GetType().Name),
        };

        /// <summary>What follows "key:" for a key at <paramref name="keyIndent"/>: a scalar on the line, a collection on the lines below.</summary>
        public string AfterKey(object value, int keyIndent) => value switch
        {
            string s => " " + YamlScalarText.Render(s, ScalarStyle.Plain, false),
            PlainText p => " " + p.Text,
            List<KeyValuePair<string, object>> { Count: 0 } => " {}",
            List<object> { Count: 0 } => " []",
            List<KeyValuePair<string, object>> map => layout.LineBreak + Block(map, keyIndent + layout.IndentUnit),
            List<object> list => layout.LineBreak + Block(list, keyIndent + layout.SequenceIndent),
            _ => throw YamlEditor.Broken("unknown value " + value.GetType().Name),
        };

        /// <summary>Block lines of a mapping (keys at <paramref name="indent"/>) or a list (dashes at it), without a final line break.</summary>
        public string Block(object value, int indent)
        {
            var lines = new List<string>();
            if (value is List<KeyValuePair<string, object>> map)
            {
                foreach (var entry in map)
                {
                    lines.Add(Indent(indent) + Key(entry.Key, false) + ":" + AfterKey(entry.Value, indent));
                }
            }
            else
            {
                foreach (var item in (List<object>)value)
                {
                    lines.Add(Indent(indent) + "- " + Item(item, indent + 2));
                }
            }

            return string.Join(layout.LineBreak, lines);
        }

        /// <summary>A list item's text after "- ": a scalar, or a mapping whose first key sits on the dash line.</summary>
        public string Item(object item, int contentIndent)
        {
            if (item is List<KeyValuePair<string, object>> { Count: > 0 } map)
            {
                return Block(map, contentIndent).Substring(contentIndent);
            }

            return item switch
            {
                string s => YamlScalarText.Render(s, ScalarStyle.Plain, false),
                PlainText p => p.Text,
                _ => Flow(item),
            };
        }

        /// <summary>A value written as is, unquoted (booleans).</summary>
        internal sealed class PlainText
        {
            public PlainText(string text) => Text = text;

            public string Text { get; }

            public override string ToString() => Text;
        }
    }
}
