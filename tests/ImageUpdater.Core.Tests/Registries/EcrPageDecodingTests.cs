using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using ImageUpdater.Core.Registries.Ecr;
using Xunit;

namespace ImageUpdater.Core.Tests.Registries
{
    /// <summary>
    /// Issue 22: the byte-level DescribeImages reader gives what the previous string-comparing reader gave for every member tag
    /// selection reads. The oracle here decodes with JsonDocument by the previous rules (last occurrence wins, a non-array
    /// imageTags or a non-string value leaves the member as it was).
    /// </summary>
    public class EcrPageDecodingTests
    {
        [Theory]
        [InlineData(@"{""imageDetails"":[{""imageDigest"":""sha256:aa"",""imageTags"":[""1.0""]}]}")]
        [InlineData(@"{""imag\u0065Details"":[{""image\u0044igest"":""sha256:a\u0061"",""imageTags"":[""v\u00e9\n1"",""\ud83d\ude00""],""r\u0065gistryId"":""1\u0032""}],""next\u0054oken"":""t\u002f1""}")]
        [InlineData(@"{""imageDetails"":[{""imageDigest"":""sha256:aa""},{""imageTags"":[]},{""imageTags"":null,""imagePushedAt"":null,""imageSizeInBytes"":null},{}]}")]
        [InlineData(@"{""imageDetails"":[{""imageSizeInBytes"":9007199254740993,""imagePushedAt"":1.7e9},{""imageSizeInBytes"":-9007199254740993},{""imageSizeInBytes"":1.5e300},{""imageSizeInBytes"":12.75},{""imageSizeInBytes"":-3}]}")]
        [InlineData(@"{""imageDetails"":[{""imagePushedAt"":""1700000000.123456789""},{""imagePushedAt"":""x""},{""imagePushedAt"":1700000000.000001},{""imagePushedAt"":{""a"":1}}]}")]
        [InlineData(@"{""other"":{""imageDetails"":[1]},""imageDetails"":[1,""x"",[{}],{""imageScanStatus"":{""imageTags"":[""nested""],""x"":[[{""imageDigest"":""no""}]]},""imageDigest"":""sha256:bb"",""imageTags"":[1,{""a"":[""b""]},""ok"",null]}],""nextToken"":5}")]
        [InlineData(@"{""imageDetails"":[{""imageDigest"":""first"",""imageDigest"":""second"",""imageTags"":[""a""],""imageTags"":""not-a-list"",""imageDigest"":7}]}")]
        [InlineData(@"{""imageDetails"":{""imageDigest"":""not-an-array""},""nextToken"":""n""}")]
        [InlineData(@"{""nextToken"":{""imageDetails"":[{""imageDigest"":""inside""}],""nextToken"":""inner""},""imageDetails"":[{""imageDigest"":""outside""}]}")]
        [InlineData(@"{""imageDetails"":[{""registryId"":""1"",""repositoryName"":""a/b"",""imageManifestMediaType"":""m""},{""registryId"":""2"",""repositoryName"":""a\/b"",""imageManifestMediaType"":""m""},{""registryId"":""1""}]}")]
        public void EdgeCasesDecodeAsThePreviousReaderDid(string page)
        {
            AssertSameAsPrevious(page);
        }

        [Fact]
        public void SharedValuesAreOneStringEvenWhenTheyChange()
        {
            var details = Read(@"{""imageDetails"":[{""registryId"":""1""},{""registryId"":""2""},{""registryId"":""2""},{""registryId"":""1""}]}");

            Assert.Equal(new[] { "1", "2", "2", "1" }, details.Select(d => d.RegistryId).ToArray());
            Assert.Same(details[1].RegistryId, details[2].RegistryId);
        }

        [Fact]
        public void TagListsAreNotSharedBetweenImages()
        {
            var details = Read(@"{""imageDetails"":[{""imageTags"":[""a"",""b""]},{""imageTags"":[""c""]}]}");

            Assert.Equal(new[] { "a", "b" }, details[0].ImageTags);
            Assert.Equal(new[] { "c" }, details[1].ImageTags);
        }

        [Fact]
        public void APageWithEveryMemberOfTheApiModelDecodesAsThePreviousReaderDid()
        {
            using var model = JsonDocument.Parse(File.ReadAllText(SharedData.ApiModel("ecr-model-excerpt.json")));
            var shapes = model.RootElement.GetProperty("shapes");
            var json = new StringBuilder("{\"imageDetails\":[");
            for (var i = 0; i < 5; i++)
            {
                json.Append(i > 0 ? "," : string.Empty).Append(Value(shapes, "ImageDetail", i, 0));
            }

            var page = json.Append("],\"nextToken\":\"t\"}").ToString();

            var details = AssertSameAsPrevious(page);
            Assert.Equal(5, details.Count);
            Assert.All(details, d => Assert.NotNull(d.ImageDigest));
        }

