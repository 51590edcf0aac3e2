using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using ImageUpdater.Core.Registries.Ecr;

namespace ImageUpdater.PS.Completion
{
    /// <summary>Completes -Region with the regions of every AWS partition, each with its name as the tooltip (as AWS Tools does).</summary>
    public sealed class AwsRegionCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var names = AwsRegions.All.ToDictionary(r => r.Key, r => r.Value);
            return CompletionText.Matching(names.Keys, wordToComplete, name => $"{name}: {names[name]}");
        }
    }
}
