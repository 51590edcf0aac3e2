using System;
using System.Collections.Concurrent;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using LibGit2Sharp;

namespace ImageUpdater.Core.WriteBack.Git
{
    /// <summary>
    /// An object database backend in memory, added above the clone cache's own: the blobs, trees and commit a write-back
    /// builds are written here instead of as loose object files (one file, one folder and one rename each), and the push
    /// reads them from here. Nothing on disk may refer to them: the push names the commit itself (no local ref) through a remote
    /// without fetch refspecs (no tracking ref moves), so the next run fetches the commit as part of a pack instead.
    /// </summary>
    internal sealed class MemoryObjectBackend : OdbBackend
    {
        /// <summary>Above the loose (1) and packed (2) backends, so new objects are written here first.</summary>
        public const int Priority = 100;

        private readonly ConcurrentDictionary<ObjectId, (byte[] Data, ObjectType Type)> objects = new ConcurrentDictionary<ObjectId, (byte[], ObjectType)>();

        protected override OdbBackendOperations SupportedOperations =>
            OdbBackendOperations.Read | OdbBackendOperations.ReadHeader | OdbBackendOperations.Write | OdbBackendOperations.Exists;

        public override int Read(ObjectId id, out UnmanagedMemoryStream data, out ObjectType objectType)
        {
            if (objects.TryGetValue(id, out var found))
            {
                data = AllocateAndBuildFrom(found.Data);
                objectType = found.Type;
                return (int)ReturnCode.GIT_OK;
            }

            data = null!;
            objectType = default;
            return (int)ReturnCode.GIT_ENOTFOUND;
        }

        public override int ReadHeader(ObjectId id, out int length, out ObjectType objectType)
        {
            if (objects.TryGetValue(id, out var found))
            {
                length = found.Data.Length;
                objectType = found.Type;
                return (int)ReturnCode.GIT_OK;
            }

            length = 0;
            objectType = default;
            return (int)ReturnCode.GIT_ENOTFOUND;
        }

        public override int Write(ObjectId id, Stream dataStream, long length, ObjectType objectType)
        {
            var data = new byte[length];
            var read = 0;
            while (read < length)
            {
                var n = dataStream.Read(data, read, (int)Math.Min(length - read, int.MaxValue));
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            objects[id] = (data, objectType);
            return (int)ReturnCode.GIT_OK;
        }

        public override bool Exists(ObjectId id) => objects.ContainsKey(id);

        /// <summary>
        /// Stores a blob here directly and returns its id: the object database's write would first look for it on disk (a timestamp
        /// update of its loose file, then a rescan of the pack folder) although a changed file's new content is never there.
        /// </summary>
        public ObjectId AddBlob(byte[] content)
        {
            var header = Encoding.ASCII.GetBytes("blob " + content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\0");
            using var sha = SHA1.Create();
            sha.TransformBlock(header, 0, header.Length, null, 0);
            sha.TransformFinalBlock(content, 0, content.Length);
            var id = new ObjectId(sha.Hash!);
            objects.TryAdd(id, ((byte[])content.Clone(), ObjectType.Blob));
            return id;
        }

        // Not advertised in SupportedOperations, so libgit2 never calls these.
        public override int ReadPrefix(string shortSha, out ObjectId oid, out UnmanagedMemoryStream data, out ObjectType objectType) => throw new NotSupportedException();

        public override int ReadStream(ObjectId id, out OdbBackendStream stream) => throw new NotSupportedException();

        public override int WriteStream(long length, ObjectType objectType, out OdbBackendStream stream) => throw new NotSupportedException();

        public override int ExistsPrefix(string shortSha, out ObjectId found) => throw new NotSupportedException();

        public override int ForEach(ForEachCallback callback) => throw new NotSupportedException();
    }
}
