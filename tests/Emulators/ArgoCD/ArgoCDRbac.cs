using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace ImageUpdater.Emulators.ArgoCD
{
    /// <summary>
    /// Argo CD's RBAC in the policy.csv form: <c>p, subject, resource, action, object, effect</c> and <c>g, subject, role</c>,
    /// glob matching (policy.matchMode glob), deny wins, and the built-in role:admin and role:readonly.
    /// </summary>
    public sealed class ArgoCDRbac
    {
        /// <summary>Like the seed's argocd-rbac-cm: the image-updater account may get and update applications; readonly may only get.</summary>
        public const string DefaultPolicy =
            "p, role:image-updater, applications, get, */*, allow\n" +
            "p, role:image-updater, applications, update, */*, allow\n" +
            "g, image-updater, role:image-updater\n" +
            "g, readonly, role:readonly\n" +
            "g, admin, role:admin\n";

        private readonly List<(string Subject, string Resource, string Action, string Object, bool Allow)> policies = new();
        private readonly List<(string Subject, string Role)> groups = new();

        public ArgoCDRbac(string policyCsv)
        {
            policies.Add(("role:admin", "*", "*", "*", true));
            policies.Add(("role:readonly", "*", "get", "*", true));
            foreach (var raw in policyCsv.Split('\n'))
            {
                var line = raw.Trim();
                if (line.Length == 0 || line.StartsWith("#", StringComparison.Ordinal))
                {
                    continue;
                }

                var fields = line.Split(',').Select(f => f.Trim()).ToArray();
                if (fields[0] == "p" && fields.Length >= 5)
                {
                    policies.Add((fields[1], fields[2], fields[3], fields[4], fields.Length < 6 || fields[5] != "deny"));
                }
                else if (fields[0] == "g" && fields.Length == 3)
                {
                    groups.Add((fields[1], fields[2]));
                }
                else
                {
                    throw new InvalidDataException($"policy.csv: cannot read '{line}'");
                }
            }
        }

        public static ArgoCDRbac FromFile(string? path) => new ArgoCDRbac(path is null ? DefaultPolicy : File.ReadAllText(path));

        /// <summary>Whether the account may do the action on the object (<c>project/app</c> or <c>project/namespace/app</c>).</summary>
        public bool Enforce(string account, string resource, string action, string obj)
        {
            var subjects = Subjects(account);
            var matching = policies.Where(p => subjects.Contains(p.Subject) && Glob(p.Resource, resource) && Glob(p.Action, action) && Glob(p.Object, obj)).ToList();
            return matching.Count > 0 && matching.All(p => p.Allow);
        }

        private HashSet<string> Subjects(string account)
        {
            var result = new HashSet<string>(StringComparer.Ordinal) { account };
            var changed = true;
            while (changed)
            {
                changed = false;
                foreach (var (subject, role) in groups)
                {
                    if (result.Contains(subject) && result.Add(role))
                    {
                        changed = true;
                    }
                }
            }

            return result;
        }

        private static bool Glob(string pattern, string value) =>
            pattern == "*" || Regex.IsMatch(value, "^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$");
    }
}
