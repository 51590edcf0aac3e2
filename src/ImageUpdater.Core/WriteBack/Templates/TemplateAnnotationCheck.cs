using System.Collections.Generic;
using System.Linq;
using ImageUpdater.Core.Annotations;

namespace ImageUpdater.Core.WriteBack.Templates
{
    /// <summary>Annotation diagnostics for git.commit-message and the git-branch write template (AnnotationParser reports them).</summary>
    public static class TemplateAnnotationCheck
    {
        public static IEnumerable<AnnotationDiagnostic> Check(ParsedAnnotations parsed, string application)
        {
            var spec = parsed.WriteBack;
            if (!string.IsNullOrEmpty(spec.CommitMessage))
            {
                foreach (var diagnostic in Check(application, AnnotationKeys.GitCommitMessage, spec.CommitMessage!, CommitMessageTemplate.Fields, "the default commit message is used instead"))
                {
                    yield return diagnostic;
                }
            }

            if (!string.IsNullOrEmpty(spec.WriteBranch))
            {
                foreach (var diagnostic in Check(application, AnnotationKeys.GitBranch, spec.WriteBranch!, BranchNameTemplate.Fields, "nothing can be pushed"))
                {
                    yield return diagnostic;
                }
            }
        }

        private static IEnumerable<AnnotationDiagnostic> Check(string application, string key, string text, TemplateFields fields, string consequence)
        {
            GoTemplate parsed;
            try
            {
                parsed = GoTemplate.Parse(text);
            }
            catch (ImageUpdaterException e)
            {
                return new[] { new AnnotationDiagnostic(application, key, DiagnosticSeverity.Error, $"{e.Message} At run time {consequence}.") };
            }

            var unknown = parsed.Validate(fields);
            return unknown.Count == 0
                ? Enumerable.Empty<AnnotationDiagnostic>()
                : new[] { new AnnotationDiagnostic(application, key, DiagnosticSeverity.Error, $"Unknown template field(s) {string.Join(", ", unknown.Select(u => "." + u))}; the fields are {string.Join(", ", fields.Names.Select(n => "." + n))}. At run time {consequence}.") };
        }
    }
}
