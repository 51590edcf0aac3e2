using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ImageUpdater.Emulators.Ecr
{
    /// <summary>One stored image: a digest, its tags and metadata, the manifest bytes and, for single images, a config blob.</summary>
    internal sealed class EmulatedImage
    {
        public string Digest = string.Empty;
        public List<string> Tags = new List<string>();
        public double PushedAt;
        public long Size;
        public string MediaType = string.Empty;
        public string Manifest = string.Empty;
        public List<string> Platforms = new List<string>();
    }

    internal sealed class EmulatedRepository
    {
        public string RegistryId = string.Empty;
        public string Name = string.Empty;
        public double CreatedAt;
        public List<EmulatedImage> Images = new List<EmulatedImage>();
    }

    /// <summary>The registry content: repositories per account, manifests and blobs by digest. Guarded by its own lock.</summary>
    internal sealed class EcrEmulatorState
    {
        public const string OciIndex = "application/vnd.oci.image.index.v1+json";
        public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
        public const string OciConfig = "application/vnd.oci.image.config.v1+json";

        private readonly Dictionary<string, EmulatedRepository> repositories = new Dictionary<string, EmulatedRepository>(StringComparer.Ordinal);

        public EcrEmulatorState(string account)
        {
            Account = account;
        }

        public string Account { get; }

        public object Gate { get; } = new object();

        /// <summary>Manifests and config blobs by digest (children of indexes included).</summary>
        public Dictionary<string, (string MediaType, string Content)> Blobs { get; } = new Dictionary<string, (string, string)>(StringComparer.Ordinal);

        public EmulatedRepository? Find(string registryId, string name)
        {
            lock (Gate)
            {
                return repositories.TryGetValue(registryId + "/" + name, out var repo) ? repo : null;
            }
        }

        public List<EmulatedRepository> All(string registryId)
        {
            lock (Gate)
            {
                return repositories.Values.Where(r => r.RegistryId == registryId).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
            }
        }

        public EmulatedRepository Repository(string registryId, string name)
        {
            lock (Gate)
            {
                var key = registryId + "/" + name;
                if (!repositories.TryGetValue(key, out var repo))
                {
                    repo = new EmulatedRepository { RegistryId = registryId, Name = name, CreatedAt = 1600000000 };
                    repositories[key] = repo;
                }

                return repo;
            }
        }

        /// <summary>
        /// Adds from a seed document: {"repositories":[{"name", "registryId"?, "images":[{"tags":[…], "pushedAt": epoch, "size",
        /// "platforms":["linux/amd64",…], "digest"?}]}]}. A tag already present moves to the new image, as a push does.
        /// </summary>
        public int Seed(string json)
        {
            var root = JsonNode.Parse(json) ?? throw new ArgumentException("The seed is empty.");
            var count = 0;
            foreach (var repoNode in root["repositories"]?.AsArray() ?? new JsonArray())
            {
                var name = (string?)repoNode!["name"] ?? throw new ArgumentException("A seeded repository needs a name.");
                var repo = Repository((string?)repoNode["registryId"] ?? Account, name);
                foreach (var imageNode in repoNode["images"]?.AsArray() ?? new JsonArray())
                {
                    var tags = imageNode!["tags"]?.AsArray().Select(t => (string)t!).ToList() ?? new List<string>();
                    var platforms = imageNode["platforms"]?.AsArray().Select(t => (string)t!).ToList() ?? new List<string>();
                    var pushedAt = imageNode["pushedAt"] is JsonNode p ? p.GetValue<double>() : 1700000000 + count;
                    var size = imageNode["size"] is JsonNode s ? s.GetValue<long>() : 10_000_000 + count;
                    Add(repo, tags, pushedAt, size, platforms, (string?)imageNode["digest"]);
                    count++;
                }
            }

            return count;
        }

        /// <summary>A repository of <paramref name="images"/> single-tag images, tags 1.&lt;i/1000&gt;.&lt;i%1000&gt;, pushed a minute apart.</summary>
        public void Generate(string name, int images)
        {
            var repo = Repository(Account, name);
            for (var i = 0; i < images; i++)
            {
                Add(repo, new List<string> { $"1.{i / 1000}.{i % 1000}" }, 1700000000 + (60.0 * i) + 0.25, 20_000_000 + i, new List<string>(), null);
            }
        }

        public void Add(EmulatedRepository repo, List<string> tags, double pushedAt, long size, List<string> platforms, string? digest)
        {
            var image = new EmulatedImage { Tags = tags, PushedAt = pushedAt, Size = size, Platforms = platforms };
            lock (Gate)
            {
                var serial = Blobs.Count;
                if (platforms.Count > 0)
                {
                    var children = new JsonArray();
                    foreach (var platform in platforms)
                    {
                        var (childDigest, childSize) = SingleManifest(platform, pushedAt, size, serial++);
                        var parts = platform.Split('/');
                        var platformNode = new JsonObject { ["architecture"] = parts.Length > 1 ? parts[1] : "amd64", ["os"] = parts[0] };
                        if (parts.Length > 2)
                        {
                            platformNode["variant"] = parts[2];
                        }

                        children.Add(new JsonObject { ["mediaType"] = OciManifest, ["digest"] = childDigest, ["size"] = childSize, ["platform"] = platformNode });
                    }

                    image.MediaType = OciIndex;
                    image.Manifest = new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = OciIndex, ["manifests"] = children }.ToJsonString();
                }
                else
                {
                    image.MediaType = OciManifest;
                    image.Manifest = Blobs[SingleManifest("linux/amd64", pushedAt, size, serial).Digest].Content;
                }

                image.Digest = digest ?? Sha256(image.Manifest);
                Blobs[image.Digest] = (image.MediaType, image.Manifest);
                foreach (var other in repo.Images)
                {
                    other.Tags.RemoveAll(tags.Contains);
                }

                repo.Images.Add(image);
            }
        }

        /// <summary>An image manifest with its config blob (created = push time, os/architecture from the platform); returns its digest and size.</summary>
        private (string Digest, int Size) SingleManifest(string platform, double pushedAt, long size, int serial)
        {
            var parts = platform.Split('/');
            var config = new JsonObject
            {
                ["architecture"] = parts.Length > 1 ? parts[1] : "amd64",
                ["os"] = parts[0],
                ["created"] = DateTimeOffset.FromUnixTimeMilliseconds((long)(pushedAt * 1000)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
                ["config"] = new JsonObject { ["Labels"] = new JsonObject { ["serial"] = serial.ToString() } },
                ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray() },
            };
            if (parts.Length > 2)
            {
                config["variant"] = parts[2];
            }

            var configText = config.ToJsonString();
            var configDigest = Sha256(configText);
            Blobs[configDigest] = (OciConfig, configText);
            var manifest = new JsonObject
            {
                ["schemaVersion"] = 2,
                ["mediaType"] = OciManifest,
                ["config"] = new JsonObject { ["mediaType"] = OciConfig, ["digest"] = configDigest, ["size"] = Encoding.UTF8.GetByteCount(configText) },
                ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip", ["digest"] = Sha256("layer" + serial), ["size"] = size }),
            }.ToJsonString();
            var digest = Sha256(manifest);
            Blobs[digest] = (OciManifest, manifest);
            return (digest, Encoding.UTF8.GetByteCount(manifest));
        }

        public static string Sha256(string text) => "sha256:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();
    }
}
