using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace ImageUpdater.Core.Registries.Ecr
{
    /// <summary>
    /// The profile names in the shared config and credentials files, read as the AWS CLI reads them (AWS_CONFIG_FILE,
    /// AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and ~/.aws/credentials), for completion and "profiles found" messages.
    /// </summary>
    public static class AwsSharedProfiles
    {
        private static readonly Regex Section = new Regex(@"^\s*\[\s*(?:(profile)\s+)?([^\]\s]+)\s*\]", RegexOptions.CultureInvariant);

        /// <summary>The config file and the credentials file (<paramref name="credentialsFile"/> when given, like -ProfileLocation).</summary>
        public static IReadOnlyList<string> Files(string? credentialsFile = null)
        {
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            var config = Environment.GetEnvironmentVariable("AWS_CONFIG_FILE");
            var credentials = credentialsFile ?? Environment.GetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE");
            return new[]
            {
                string.IsNullOrEmpty(config) ? Path.Combine(home, ".aws", "config") : config!,
                string.IsNullOrEmpty(credentials) ? Path.Combine(home, ".aws", "credentials") : credentials!,
            };
        }

        /// <summary>Profile names, sorted, without duplicates; missing or unreadable files give none.</summary>
        public static IReadOnlyList<string> Names(string? credentialsFile = null)
        {
            var files = Files(credentialsFile);
            var names = new SortedSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < files.Count; i++)
            {
                var isConfig = i == 0;
                foreach (var line in ReadLines(files[i]))
                {
                    var match = Section.Match(line);
                    if (!match.Success)
                    {
                        continue;
                    }

                    // In the config file a profile is [default] or [profile name]; [sso-session x] and [services x] are not profiles.
                    var name = match.Groups[2].Value;
                    if (!isConfig || match.Groups[1].Success || name == "default")
                    {
                        names.Add(name);
                    }
                }
            }

            return names.ToList();
        }

        private static IEnumerable<string> ReadLines(string file)
        {
            try
            {
                return File.Exists(file) ? File.ReadAllLines(file) : Array.Empty<string>();
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return Array.Empty<string>();
            }
        }
    }
}
