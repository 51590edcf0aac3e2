using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ImageUpdater.PS.Completion
{
    /// <summary>Completes -UpdateStrategy with the four current names (not the deprecated latest/name), each with what it picks.</summary>
    public sealed class UpdateStrategyCompleter : IArgumentCompleter
    {
        private static readonly (string Name, string Description)[] Strategies =
        {
            ("semver", "Highest semantic version within the constraint (default)"),
            ("newest-build", "Most recently built or pushed image"),
            ("alphabetical", "Last tag in lexical order"),
            ("digest", "Newest digest of the tag named by the constraint"),
        };

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
            Strategies
                .Where(s => s.Name.StartsWith(CompletionText.Unquote(wordToComplete), StringComparison.OrdinalIgnoreCase))
                .Select(s => new CompletionResult(s.Name, s.Name, CompletionResultType.ParameterValue, s.Description));
    }
}
