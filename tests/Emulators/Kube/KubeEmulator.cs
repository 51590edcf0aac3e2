using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using ImageUpdater.Emulators.ArgoCD;

namespace ImageUpdater.Emulators.Kube
{
    /// <summary>
    /// A loopback Kubernetes API server for Argo CD Applications: list (labelSelector, limit/continue) and get under
    /// /apis/argoproj.io/v1alpha1/namespaces/{ns}/applications, a bearer token, Kubernetes Status error bodies.
    /// Options: --documents DIR, --seed FILE, --namespace NS (of Applications without one), --token T (default random),
    /// --forbid-namespace NS (403 there), --secret NS/NAME=KEY:VALUE (repeatable; served, base64-encoded, at
    /// /api/v1/namespaces/NS/secrets/NAME), --secret-label NS/NAME=KEY=VALUE (labels; secrets are listed with labelSelector at
    /// /api/v1/namespaces/NS/secrets). Test hook: POST /__emulator/applications.
    /// ImageUpdater resources (Argo CD Image Updater v1's CRD) are served like the API server serves an installed CRD, list (labelSelector,
    /// limit/continue) and get under /apis/argocd-image-updater.argoproj.io/v1alpha1/namespaces/{ns}/imageupdaters; --no-imageupdater-crd
    /// answers 404 there as a cluster without the CRD does. Test hook: POST /__emulator/imageupdaters.
    /// </summary>
    public sealed class KubeEmulator : LoopbackHttpServer
    {
        private const string Prefix = "/apis/argoproj.io/v1alpha1/namespaces/";
        private const string UpdaterPrefix = "/apis/argocd-image-updater.argoproj.io/v1alpha1/namespaces/";
        private readonly bool imageUpdaterCrd = true;
        private readonly HashSet<string> forbidden = new HashSet<string>(StringComparer.Ordinal);
        private readonly Dictionary<string, Dictionary<string, string>> secrets = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        private readonly Dictionary<string, Dictionary<string, string>> secretLabels = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);

