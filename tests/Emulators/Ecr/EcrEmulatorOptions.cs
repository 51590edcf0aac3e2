using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace ImageUpdater.Emulators.Ecr
{
    /// <summary>How the ECR emulator behaves: identity, accepted keys, faults to inject and the repositories it starts with.</summary>
    public sealed class EcrEmulatorOptions
    {
        public const string DefaultAccessKey = "AKIAEMULATOR00000001";
        public const string DefaultSecretKey = "emulator/secret/key/0000000000000000000";

        public string Account { get; set; } = "123456789012";

        public string Region { get; set; } = "us-east-1";

        /// <summary>Accepted access keys → (secret key, session token or null).</summary>
        public Dictionary<string, (string Secret, string? Token)> Keys { get; } = new Dictionary<string, (string, string?)>(StringComparer.Ordinal);

        /// <summary>Session tokens answered with ExpiredTokenException.</summary>
        public HashSet<string> ExpiredTokens { get; } = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>Access keys (or <c>key:Operation</c>) answered with AccessDeniedException.</summary>
        public HashSet<string> Denied { get; } = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>Share of API requests answered with ThrottlingException (0..1), at random.</summary>
        public double ThrottleRate { get; set; }

        /// <summary>The first N API requests are throttled (deterministic, for retry tests).</summary>
        public int ThrottleFirst { get; set; }

        /// <summary>The first N API requests (after throttled ones) fail with HTTP 500 ServerException.</summary>
        public int FailFirst { get; set; }

        /// <summary>Retry-After seconds sent with throttling responses, or null.</summary>
        public int? RetryAfterSeconds { get; set; }

        /// <summary>Added to every response.</summary>
        public TimeSpan Latency { get; set; }

        public TimeSpan MaxSkew { get; set; } = TimeSpan.FromMinutes(15);

        /// <summary>Seed documents (the JSON of POST /__emulator/seed).</summary>
        public List<string> SeedJson { get; } = new List<string>();

        /// <summary>Generated repositories: name → image count (tags 1.&lt;i/1000&gt;.&lt;i%1000&gt;, pushed one minute apart).</summary>
        public Dictionary<string, int> Generated { get; } = new Dictionary<string, int>(StringComparer.Ordinal);

        /// <summary>
        /// Parses command-line options: --account, --region, --key AK:SECRET[:TOKEN] (repeatable; default one key),
        /// --expired-token T, --deny AK[:Operation], --throttle-rate R, --throttle-first N, --fail-first N, --retry-after S,
        /// --latency-ms N, --max-skew-minutes N, --seed file.json, --images repo=N.
        /// </summary>
        public static EcrEmulatorOptions Parse(string[] args)
        {
            var options = new EcrEmulatorOptions();
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"'{args[i]}' needs a value.");
                switch (args[i])
                {
                    case "--account": options.Account = Next(); break;
                    case "--region": options.Region = Next(); break;
                    case "--key":
                        var parts = Next().Split(':', 3);
                        if (parts.Length < 2)
                        {
                            throw new ArgumentException("--key takes ACCESSKEY:SECRET[:TOKEN].");
                        }

                        options.Keys[parts[0]] = (parts[1], parts.Length > 2 ? parts[2] : null);
                        break;
                    case "--expired-token": options.ExpiredTokens.Add(Next()); break;
                    case "--deny": options.Denied.Add(Next()); break;
                    case "--throttle-rate": options.ThrottleRate = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--throttle-first": options.ThrottleFirst = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--fail-first": options.FailFirst = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--retry-after": options.RetryAfterSeconds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--latency-ms": options.Latency = TimeSpan.FromMilliseconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                    case "--max-skew-minutes": options.MaxSkew = TimeSpan.FromMinutes(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                    case "--seed": options.SeedJson.Add(File.ReadAllText(Next())); break;
                    case "--images":
                        var spec = Next();
                        var eq = spec.LastIndexOf('=');
                        if (eq <= 0)
                        {
                            throw new ArgumentException("--images takes REPOSITORY=COUNT.");
                        }

                        options.Generated[spec.Substring(0, eq)] = int.Parse(spec.Substring(eq + 1), CultureInfo.InvariantCulture);
                        break;
                    default: throw new ArgumentException($"Unknown ECR emulator option '{args[i]}'.");
                }
            }

            if (options.Keys.Count == 0)
            {
                options.Keys[DefaultAccessKey] = (DefaultSecretKey, null);
            }

            return options;
        }
    }
}
