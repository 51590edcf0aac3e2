using System.Collections.Generic;
using System.Linq;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Updating;
using ImageUpdater.Core.WriteBack.Templates;

namespace ImageUpdater.Core.WriteBack.Git
{
    /// <summary>Who a write-back commit is by and what its message says.</summary>
    internal static class CommitText
    {
        /// <summary>The first application with git.user/git.email, else the options, else upstream's argocd-image-updater.</summary>
        public static (string Name, string Email) Author(IEnumerable<ArgoApplication> applications, GitWriteBackOptions options)
        {
            var spec = applications.Select(a => a.WriteBack).FirstOrDefault(w => !string.IsNullOrEmpty(w.AuthorName) || !string.IsNullOrEmpty(w.AuthorEmail));
            return (FirstNonEmpty(spec?.AuthorName, options.AuthorName, GitWriteBackOptions.DefaultAuthorName),
                FirstNonEmpty(spec?.AuthorEmail, options.AuthorEmail, GitWriteBackOptions.DefaultAuthorEmail));
        }

        /// <summary>One application: its rendered template; several: each application's rendered message in turn, a blank line apart.</summary>
        public static string Message(IEnumerable<IGrouping<ArgoApplication, ImageUpdateCandidate>> applications, System.Action<string>? warning)
        {
            var messages = applications.Select(app =>
                CommitMessageTemplate.Render(app.Key.WriteBack.CommitMessage, app.Key.Name, app.Key.Namespace, app.Select(ImageChange.From).ToList(), warning)
                    .TrimEnd('\n', '\r')).ToList();
            return string.Join("\n\n", messages) + "\n";
        }

        private static string FirstNonEmpty(params string?[] values) => values.First(v => !string.IsNullOrWhiteSpace(v))!;
    }
}
