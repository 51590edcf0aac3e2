using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using ImageUpdater.Core.Tags;

namespace ImageUpdater.PS.Completion
{
    /// <summary>Completes -UpdateStrategy with the current names (not the deprecated latest/name), each with what it picks.</summary>
    public sealed class UpdateStrategyCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
            CompletionText.Matching(UpdateStrategyNames.Names, wordToComplete, name => UpdateStrategyNames.TryParse(name, out var strategy, out _) ? strategy.Description() : name);
    }

    /// <summary>
    /// Validates -UpdateStrategy by the same names the annotations accept (deprecated ones included).
    /// Used instead of ValidateSet, whose values would take over tab completion from <see cref="UpdateStrategyCompleter"/>.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidateUpdateStrategyAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            var text = (arguments is PSObject pso ? pso.BaseObject : arguments)?.ToString();
            if (!UpdateStrategyNames.TryParse(text, out _, out _))
            {
                throw new ValidationMetadataException($"'{text}' is not an update strategy; use {UpdateStrategyNames.Choices}.");
            }
        }
    }
}
