using System;
using System.Collections.Generic;
using System.Threading;
using ImageUpdater.Core.Argo;
using ImageUpdater.Core.WriteBack;
using ImageUpdater.Core.WriteBack.ArgoCD;

namespace ImageUpdater.Core.Run
{
    /// <summary>The write-back engines a run's units share, each made on first use (a run without argocd applications never connects).</summary>
    public sealed class WriteBackServices
    {
        private readonly GitWriteBackOptions gitOptions;
        private readonly Lazy<GitWriteBack> git;
        private readonly Lazy<GitWriteBack> gitWhatIf;
        private readonly Lazy<ArgoCDApiWriteBack> argocd;

        /// <param name="gitOptions">Git options for a real write (false) or a what-if (true); both are made here, on the caller's thread.</param>
        /// <param name="argoCD">Connects to Argo CD; called when the first argocd unit is written, and again after a failure.</param>
        /// <param name="log">Argo CD requests and retries (for -Verbose); called from any thread.</param>
        public WriteBackServices(Func<bool, GitWriteBackOptions> gitOptions, Func<ArgoCDClient> argoCD, Action<string>? log = null)
        {
            this.gitOptions = gitOptions(false);
            var whatIfOptions = gitOptions(true);
            git = new Lazy<GitWriteBack>(() => new GitWriteBack(new GitTargetEditor { AllowSharedValueEdit = this.gitOptions.AllowSharedValueEdit }, this.gitOptions), LazyThreadSafetyMode.ExecutionAndPublication);
            gitWhatIf = new Lazy<GitWriteBack>(() => new GitWriteBack(new GitTargetEditor { AllowSharedValueEdit = whatIfOptions.AllowSharedValueEdit }, whatIfOptions), LazyThreadSafetyMode.ExecutionAndPublication);
            argocd = new Lazy<ArgoCDApiWriteBack>(() => new ArgoCDApiWriteBack(argoCD) { Log = log, IgnoreHold = this.gitOptions.IgnoreHold }, LazyThreadSafetyMode.ExecutionAndPublication);
        }

        public GitWriteBack Git(bool whatIf) => whatIf ? gitWhatIf.Value : git.Value;

        public ArgoCDApiWriteBack ArgoCD => argocd.Value;

        /// <summary>Options of a real git write (for the unit's confirmation text).</summary>
        internal GitWriteBackOptions GitOptions => gitOptions;

        /// <summary>Statistics of the git write-backs used so far (a what-if one and a real one).</summary>
        public IReadOnlyList<GitWriteBackStatistics> GitStatistics
        {
            get
            {
                var all = new List<GitWriteBackStatistics>();
                if (git.IsValueCreated)
                {
                    all.Add(git.Value.Statistics);
                }

                if (gitWhatIf.IsValueCreated)
                {
                    all.Add(gitWhatIf.Value.Statistics);
                }

                return all;
            }
        }
    }
}
