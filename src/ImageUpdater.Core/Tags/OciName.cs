namespace ImageUpdater.Core.Tags
{
    /// <summary>
    /// The OCI distribution grammar for what a registry returns: a tag is <c>[A-Za-z0-9_][A-Za-z0-9._-]{0,127}</c>, a digest
    /// <c>algorithm:hex</c>. Anything else is hostile or broken and never reaches a strategy, a file or a commit.
    /// </summary>
    public static class OciName
    {
        public const int MaxTagLength = 128;

        public static bool IsValidTag(string? tag)
        {
            if (string.IsNullOrEmpty(tag) || tag!.Length > MaxTagLength || tag[0] == '.' || tag[0] == '-')
            {
                return false;
            }

            foreach (var c in tag)
            {
                if (!IsWord(c) && c != '.' && c != '-')
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary><c>algorithm:hex</c>: algorithm <c>[a-z0-9]+([+._-][a-z0-9]+)*</c>, then lower-case hex digits only.</summary>
        public static bool IsValidDigest(string? digest)
        {
            var colon = digest?.IndexOf(':') ?? -1;
            if (colon <= 0 || colon == digest!.Length - 1)
            {
                return false;
            }

            var algorithm = digest.Substring(0, colon);
            var separatorBefore = true;
            foreach (var c in algorithm)
            {
                var separator = c == '+' || c == '.' || c == '_' || c == '-';
                if (separator ? separatorBefore : !(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9'))
                {
                    return false;
                }

                separatorBefore = separator;
            }

            if (separatorBefore)
            {
                return false;
            }

            for (var i = colon + 1; i < digest.Length; i++)
            {
                var c = digest[i];
                if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f'))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool IsWord(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }
}