        private KubeEmulator(string[] args)
        {
            var ns = "argocd";
            var documents = new List<string>();
            var seeds = new List<string>();
            Token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"'{args[i]}' needs a value.");
                switch (args[i])
                {
                    case "--documents": documents.Add(Next()); break;
                    case "--seed": seeds.Add(Next()); break;
                    case "--namespace": ns = Next(); break;
                    case "--token": Token = Next(); break;
                    case "--forbid-namespace": forbidden.Add(Next()); break;
                    case "--no-imageupdater-crd": imageUpdaterCrd = false; break;
                    case "--secret":
                        var spec = Next();
                        var eq = spec.IndexOf('=');
                        var pair = spec.Substring(eq + 1);
                        if (!secrets.TryGetValue(spec.Substring(0, eq), out var data))
                        {
                            secrets[spec.Substring(0, eq)] = data = new Dictionary<string, string>(StringComparer.Ordinal);
                        }

                        data[pair.Substring(0, pair.IndexOf(':'))] = pair.Substring(pair.IndexOf(':') + 1);
                        break;
                    case "--secret-label":
                        var labelSpec = Next();
                        var at = labelSpec.IndexOf('=');
                        var label = labelSpec.Substring(at + 1);
                        if (!secretLabels.TryGetValue(labelSpec.Substring(0, at), out var labels))
                        {
                            secretLabels[labelSpec.Substring(0, at)] = labels = new Dictionary<string, string>(StringComparer.Ordinal);
                        }

                        labels[label.Substring(0, label.IndexOf('='))] = label.Substring(label.IndexOf('=') + 1);
                        break;
                    default: throw new ArgumentException($"Unknown option '{args[i]}'. Options: --documents DIR, --seed FILE, --namespace NS, --token T, --forbid-namespace NS, --secret NS/NAME=KEY:VALUE, --secret-label NS/NAME=KEY=VALUE, --no-imageupdater-crd.");
                }
            }

            Store = new ApplicationStore(ns);
            ImageUpdaters = new ApplicationStore(ns);
            documents.ForEach(d => Store.LoadFolder(d));
            seeds.ForEach(s => Store.LoadFile(s));
        }

        public ApplicationStore Store { get; }

        /// <summary>The ImageUpdater resources served (the store keys objects by namespace/name whatever their kind).</summary>
        public ApplicationStore ImageUpdaters { get; }

        public string Token { get; }

        [Emulator("kube")]
        public static Task<IEmulator> Start(string[] args) => Task.FromResult<IEmulator>(new KubeEmulator(args));

        public override string Describe() => new JsonObject { ["url"] = Url, ["token"] = Token }.ToJsonString();

        protected override async Task HandleAsync(HttpListenerContext context)
        {
            var request = context.Request;
            var response = context.Response;
            var path = request.Url!.AbsolutePath;
            if (path == "/__emulator/applications" && request.HttpMethod == "POST" && JsonNode.Parse(await ReadBodyAsync(request).ConfigureAwait(false)) is JsonObject app)
            {
                await WriteJsonAsync(response, 201, Store.Put(app)).ConfigureAwait(false);
                return;
            }

            if (path == "/__emulator/imageupdaters" && request.HttpMethod == "POST" && JsonNode.Parse(await ReadBodyAsync(request).ConfigureAwait(false)) is JsonObject updater)
            {
                updater["apiVersion"] ??= "argocd-image-updater.argoproj.io/v1alpha1";
                updater["kind"] ??= "ImageUpdater";
                await WriteJsonAsync(response, 201, ImageUpdaters.Put(updater)).ConfigureAwait(false);
                return;
            }

            if (BearerToken(request) != Token)
            {
                await StatusAsync(response, 401, "Unauthorized", "Unauthorized").ConfigureAwait(false);
                return;
            }

            if (path.StartsWith("/api/v1/namespaces/", StringComparison.Ordinal))
            {
                await SecretAsync(request, response, path.Substring("/api/v1/namespaces/".Length).Split('/')).ConfigureAwait(false);
                return;
            }

            if (path.StartsWith(UpdaterPrefix, StringComparison.Ordinal) && imageUpdaterCrd)
            {
                await ServeAsync(request, response, path.Substring(UpdaterPrefix.Length).Split('/'), "imageupdaters", "argocd-image-updater.argoproj.io", ImageUpdaters).ConfigureAwait(false);
                return;
            }

            var parts = path.StartsWith(Prefix, StringComparison.Ordinal) ? path.Substring(Prefix.Length).Split('/') : Array.Empty<string>();
            await ServeAsync(request, response, parts, "applications", "argoproj.io", Store).ConfigureAwait(false);
        }

        /// <summary>GET one object or a list of a namespaced resource, as the API server answers for a custom resource.</summary>
        private async Task ServeAsync(HttpListenerRequest request, HttpListenerResponse response, string[] parts, string plural, string group, ApplicationStore store)
        {
            if (request.HttpMethod != "GET" || parts.Length < 2 || parts.Length > 3 || parts[1] != plural)
            {
                await StatusAsync(response, 404, "NotFound", "the server could not find the requested resource").ConfigureAwait(false);
                return;
            }

            var ns = Uri.UnescapeDataString(parts[0]);
            if (forbidden.Contains(ns))
            {
                var verb = parts.Length == 3 ? "get" : "list";
                await StatusAsync(response, 403, "Forbidden", $"{plural}.{group} is forbidden: User \"system:serviceaccount:test:reader\" cannot {verb} resource \"{plural}\" in API group \"{group}\" in the namespace \"{ns}\"").ConfigureAwait(false);
                return;
            }

            if (parts.Length == 3)
            {
                var name = Uri.UnescapeDataString(parts[2]);
                var found = store.Get(ns, name);
                await (found is null
                    ? StatusAsync(response, 404, "NotFound", $"{plural}.{group} \"{name}\" not found")
                    : WriteJsonAsync(response, 200, found)).ConfigureAwait(false);
                return;
            }

            Func<IReadOnlyDictionary<string, string>, bool> selector;
            try
            {
                selector = LabelSelector.Parse(request.QueryString["labelSelector"]);
            }
            catch (FormatException ex)
            {
                await StatusAsync(response, 400, "BadRequest", "unable to parse requirement: " + ex.Message).ConfigureAwait(false);
                return;
            }

            var all = store.List(ns).Where(a => selector(ApplicationStore.Labels(a))).ToList();
            var offset = int.TryParse(request.QueryString["continue"], NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : 0;
            var limit = int.TryParse(request.QueryString["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) && l > 0 ? l : int.MaxValue;
            var page = all.Skip(offset).Take(limit).ToList();
            var metadata = new JsonObject { ["resourceVersion"] = "1" };
            if (offset + page.Count < all.Count)
            {
                metadata["continue"] = (offset + page.Count).ToString(CultureInfo.InvariantCulture);
            }

            await WriteJsonAsync(response, 200, new JsonObject
            {
                ["apiVersion"] = group + "/v1alpha1",
                ["kind"] = plural == "applications" ? "ApplicationList" : "ImageUpdaterList",
                ["metadata"] = metadata,
                ["items"] = new JsonArray(page.Select(a => (JsonNode)a).ToArray()),
            }).ConfigureAwait(false);
        }

        /// <summary>GET /api/v1/namespaces/{ns}/secrets/{name}: an Opaque secret with base64 data, 403 in forbidden namespaces.</summary>
        private Task SecretAsync(HttpListenerRequest request, HttpListenerResponse response, string[] parts)
        {
            if (request.HttpMethod == "GET" && parts.Length == 2 && parts[1] == "secrets")
            {
                return ListSecretsAsync(request, response, Uri.UnescapeDataString(parts[0]));
            }

            if (request.HttpMethod != "GET" || parts.Length != 3 || parts[1] != "secrets")
            {
                return StatusAsync(response, 404, "NotFound", "the server could not find the requested resource");
            }

            var ns = Uri.UnescapeDataString(parts[0]);
            var name = Uri.UnescapeDataString(parts[2]);
            if (forbidden.Contains(ns))
            {
                return StatusAsync(response, 403, "Forbidden", $"secrets \"{name}\" is forbidden: User \"system:serviceaccount:test:reader\" cannot get resource \"secrets\" in API group \"\" in the namespace \"{ns}\"");
            }

            if (!secrets.TryGetValue(ns + "/" + name, out var data))
            {
                return StatusAsync(response, 404, "NotFound", $"secrets \"{name}\" not found");
            }

            return WriteJsonAsync(response, 200, SecretObject(ns, name, data));
        }

        private JsonObject SecretObject(string ns, string name, Dictionary<string, string> data)
        {
            var encoded = new JsonObject();
            foreach (var pair in data)
            {
                encoded[pair.Key] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(pair.Value));
            }

            var labels = new JsonObject();
            foreach (var pair in secretLabels.TryGetValue(ns + "/" + name, out var l) ? l : new Dictionary<string, string>())
            {
                labels[pair.Key] = pair.Value;
            }

            return new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Secret",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["resourceVersion"] = "1", ["labels"] = labels },
                ["type"] = data.ContainsKey(".dockerconfigjson") ? "kubernetes.io/dockerconfigjson" : "Opaque",
                ["data"] = encoded,
            };
        }

        /// <summary>GET /api/v1/namespaces/{ns}/secrets?labelSelector=…: a SecretList, 403 in forbidden namespaces (as 'list' not granted).</summary>
        private Task ListSecretsAsync(HttpListenerRequest request, HttpListenerResponse response, string ns)
        {
            if (forbidden.Contains(ns))
            {
                return StatusAsync(response, 403, "Forbidden", $"secrets is forbidden: User \"system:serviceaccount:test:reader\" cannot list resource \"secrets\" in API group \"\" in the namespace \"{ns}\"");
            }

            Func<IReadOnlyDictionary<string, string>, bool> selector;
            try
            {
                selector = LabelSelector.Parse(request.QueryString["labelSelector"]);
            }
            catch (FormatException ex)
            {
                return StatusAsync(response, 400, "BadRequest", "unable to parse requirement: " + ex.Message);
            }

            var items = secrets.Where(p => p.Key.StartsWith(ns + "/", StringComparison.Ordinal))
                .Where(p => selector(secretLabels.TryGetValue(p.Key, out var l) ? l : new Dictionary<string, string>()))
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => (JsonNode)SecretObject(ns, p.Key.Substring(ns.Length + 1), p.Value)).ToArray();
            return WriteJsonAsync(response, 200, new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "SecretList",
                ["metadata"] = new JsonObject { ["resourceVersion"] = "1" },
                ["items"] = new JsonArray(items),
            });
        }

        private static Task StatusAsync(HttpListenerResponse response, int code, string reason, string message) =>
            WriteJsonAsync(response, code, new JsonObject
            {
                ["kind"] = "Status",
                ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject(),
                ["status"] = "Failure",
                ["message"] = message,
                ["reason"] = reason,
                ["code"] = code,
            });
    }
}
