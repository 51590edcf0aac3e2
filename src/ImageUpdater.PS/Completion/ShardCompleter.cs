using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ImageUpdater.PS.Completion
{
    /// <summary>Completes -Shard with Auto and <c>i/n</c> values (0-based i): every shard of n when n is typed (<c>/4</c>, <c>2/4</c>), else those of 2, 3 and 4.</summary>
    public sealed class ShardCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var typed = CompletionText.Unquote(wordToComplete);
            var slash = typed.IndexOf('/');
            var counts = slash >= 0 && int.TryParse(typed.Substring(slash + 1), out var n) && n is >= 1 and <= 64
                ? new[] { n }
                : new[] { 2, 3, 4 };
            var shards = counts.SelectMany(count => Enumerable.Range(0, count).Select(i => $"{i}/{count}"));
            var prefix = slash >= 0 ? typed.Substring(0, slash) : typed;
            // Auto (Kubernetes Indexed Jobs) is offered first, then the i/n values.
            var values = (slash >= 0 ? shards : new[] { "Auto" }.Concat(shards)).Where(s => s.StartsWith(prefix, System.StringComparison.OrdinalIgnoreCase));
            return CompletionText.Matching(values, slash >= 0 ? string.Empty : wordToComplete,
                shard => shard == "Auto" ? "shard from JOB_COMPLETION_INDEX / JOB_COMPLETIONS (Kubernetes Indexed Job)" : $"shard {shard}: the applications whose name hash modulo {shard.Split('/')[1]} is {shard.Split('/')[0]}");
        }
    }
}
