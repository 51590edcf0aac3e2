using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using ImageUpdater.Core.Registries.Ecr;

namespace ImageUpdater.PS.Completion
{
    /// <summary>Completes ECR -Repository through DescribeRepositories, with the AWS parameters already typed (or the default credential chain).</summary>
    public sealed class EcrRepositoryCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var secret = CompletionText.Secure(fakeBoundParameters, "SecretKey");
            var token = CompletionText.Secure(fakeBoundParameters, "SessionToken");
            var endpoint = CompletionText.Text(fakeBoundParameters, "EndpointUrl");
            var options = new AwsOptions
            {
                AccessKey = CompletionText.Text(fakeBoundParameters, "AccessKey"),
                SecretKey = SecretText.ToPlainText(secret),
                SessionToken = SecretText.ToPlainText(token),
                ProfileName = CompletionText.Text(fakeBoundParameters, "ProfileName"),
                ProfilesLocation = CompletionText.Text(fakeBoundParameters, "ProfileLocation"),
                Region = CompletionText.Text(fakeBoundParameters, "Region"),
                EndpointUrl = Uri.TryCreate(endpoint, UriKind.Absolute, out var url) ? url : null,
            };
            var registryId = CompletionText.Text(fakeBoundParameters, "RegistryId");
            var repositories = CompletionText.Within(async cancel =>
            {
                using var ecr = new EcrRegistryClient(options);
                return await ecr.ClientFor(null).DescribeRepositoriesAsync(null, registryId, cancel).ConfigureAwait(false);
            });
            if (repositories is null)
            {
                return Enumerable.Empty<CompletionResult>();
            }

            var uris = repositories.Where(r => r.RepositoryName is not null).GroupBy(r => r.RepositoryName!).ToDictionary(g => g.Key, g => g.First().RepositoryUri ?? g.Key);
            return CompletionText.Matching(uris.Keys.OrderBy(n => n, System.StringComparer.OrdinalIgnoreCase), wordToComplete, n => uris[n]);
        }
    }
}
