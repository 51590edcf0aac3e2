using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using ImageUpdater.Core.Registries.Ecr;

namespace ImageUpdater.PS.Completion
{
    /// <summary>Completes -ProfileName with the profiles of the shared config and credentials files (-ProfileLocation's file when given).</summary>
    public sealed class AwsProfileCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var location = CompletionText.Text(fakeBoundParameters, "ProfileLocation");
            return CompletionText.Matching(AwsSharedProfiles.Names(location), wordToComplete, name => "AWS profile " + name);
        }
    }
}