        [Fact]
        public void SeededRandomPagesDecodeAsThePreviousReaderDid()
        {
            var random = new Random(20261130);
            for (var i = 0; i < 400; i++)
            {
                var page = RandomPage(random);
                try
                {
                    AssertSameAsPrevious(page);
                }
                catch (Exception ex) when (ex is not JsonException)
                {
                    throw new InvalidOperationException("Page " + i + ": " + page, ex);
                }
            }
        }

        private static List<EcrImageDetail> Read(string page)
        {
            var details = new List<EcrImageDetail>();
            DescribeImagesReader.Read(Encoding.UTF8.GetBytes(page), details);
            return details;
        }

        private static List<EcrImageDetail> AssertSameAsPrevious(string page)
        {
            var expected = new List<EcrImageDetail>();
            var expectedToken = Previous(page, expected);
            var actual = new List<EcrImageDetail>();

            var token = DescribeImagesReader.Read(Encoding.UTF8.GetBytes(page), actual);

            Assert.Equal(expectedToken, token);
            Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                var e = expected[i];
                var a = actual[i];
                Assert.Equal(e.ImageDigest, a.ImageDigest);
                Assert.Equal(e.ImageTags, a.ImageTags);
                Assert.Equal(e.ImagePushedAt, a.ImagePushedAt);
                Assert.Equal(e.ImageSizeInBytes, a.ImageSizeInBytes);
                Assert.Equal(e.RegistryId, a.RegistryId);
                Assert.Equal(e.RepositoryName, a.RepositoryName);
                Assert.Equal(e.ImageManifestMediaType, a.ImageManifestMediaType);
            }

            return actual;
        }

        // The previous reader's rules over a DOM: member by member in document order.
        private static string? Previous(string page, List<EcrImageDetail> details)
        {
            using var document = JsonDocument.Parse(page);
            string? next = null;
            foreach (var member in document.RootElement.EnumerateObject())
            {
                if (member.Name == "imageDetails" && member.Value.ValueKind == JsonValueKind.Array)
                {
                    details.AddRange(member.Value.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object).Select(PreviousDetail));
                }
                else if (member.Name == "nextToken")
                {
                    next = member.Value.ValueKind == JsonValueKind.String ? member.Value.GetString() : null;
                }
            }

