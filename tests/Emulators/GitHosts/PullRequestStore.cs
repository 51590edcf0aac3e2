using System;
using System.Collections.Generic;
using System.Linq;

namespace ImageUpdater.Emulators.GitHosts
{
    /// <summary>Pull/merge requests of one emulated repository; a host's view of them is the emulator's (state names, ids).</summary>
    public sealed class PullRequestStore
    {
        private readonly List<StoredPullRequest> items = new List<StoredPullRequest>();

        public IReadOnlyList<StoredPullRequest> All
        {
            get
            {
                lock (items)
                {
                    return items.ToArray();
                }
            }
        }

        /// <summary>Adds one unless an open one joins the same branches (then returns null: every host refuses a duplicate).</summary>
        public StoredPullRequest? Open(string head, string baseBranch, string title, string body)
        {
            lock (items)
            {
                if (items.Any(p => p.State == "open" && p.Head == head && p.Base == baseBranch))
                {
                    return null;
                }

                var created = new StoredPullRequest(items.Count + 1, head, baseBranch) { Title = title, Body = body };
                items.Add(created);
                return created;
            }
        }

        public StoredPullRequest? Find(int number)
        {
            lock (items)
            {
                return items.FirstOrDefault(p => p.Number == number);
            }
        }

        /// <summary>Adds a closed request, as a test's earlier history.</summary>
        public void AddClosed(string head, string baseBranch)
        {
            lock (items)
            {
                items.Add(new StoredPullRequest(items.Count + 1, head, baseBranch) { Title = "closed", State = "closed" });
            }
        }
    }

    public sealed class StoredPullRequest
    {
        public StoredPullRequest(int number, string head, string baseBranch)
        {
            Number = number;
            Head = head;
            Base = baseBranch;
        }

        public int Number { get; }

        public string Head { get; }

        public string Base { get; }

        public string Title { get; set; } = string.Empty;

        public string Body { get; set; } = string.Empty;

        /// <summary>open or closed (merged counts as closed).</summary>
        public string State { get; set; } = "open";

        public int Edits { get; set; }
    }
}
