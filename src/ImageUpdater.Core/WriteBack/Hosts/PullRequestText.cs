using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace ImageUpdater.Core.WriteBack.Hosts
{
    /// <summary>A pull request to open or update: the branches and the text.</summary>
    public sealed class PullRequestRequest
    {
        public PullRequestRequest(string head, string baseBranch, string title, string body)
        {
            Head = head;
            Base = baseBranch;
            Title = title;
            Body = body;
        }

        /// <summary>The write branch (source).</summary>
        public string Head { get; }

        /// <summary>The base branch (target).</summary>
        public string Base { get; }

        public string Title { get; }

        public string Body { get; }
    }

    /// <summary>What a host did with a pull request: opened a new one or updated the open one for the same branches.</summary>
    public sealed class PullRequestOutcome
    {
        public PullRequestOutcome(GitHostKind host, bool opened, int number, string? url)
        {
            Host = host;
            Opened = opened;
            Number = number;
            Url = url;
        }

        public GitHostKind Host { get; }

        public bool Opened { get; }

        public int Number { get; }

        public string? Url { get; }

        /// <summary>"pull request #3", or GitLab's "merge request !3", for messages.</summary>
        public string Name => (Host == GitHostKind.GitLab ? "merge request !" : "pull request #") + Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Title and body of a pull request. Templates take {{.Images}} (name list), {{.Table}} (the markdown table),
    /// {{.Count}}, {{.Base}} and {{.Head}}; the default body is the table of images, old → new tags, with each reason.
    /// </summary>
    public static class PullRequestText
    {
        public const string DefaultTitle = "chore: update {{.Images}}";

        public const string DefaultBody = "Argo CD Image Updater (ImageUpdater.PS) updated {{.Count}} image(s) on `{{.Head}}` for `{{.Base}}`.\n\n{{.Table}}";

        /// <summary>The request for <paramref name="updates"/>, from the templates (null → defaults).</summary>
        public static PullRequestRequest For(IReadOnlyList<ImageUpdate> updates, string head, string baseBranch, string? titleTemplate = null, string? bodyTemplate = null)
        {
            var names = updates.Select(u => u.Alias ?? u.Image ?? "image").Distinct(StringComparer.Ordinal).ToList();
            var images = names.Count <= 3 ? string.Join(", ", names) : string.Join(", ", names.Take(3)) + $" and {names.Count - 3} more";
            var table = Table(updates);
            string Fill(string template) => template
                .Replace("{{.Images}}", images)
                .Replace("{{.Table}}", table)
                .Replace("{{.Count}}", updates.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Replace("{{.Base}}", baseBranch)
                .Replace("{{.Head}}", head);
            var title = Fill(titleTemplate ?? DefaultTitle).Replace("\r", " ").Replace("\n", " ").Trim();

            // GitHub caps titles at 256 characters.
            if (title.Length > 256)
            {
                title = title.Substring(0, 255) + "…";
            }

            return new PullRequestRequest(head, baseBranch, title, Fill(bodyTemplate ?? DefaultBody));
        }

        /// <summary>A markdown table: application, image, old tag, new tag, reason; pipes in values escaped.</summary>
        public static string Table(IEnumerable<ImageUpdate> updates)
        {
            var text = new StringBuilder();
            text.Append("| Application | Image | Old | New | Reason |\n|---|---|---|---|---|\n");
            foreach (var u in updates)
            {
                var newTag = string.IsNullOrEmpty(u.NewTag) ? u.Digest ?? string.Empty : u.NewTag;
                text.Append("| ").Append(Cell(u.Application)).Append(" | ").Append(Cell(u.Image)).Append(" | ").Append(Cell(u.OldTag))
                    .Append(" | ").Append(Cell(newTag)).Append(" | ").Append(Cell(u.Reason)).Append(" |\n");
            }

            return text.ToString();
        }

        private static string Cell(string? value) => string.IsNullOrEmpty(value) ? "—" : value!.Replace("|", "\\|").Replace("\r", " ").Replace("\n", " ");
    }
}
