using System.Collections.Generic;

namespace ImageUpdater.Core.WriteBack
{
    /// <summary>A kind of file that image updates are written to (Helm values, kustomization, .argocd-source).</summary>
    public interface IWriteBackTarget
    {
        /// <summary>The file this target edits for a path given by the user or the annotation (a folder resolves to the file in it).</summary>
        string ResolveFile(string fileOrDirectory);

        /// <summary>Reads the file and computes the edit; writes nothing.</summary>
        FileEdit Apply(string fileOrDirectory, IReadOnlyList<ImageUpdate> updates);

        /// <summary>Computes the edit of <paramref name="content"/> (null: the file does not exist yet); writes nothing.</summary>
        FileEdit Apply(string file, byte[]? content, IReadOnlyList<ImageUpdate> updates);
    }
}
