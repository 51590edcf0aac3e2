using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace ImageUpdater.Core.Registries.Ecr
{
    /// <summary>Reads DescribeImages pages forward-only into <see cref="EcrImageDetail"/> records.</summary>
    internal static class DescribeImagesReader
    {
        private enum Field
        {
            Other,
            RegistryId,
            RepositoryName,
            ImageDigest,
            ImageTags,
            ImagePushedAt,
            ImageSizeInBytes,
            ImageManifestMediaType,
            ImageDetails,
            NextToken,
        }

        /// <summary>
        /// One DescribeImages page into <paramref name="details"/>, read forward-only (a page is up to 1 000 images, and a fleet
        /// run reads hundreds of pages): only the members tag selection uses are decoded, member names are compared as bytes, and
        /// strings the images share are kept once. Returns the page's nextToken.
        /// </summary>
        [MethodImpl(AggressiveOptimization)]
        public static string? Read(ReadOnlySpan<byte> json, List<EcrImageDetail> details)
        {
            if (json.Length == 0)
            {
                return null;
            }

            var reader = new Utf8JsonReader(json);
            string? nextToken = null;
            var shared = new SharedStrings();
            var tags = new List<string>(4);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("The DescribeImages response is not a JSON object.");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = FieldOf(ref reader);
                reader.Read();
                if (field == Field.ImageDetails && reader.TokenType == JsonTokenType.StartArray)
                {
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType != JsonTokenType.StartObject)
                        {
                            reader.Skip();
                            continue;
                        }

                        details.Add(ReadImageDetail(ref reader, shared, tags));
                    }
                }
                else if (field == Field.NextToken)
                {
                    nextToken = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    reader.Skip();
                }
                else
                {
                    reader.Skip();
                }
            }

            return nextToken;
        }

        [MethodImpl(AggressiveOptimization)]
        private static EcrImageDetail ReadImageDetail(ref Utf8JsonReader reader, SharedStrings shared, List<string> tags)
        {
            var detail = new EcrImageDetail();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = FieldOf(ref reader);
                reader.Read();
                switch (field)
                {
                    case Field.ImageDigest:
                        detail.ImageDigest = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        reader.Skip(); // an object or array here is passed over, not read as the image's members
                        break;
                    case Field.ImageTags when reader.TokenType == JsonTokenType.StartArray:
                        detail.ImageTags = ReadTags(ref reader, tags);
                        break;
                    case Field.ImagePushedAt:
                        detail.ImagePushedAt = ReadTime(ref reader);
                        break;
                    case Field.ImageSizeInBytes:
                        detail.ImageSizeInBytes = reader.TokenType == JsonTokenType.Number ? ReadWholeNumber(ref reader) : (long?)null;
                        reader.Skip();
                        break;
                    case Field.RegistryId:
                        detail.RegistryId = shared.Get(ref reader, 0);
                        break;
                    case Field.RepositoryName:
                        detail.RepositoryName = shared.Get(ref reader, 1);
                        break;
                    case Field.ImageManifestMediaType:
                        detail.ImageManifestMediaType = shared.Get(ref reader, 2);
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            return detail;
        }

        /// <summary>Which member a property name is, compared as UTF-8 bytes (an escaped name is unescaped first).</summary>
        private static Field FieldOf(ref Utf8JsonReader reader)
        {
            if (!reader.ValueIsEscaped)
            {
                return FieldOf(reader.ValueSpan);
            }

            if (reader.ValueSpan.Length > 256)
            {
                return Field.Other;
            }

            Span<byte> unescaped = stackalloc byte[256];
            var length = reader.CopyString(unescaped);
            return FieldOf(unescaped.Slice(0, length));
        }

        private static Field FieldOf(ReadOnlySpan<byte> name) => name.Length switch
        {
            9 when name.SequenceEqual("imageTags"u8) => Field.ImageTags,
            9 when name.SequenceEqual("nextToken"u8) => Field.NextToken,
            10 when name.SequenceEqual("registryId"u8) => Field.RegistryId,
            11 when name.SequenceEqual("imageDigest"u8) => Field.ImageDigest,
            12 when name.SequenceEqual("imageDetails"u8) => Field.ImageDetails,
            13 when name.SequenceEqual("imagePushedAt"u8) => Field.ImagePushedAt,
            14 when name.SequenceEqual("repositoryName"u8) => Field.RepositoryName,
            16 when name.SequenceEqual("imageSizeInBytes"u8) => Field.ImageSizeInBytes,
            22 when name.SequenceEqual("imageManifestMediaType"u8) => Field.ImageManifestMediaType,
            _ => Field.Other,
        };

        private static IReadOnlyList<string> ReadTags(ref Utf8JsonReader reader, List<string> tags)
        {
            tags.Clear();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.String)
                {
                    tags.Add(reader.GetString()!);
                }
                else
                {
                    reader.Skip();
                }
            }

            return tags.Count == 0 ? Array.Empty<string>() : tags.ToArray();
        }

        // A whole number below 2^53 is what (long)GetDouble() gives, read without parsing a double; anything else takes that path.
        private static long ReadWholeNumber(ref Utf8JsonReader reader) =>
            reader.TryGetInt64(out var whole) && whole < (1L << 53) && whole > -(1L << 53) ? whole : (long)reader.GetDouble();

        private static DateTimeOffset? ReadTime(ref Utf8JsonReader reader)
        {
            if (reader.TokenType == JsonTokenType.Number)
            {
                return AwsJsonTime.Parse(reader.GetDouble(), null);
            }

            if (reader.TokenType == JsonTokenType.String)
            {
                return AwsJsonTime.Parse(null, reader.GetString());
            }

            reader.Skip();
            return null;
        }

        /// <summary>Values every image of a page repeats (registry, repository, media type): one string each, not one per image.</summary>
        private sealed class SharedStrings
        {
            private readonly string?[] last = new string?[3];
            private readonly byte[]?[] lastBytes = new byte[]?[3];

            public string? Get(ref Utf8JsonReader reader, int slot)
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    reader.Skip();
                    return null;
                }

                var previous = lastBytes[slot];
                if (previous is not null && !reader.ValueIsEscaped && reader.ValueSpan.SequenceEqual(previous))
                {
                    return last[slot];
                }

                var text = reader.GetString()!;
                lastBytes[slot] = reader.ValueIsEscaped ? null : reader.ValueSpan.ToArray();
                return last[slot] = text;
            }
        }

        // MethodImplOptions.AggressiveOptimization (not named in .NET Framework's enum, which ignores it): compiled optimized at
        // once, as a short run never reaches the tiered compiler's optimized code for these loops.
        private const MethodImplOptions AggressiveOptimization = (MethodImplOptions)512;
    }
}
