using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using ImageUpdater.Core.Tags;

namespace ImageUpdater.PS.Completion
{
    /// <summary>Completes -UpdateStrategy with the four current names (not the deprecated latest/name), each with what it picks.</summary>
    public sealed class UpdateStrategyCompleter : IArgumentCompleter
    {
        private static readonly Dictionary<string, string> Strategies = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["semver"] = "Highest semantic version within the constraint (default)",
            ["newest-build"] = "The most recently built or pushed image",
            ["alphabetical"] = "The last tag in lexical order",
            ["digest"] = "The newest digest of the tag named by the constraint",
        };

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
            CompletionText.Matching(Strategies.Keys, wordToComplete, name => Strategies[name]);
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
                throw new ValidationMetadataException($"'{text}' is not an update strategy; use semver, newest-build, alphabetical or digest.");
            }
        }
    }
}
