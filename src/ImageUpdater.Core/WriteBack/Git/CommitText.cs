using System.Collections.Generic;
using System.Linq;
using System.Text;
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

        /// <summary>
        /// One application: its rendered template. Several: a subject that counts the batch, one line per change, then the rendered
        /// message of each application that has its own git.commit-message (what its team asked for stays in the commit).
        /// </summary>
        public static string Message(IEnumerable<IGrouping<ArgoApplication, ImageUpdateCandidate>> applications, System.Action<string>? warning)
        {
            var groups = applications.ToList();
            if (groups.Count == 1)
            {
                return Render(groups[0], warning) + "\n";
            }

            var text = new StringBuilder($"build: update {groups.Sum(g => g.Count())} images in {groups.Count} applications\n\n");
            // By name, not by when each look-up finished: the same batch always reads the same.
            groups = groups.OrderBy(g => g.Key.Name, System.StringComparer.Ordinal).ToList();
            foreach (var app in groups)
            {
                foreach (var change in app.Select(ImageChange.From))
                {
                    text.Append($"{app.Key.Name}: updates image {change.Name} tag '{change.OldTag}' to '{change.NewTag}'\n");
                }
            }

            foreach (var app in groups.Where(g => !string.IsNullOrEmpty(g.Key.WriteBack.CommitMessage)))
            {
                text.Append('\n').Append(Render(app, warning)).Append('\n');
            }

            return text.ToString();
        }

        private static string Render(IGrouping<ArgoApplication, ImageUpdateCandidate> app, System.Action<string>? warning) =>
            CommitMessageTemplate.Render(app.Key.WriteBack.CommitMessage, app.Key.Name, app.Key.Namespace, app.Select(ImageChange.From).ToList(), warning).TrimEnd('\n', '\r');

        private static string FirstNonEmpty(params string?[] values) => values.First(v => !string.IsNullOrWhiteSpace(v))!;
    }
}
