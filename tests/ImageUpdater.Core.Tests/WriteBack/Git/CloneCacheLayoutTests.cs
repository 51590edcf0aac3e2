using System;
using System.IO;
using System.Text;
using ImageUpdater.Core.WriteBack.Git;
using LibGit2Sharp;
using Xunit;

namespace ImageUpdater.Core.Tests.WriteBack.Git
{
    /// <summary>Issue 22: the clone cache's own bare layout and the in-memory blob write give what libgit2's would.</summary>
    public sealed class CloneCacheLayoutTests : IDisposable
    {
        private readonly string folder = Path.Combine(Path.GetTempPath(), "iu-layout-" + Guid.NewGuid().ToString("N").Substring(0, 8));

        [Fact]
        public void CreateBare_IsABareRepositoryWithBothRemotes()
        {
            const string url = "https://git.example.com/team/gitops \"x\"\\y.git";
            GitCloneCache.CreateBare(folder, url);
            using var repo = new Repository(folder);
            Assert.True(repo.Info.IsBare);
            Assert.Equal(url, repo.Network.Remotes[GitCloneCache.Remote].Url);
            Assert.Equal(GitCloneCache.FetchRefSpecs[0], Assert.Single(repo.Network.Remotes[GitCloneCache.Remote].FetchRefSpecs).Specification);
            Assert.Equal(url, repo.Network.Remotes[GitCloneCache.PushRemote].Url);
            Assert.Empty(repo.Network.Remotes[GitCloneCache.PushRemote].FetchRefSpecs);
            Assert.False(File.Exists(Path.Combine(folder, "description")));
            Assert.False(Directory.Exists(Path.Combine(folder, "hooks")));
        }

        [Fact]
        public void CreateBare_RefusesALineBreakInTheUrl()
        {
            var e = Assert.Throws<ImageUpdaterException>(() => GitCloneCache.CreateBare(folder, "https://git.example.com/a.git\n[core]\n\tsshCommand = evil"));
            Assert.Equal("GitRepositoryUnknown", e.ErrorId);
            Assert.False(File.Exists(Path.Combine(folder, "config")));
        }

        [Fact]
        public void AddBlob_HasTheIdLibgit2Gives_AndIsReadFromMemory()
        {
            GitCloneCache.CreateBare(folder, "https://git.example.com/a.git");
            using var repo = new Repository(folder);
            var memory = new MemoryObjectBackend();
            repo.ObjectDatabase.AddBackend(memory, MemoryObjectBackend.Priority);
            var content = Encoding.UTF8.GetBytes("image:\n  tag: 1.2.3 # managed\n");
            var id = memory.AddBlob(content);
            Assert.Equal("image:\n  tag: 1.2.3 # managed\n", repo.Lookup<Blob>(id).GetContentText());
            Assert.Equal(id, repo.ObjectDatabase.Write<Blob>(content));
            Assert.Empty(Directory.GetDirectories(Path.Combine(folder, "objects"), "??"));
        }

        public void Dispose()
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, true);
            }
        }
    }
}
