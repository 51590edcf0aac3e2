using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ImageUpdater.PS.Completion
{
    /// <summary>Completes -Platform with the os/arch[/variant] values images are commonly built for.</summary>
    public sealed class PlatformCompleter : IArgumentCompleter
    {
        private static readonly string[] Platforms =
        {
            "linux/amd64", "linux/arm64", "linux/arm64/v8", "linux/arm/v7", "linux/arm/v6", "linux/386", "linux/ppc64le",
            "linux/s390x", "linux/riscv64", "windows/amd64", "windows/arm64",
        };

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
            CompletionText.Matching(Platforms, wordToComplete);
    }
}
