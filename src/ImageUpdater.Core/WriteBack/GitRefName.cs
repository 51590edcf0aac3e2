namespace ImageUpdater.Core.WriteBack
{
    /// <summary>
    /// Branch names as <c>git check-ref-format --branch</c> accepts them, plus names that git allows but that shadow other refs
    /// in every clone (<c>HEAD</c>, <c>@</c>, <c>refs/…</c>, <c>origin/…</c>) or read as options (<c>-x</c>). Rendered write branches
    /// come from annotations and registry tags, so each is checked before it is grouped or pushed.
    /// </summary>
    public static class GitRefName
    {
        /// <summary>Why <paramref name="name"/> cannot be a write branch, or null.</summary>
        public static string? BranchProblem(string name)
        {
            if (name == "HEAD" || name == "@")
            {
                return $"'{name}' names the current commit, not a branch";
            }

            if (name.StartsWith("refs/", System.StringComparison.Ordinal) || name.StartsWith("origin/", System.StringComparison.Ordinal))
            {
                return $"'{Shown(name)}' would shadow a tag or remote-tracking name in every clone";
            }

            return FormatProblem(name);
        }

        /// <summary>The rules of <c>git check-ref-format --branch</c> alone: why git refuses <paramref name="name"/> as a branch, or null.</summary>
        public static string? FormatProblem(string name)
        {
            if (string.IsNullOrEmpty(name))
            {
                return "the branch name is empty";
            }

            if (name[0] == '-')
            {
                return $"'{Shown(name)}' starts with '-'";
            }

            if (name.Contains("..") || name.Contains("@{"))
            {
                return $"'{Shown(name)}' contains '..' or '@{{'";
            }

            if (name.EndsWith(".", System.StringComparison.Ordinal))
            {
                return $"'{Shown(name)}' ends with '.'";
            }

            foreach (var c in name)
            {
                if (c < 0x20 || c == 0x7F || c == ' ' || c == '~' || c == '^' || c == ':' || c == '?' || c == '*' || c == '[' || c == '\\')
                {
                    return $"'{Shown(name)}' contains {(c < 0x20 || c == 0x7F ? "a control character" : "'" + c + "'")}, which git does not allow in a branch name";
                }
            }

            foreach (var component in name.Split('/'))
            {
                if (component.Length == 0)
                {
                    return $"'{Shown(name)}' has an empty path component (a leading, trailing or double '/')";
                }

                if (component[0] == '.' || component.EndsWith(".lock", System.StringComparison.Ordinal))
                {
                    return $"'{Shown(name)}' has a component that starts with '.' or ends with '.lock'";
                }
            }

            return null;
        }

        // Control characters (a newline from a template) would break the message's line.
        private static string Shown(string name)
        {
            var chars = name.ToCharArray();
            for (var i = 0; i < chars.Length; i++)
            {
                if (chars[i] < 0x20 || chars[i] == 0x7F)
                {
                    chars[i] = '?';
                }
            }

            return new string(chars);
        }
    }
}
