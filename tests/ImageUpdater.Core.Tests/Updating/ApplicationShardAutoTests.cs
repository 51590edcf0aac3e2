using System;
using System.Collections.Generic;
using System.Linq;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.Updating;
using Xunit;

namespace ImageUpdater.Core.Tests.Updating
{
    /// <summary>-Shard Auto: the shard from a Kubernetes Indexed Job's JOB_COMPLETION_INDEX and JOB_COMPLETIONS.</summary>
    public class ApplicationShardAutoTests
    {
        private static Func<string, string?> Job(string? index, string? count) => name => name switch
        {
            ApplicationShard.IndexVariable => index,
            ApplicationShard.CountVariable => count,
            _ => null,
        };

        [Theory]
        [InlineData(1)]
        [InlineData(3)]
        [InlineData(7)]
        [InlineData(16)]
        public void EveryApplicationIsInExactlyOneOfTheJobsShards(int completions)
        {
            var fleet = Enumerable.Range(0, 600).Select(i => new ArgoApplication($"app-{i}") { Namespace = i % 4 == 0 ? "team-a" : "argocd" }).ToList();
            var owners = new Dictionary<string, int>();
            for (var pod = 0; pod < completions; pod++)
            {
                var shard = ApplicationShard.Parse("Auto", Job(pod.ToString(), completions.ToString()));
                Assert.Equal(pod, shard.Index);
                Assert.Equal(completions, shard.Count);
                foreach (var app in fleet.Where(shard.Includes))
                {
                    Assert.False(owners.ContainsKey(app.QualifiedName), $"{app.QualifiedName} is in shard {owners.GetValueOrDefault(app.QualifiedName)} and {pod}");
                    owners[app.QualifiedName] = pod;
                }
            }

            Assert.Equal(fleet.Count, owners.Count);
            if (completions > 1)
            {
                // Every pod gets work: no shard is empty for a fleet this size.
                Assert.Equal(completions, owners.Values.Distinct().Count());
            }
        }

        [Fact]
        public void AutoIsTheSameShardAsTheExplicitForm()
        {
            var auto = ApplicationShard.Parse("auto", Job("2", "5"));
            Assert.Equal("2/5", auto.ToString());
            Assert.Equal(ApplicationShard.Parse("2/5").ToString(), auto.ToString());
        }

        [Theory]
        [InlineData(null, "3", "JOB_COMPLETION_INDEX is not set")]
        [InlineData("1", null, "JOB_COMPLETIONS is not set")]
        [InlineData("3", "3", "not a shard")]
        [InlineData("x", "3", "not a shard")]
        public void MissingOrInconsistentVariablesSayWhatToSet(string? index, string? count, string message)
        {
            var ex = Assert.Throws<ImageUpdaterException>(() => ApplicationShard.Parse("Auto", Job(index, count)));
            Assert.Equal(FailureKind.InvalidArgument, ex.Kind);
            Assert.Contains(message, ex.Message);
        }
    }
}