            return next;
        }

        private static EcrImageDetail PreviousDetail(JsonElement item)
        {
            var detail = new EcrImageDetail();
            foreach (var member in item.EnumerateObject())
            {
                var value = member.Value;
                var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                switch (member.Name)
                {
                    case "imageDigest": detail.ImageDigest = text; break;
                    case "imageTags" when value.ValueKind == JsonValueKind.Array:
                        detail.ImageTags = value.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!).ToArray();
                        break;
                    case "imagePushedAt":
                        detail.ImagePushedAt = value.ValueKind == JsonValueKind.Number ? AwsJsonTime.Parse(value.GetDouble(), null) : value.ValueKind == JsonValueKind.String ? AwsJsonTime.Parse(null, text) : null;
                        break;
                    case "imageSizeInBytes": detail.ImageSizeInBytes = value.ValueKind == JsonValueKind.Number ? (long)value.GetDouble() : null; break;
                    case "registryId": detail.RegistryId = text; break;
                    case "repositoryName": detail.RepositoryName = text; break;
                    case "imageManifestMediaType": detail.ImageManifestMediaType = text; break;
                }
            }

            return detail;
        }

        private static string RandomPage(Random random)
        {
            var json = new StringBuilder("{");
            var members = new List<string>();
            if (random.Next(10) > 0)
            {
                members.Add(Name("imageDetails", random) + ":[" + string.Join(",", Enumerable.Range(0, random.Next(6)).Select(_ => RandomItem(random))) + "]");
            }

            if (random.Next(2) == 0)
            {
                members.Add(Name("nextToken", random) + ":" + (random.Next(4) == 0 ? "null" : Text("tok-" + random.Next(1000), random)));
            }

            if (random.Next(3) == 0)
            {
                members.Insert(random.Next(members.Count + 1), "\"unknown\":" + Nested(random, 0));
            }

            return json.Append(string.Join(",", members)).Append('}').ToString();
        }

        private static string RandomItem(Random random)
        {
            if (random.Next(12) == 0)
            {
                return Nested(random, 1);
            }

            var members = new List<string>();
            foreach (var name in new[] { "registryId", "repositoryName", "imageDigest", "imageTags", "imageSizeInBytes", "imagePushedAt", "imageManifestMediaType", "artifactMediaType", "lastRecordedPullTime", "imageScanStatus" })
            {
                var roll = random.Next(10);
                if (roll == 0)
                {
                    continue;
                }

                string value = roll == 1 ? Nested(random, 1) : roll == 2 ? "null" : name switch
                {
                    "imageTags" => "[" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(t => random.Next(8) == 0 ? Nested(random, 2) : Text("1." + t + ".\u00e9" + random.Next(99), random))) + "]",
                    "imageSizeInBytes" => Number(random),
                    "imagePushedAt" or "lastRecordedPullTime" => random.Next(5) == 0 ? Text((1_600_000_000 + random.Next(100_000_000)).ToString(CultureInfo.InvariantCulture) + "." + random.Next(1000), random) : (1_600_000_000 + random.NextDouble() * 100_000_000).ToString("R", CultureInfo.InvariantCulture),
                    "registryId" => Text(random.Next(3) == 0 ? "210987654321" : "123456789012", random),
                    _ => Text(name + "/" + random.Next(3), random),
                };
                members.Add(Name(name, random) + ":" + value);
            }

            members = members.OrderBy(_ => random.Next()).ToList();
            return "{" + string.Join(",", members) + "}";
        }

        private static string Number(Random random) => random.Next(6) switch
        {
            0 => "9007199254740993",
            1 => "-" + random.Next(1000),
            2 => random.Next(1000) + "." + random.Next(1000),
            3 => random.Next(1, 9) + "e" + random.Next(20),
            4 => long.MaxValue.ToString(CultureInfo.InvariantCulture),
            _ => random.Next().ToString(CultureInfo.InvariantCulture),
        };

        private static string Nested(Random random, int depth) => depth > 3 || random.Next(3) == 0
            ? (random.Next(2) == 0 ? "17" : "\"x\"")
            : random.Next(2) == 0
                ? "{\"imageDigest\":" + Nested(random, depth + 1) + ",\"imageTags\":[" + Nested(random, depth + 1) + "]}"
                : "[" + Nested(random, depth + 1) + "," + Nested(random, depth + 1) + "]";

        // A member name, sometimes with its first letter escaped (\u0069 is 'i').
        private static string Name(string name, Random random) =>
            random.Next(6) == 0 ? "\"\\u" + ((int)name[0]).ToString("x4", CultureInfo.InvariantCulture) + name.Substring(1) + "\"" : "\"" + name + "\"";

        private static string Text(string value, Random random) => random.Next(5) == 0
            ? "\"" + string.Concat(value.Select(c => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture))) + "\""
            : JsonSerializer.Serialize(value);

        // A value of an API-model shape, nested structures included, so every member the service may send is on the page.
        private static string Value(JsonElement shapes, string shape, int i, int depth)
        {
            if (!shapes.TryGetProperty(shape, out var definition))
            {
                return JsonSerializer.Serialize(shape + "-" + i);
            }

            var type = definition.GetProperty("type").GetString();
            switch (type)
            {
                case "structure":
                    if (depth > 4)
                    {
                        return "{}";
                    }

                    var members = definition.GetProperty("members").EnumerateObject()
                        .Select(m => JsonSerializer.Serialize(m.Name) + ":" + (m.Name == "imageDigest" ? JsonSerializer.Serialize("sha256:" + i.ToString("x64", CultureInfo.InvariantCulture)) : Value(shapes, m.Value.GetProperty("shape").GetString()!, i, depth + 1)));
                    return "{" + string.Join(",", members) + "}";
                case "list":
                    var item = definition.GetProperty("member").GetString()!;
                    return "[" + Value(shapes, item, i, depth + 1) + "," + Value(shapes, item, i + 1, depth + 1) + "]";
                case "map":
                    return "{\"k" + i + "\":" + Value(shapes, definition.GetProperty("value").GetString()!, i, depth + 1) + "}";
                case "timestamp":
                    return (1_700_000_000.125 + i).ToString("R", CultureInfo.InvariantCulture);
                case "long":
                case "integer":
                    return (31_000_000 + i).ToString(CultureInfo.InvariantCulture);
                case "double":
                case "float":
                    return "1.5";
                case "boolean":
                    return "true";
                default:
                    return JsonSerializer.Serialize(shape + "-" + i);
            }
        }
    }
}
