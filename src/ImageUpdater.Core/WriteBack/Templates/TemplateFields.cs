using System;
using System.Collections.Generic;
using System.Linq;

namespace ImageUpdater.Core.WriteBack.Templates
{
    /// <summary>The fields a template may use: names (case-insensitive), each a scalar or a list whose elements have fields of their own.</summary>
    public sealed class TemplateFields
    {
        private readonly Dictionary<string, TemplateFields?> fields;

        /// <param name="fields">Name → the fields of a nested object, or null for a scalar.</param>
        /// <param name="element">For a list: the fields of each element (what <c>range</c> sees as dot).</param>
        public TemplateFields(IEnumerable<KeyValuePair<string, TemplateFields?>> fields, TemplateFields? element = null)
        {
            this.fields = new Dictionary<string, TemplateFields?>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in fields)
            {
                this.fields[pair.Key] = pair.Value;
            }

            Element = element;
        }

        /// <summary>For a list: the fields of its elements.</summary>
        public TemplateFields? Element { get; }

        public IEnumerable<string> Names => fields.Keys;

        /// <summary>A list of elements that have the given scalar fields.</summary>
        public static TemplateFields ListOf(params string[] elementFields) =>
            new TemplateFields(Array.Empty<KeyValuePair<string, TemplateFields?>>(), Scalars(elementFields));

        /// <summary>An object whose fields are all scalars.</summary>
        public static TemplateFields Scalars(params string[] names) =>
            new TemplateFields(names.Select(n => new KeyValuePair<string, TemplateFields?>(n, null)));

        public bool TryGet(string name, out TemplateFields? nested) => fields.TryGetValue(name, out nested);
    }
}
