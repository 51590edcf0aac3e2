using System;
using System.Collections.Generic;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;

namespace ImageUpdater.Emulators.Sts
{
    /// <summary>
    /// AWS STS's AssumeRoleWithWebIdentity (query protocol, unsigned, XML answer) on loopback, for the AWS credential chain's
    /// web-identity path (IRSA). Options: --token &lt;the web identity token it accepts&gt; --role &lt;role ARN&gt;
    /// --issue ACCESSKEY:SECRET:SESSIONTOKEN (the credentials it hands out) [--expires-in seconds, default 3600]. A wrong token
    /// or role gets STS's error shape.
    /// </summary>
    public sealed class StsEmulator : LoopbackHttpServer
    {
        private readonly string token;
        private readonly string role;
        private readonly string[] issue;
        private readonly int expiresIn;
        private int calls;

        private StsEmulator(string token, string role, string[] issue, int expiresIn)
        {
            this.expiresIn = expiresIn;
            this.token = token;
            this.role = role;
            this.issue = issue;
        }

        [Emulator("sts")]
        public static Task<IEmulator> Start(string[] options)
        {
            string? token = null, role = null, issue = null;
            var expiresIn = 3600;
            for (var i = 0; i + 1 < options.Length; i += 2)
            {
                switch (options[i])
                {
                    case "--token": token = options[i + 1]; break;
                    case "--role": role = options[i + 1]; break;
                    case "--issue": issue = options[i + 1]; break;
                    case "--expires-in": expiresIn = int.Parse(options[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
                    default: throw new ArgumentException($"Unknown STS emulator option '{options[i]}'; it takes --token, --role, --issue.");
                }
            }

            if (token is null || role is null || issue is null || issue.Split(':').Length != 3)
            {
                throw new ArgumentException("sts needs --token <jwt> --role <arn> --issue ACCESSKEY:SECRET:SESSIONTOKEN.");
            }

            return Task.FromResult<IEmulator>(new StsEmulator(token, role, issue.Split(':'), expiresIn));
        }

        public override string Describe() => JsonSerializer.Serialize(new Dictionary<string, object> { ["url"] = Url, ["kind"] = "sts", ["calls"] = calls });

        protected override async Task HandleAsync(HttpListenerContext context)
        {
            var response = context.Response;
            if (context.Request.Url!.AbsolutePath == "/__emulator/stats")
            {
                await Reply(response, 200, $"{{\"AssumeRoleWithWebIdentity\":{calls}}}", "application/json").ConfigureAwait(false);
                return;
            }

            var form = ParseForm(await ReadBodyAsync(context.Request).ConfigureAwait(false));
            if (context.Request.HttpMethod != "POST" || !form.TryGetValue("Action", out var action) || action != "AssumeRoleWithWebIdentity")
            {
                await Error(response, 400, "InvalidAction", "Only AssumeRoleWithWebIdentity is emulated.").ConfigureAwait(false);
                return;
            }

            System.Threading.Interlocked.Increment(ref calls);
            if (!form.TryGetValue("WebIdentityToken", out var given) || given != token)
            {
                await Error(response, 400, "InvalidIdentityToken", "The web identity token is not valid.").ConfigureAwait(false);
                return;
            }

            if (!form.TryGetValue("RoleArn", out var arn) || arn != role)
            {
                await Error(response, 403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity").ConfigureAwait(false);
                return;
            }

            var expires = DateTime.UtcNow.AddSeconds(expiresIn).ToString("yyyy-MM-ddTHH:mm:ssZ");
            var xml = "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleWithWebIdentityResult>"
                + $"<Credentials><AccessKeyId>{issue[0]}</AccessKeyId><SecretAccessKey>{issue[1]}</SecretAccessKey><SessionToken>{issue[2]}</SessionToken><Expiration>{expires}</Expiration></Credentials>"
                + $"<AssumedRoleUser><Arn>{role}/session</Arn><AssumedRoleId>AROAEMULATED:session</AssumedRoleId></AssumedRoleUser>"
                + "</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>";
            await Reply(response, 200, xml, "text/xml").ConfigureAwait(false);
        }

        private static Dictionary<string, string> ParseForm(string body)
        {
            var form = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=');
                var key = WebUtility.UrlDecode(eq < 0 ? pair : pair.Substring(0, eq));
                form[key] = eq < 0 ? string.Empty : WebUtility.UrlDecode(pair.Substring(eq + 1));
            }

            return form;
        }

        private static Task Error(HttpListenerResponse response, int status, string code, string message) =>
            Reply(response, status, $"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>0</RequestId></ErrorResponse>", "text/xml");

        private static async Task Reply(HttpListenerResponse response, int status, string body, string contentType)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            response.StatusCode = status;
            response.ContentType = contentType;
            response.ContentLength64 = bytes.Length;
            await response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
            response.Close();
        }
    }
}
