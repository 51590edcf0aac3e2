using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ImageUpdater.Core.Registries.Ecr;

namespace DecodeBench
{
    /// <summary>Issue 22 baseline: the DescribeImages reader as it was before the byte-level decoding, kept only to measure against.</summary>
    internal static class BaselineDescribeImagesReader
    {
        /// <summary>
        /// One DescribeImages page into <paramref name="details"/>, read forward-only (a page is up to 1 000 images, and a fleet
        /// run reads hundreds of pages): strings the images share are kept once. Returns the page's nextToken.
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
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("The DescribeImages response is not a JSON object.");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("imageDetails"))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        reader.Skip();
                        continue;
                    }

                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType != JsonTokenType.StartObject)
                        {
                            reader.Skip();
                            continue;
                        }

                        details.Add(ReadImageDetail(ref reader, shared));
                    }
                }
                else if (reader.ValueTextEquals("nextToken"))
                {
                    reader.Read();
                    nextToken = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return nextToken;
        }

        [MethodImpl(AggressiveOptimization)]
        private static EcrImageDetail ReadImageDetail(ref Utf8JsonReader reader, SharedStrings shared)
        {
            var detail = new EcrImageDetail();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("imageDigest"))
                {
                    reader.Read();
                    detail.ImageDigest = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("imageTags"))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        var tags = new List<string>(2);
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

                        detail.ImageTags = tags.ToArray();
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("imagePushedAt"))
                {
                    reader.Read();
                    detail.ImagePushedAt = ReadTime(ref reader);
                }
                else if (reader.ValueTextEquals("lastRecordedPullTime"))
                {
                    reader.Read();
                    _ = ReadTime(ref reader); // the previous model kept it (LastRecordedPullTime)
                }
                else if (reader.ValueTextEquals("imageSizeInBytes"))
                {
                    reader.Read();
                    detail.ImageSizeInBytes = reader.TokenType == JsonTokenType.Number ? (long)reader.GetDouble() : (long?)null;
                }
                else if (reader.ValueTextEquals("registryId"))
                {
                    reader.Read();
                    detail.RegistryId = shared.Get(ref reader, 0);
                }
                else if (reader.ValueTextEquals("repositoryName"))
                {
                    reader.Read();
                    detail.RepositoryName = shared.Get(ref reader, 1);
                }
                else if (reader.ValueTextEquals("imageManifestMediaType"))
                {
                    reader.Read();
                    detail.ImageManifestMediaType = shared.Get(ref reader, 2);
                }
                else if (reader.ValueTextEquals("artifactMediaType"))
                {
                    reader.Read();
                    _ = shared.Get(ref reader, 3); // the previous model kept it (ArtifactMediaType)
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return detail;
        }

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

        /// <summary>Values every image of a page repeats (registry, repository, media types): one string each, not one per image.</summary>
        private sealed class SharedStrings
        {
            private readonly string?[] last = new string?[4];

            public string? Get(ref Utf8JsonReader reader, int slot)
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    reader.Skip();
                    return null;
                }

                var previous = last[slot];
                if (previous is not null && !reader.ValueIsEscaped && reader.ValueTextEquals(previous))
                {
                    return previous;
                }

                return last[slot] = reader.GetString();
            }
        }

        // MethodImplOptions.AggressiveOptimization (not named in .NET Framework's enum, which ignores it): compiled optimized at
        // once, as a short run never reaches the tiered compiler's optimized code for these loops.
        private const MethodImplOptions AggressiveOptimization = (MethodImplOptions)512;
    }
}
