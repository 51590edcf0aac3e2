using System;
using System.Collections.Generic;
using ImageUpdater.Core.Images;
using ImageUpdater.Core.Tags;

namespace ImageUpdater.Core.Annotations
{
    /// <summary>One image of an application's image-list with its effective options (PSTypeName ImageUpdater.ImageSpec).</summary>
    public sealed class ImageSpec
    {
        public ImageSpec(string? alias, ImageReference reference)
        {
            Alias = alias;
            Reference = reference;
        }

        /// <summary>Alias from <c>alias=image</c>, or null.</summary>
        public string? Alias { get; }

        /// <summary>The parsed image-list entry (its Tag is the constraint).</summary>
        public ImageReference Reference { get; }

        /// <summary>Registry and repository as written (<c>ghcr.io/org/app</c>).</summary>
        public string Image => Reference.Name;

        public string Registry => Reference.EffectiveRegistry;

        public string Repository => Reference.Repository;

        /// <summary>Version constraint (semver), tag to track (digest), or null.</summary>
        public string? Constraint => Reference.Tag;

        public UpdateStrategy UpdateStrategy { get; set; } = UpdateStrategy.Semver;

        /// <summary><c>any</c>, <c>regexp:…</c>, or null (any).</summary>
        public string? AllowTags { get; set; }

        public IReadOnlyList<string> IgnoreTags { get; set; } = Array.Empty<string>();

        public IReadOnlyList<string> Platforms { get; set; } = Array.Empty<string>();

        /// <summary>min-age (per image, else application-wide, else -MinimumAge): younger tags are not chosen yet.</summary>
        public TimeSpan? MinimumAge { get; set; }

        /// <summary>hold (per image, else application-wide): null looks for hand changes in git; see <see cref="Updating.HoldSetting"/>.</summary>
        public Updating.HoldSetting? Hold { get; set; }

        public bool ForceUpdate { get; set; }

        public string? PullSecret { get; set; }

        /// <summary>The namespace of the Application whose annotations named this image: a pull-secret annotation may read secrets of that namespace only (PullSecretPolicy).</summary>
        public string? ApplicationNamespace { get; set; }

        public string? HelmImageName { get; set; }

        public string? HelmImageTag { get; set; }

        public string? HelmImageSpec { get; set; }

        public string? KustomizeImageName { get; set; }

        /// <summary>
        /// The alias as it appears in annotation keys ('/' written as '_'); an entry without an alias is named by its repository path
        /// (upstream's image name: no registry, Docker Hub's <c>library/</c> dropped), so <c>nginx.helm.image-tag</c> reaches <c>image-list: nginx</c>.
        /// </summary>
        public string KeyAlias => (Alias ?? ImplicitAlias(Reference)).Replace("/", "_");

        /// <summary>The name an image-list entry without an alias is known by in annotation keys.</summary>
        public static string ImplicitAlias(ImageReference reference) =>
            reference.Registry is null && reference.Repository.StartsWith("library/", StringComparison.Ordinal) ? reference.Repository.Substring("library/".Length) : reference.Repository;

        public override string ToString() => Alias is null ? Reference.Original : Alias + "=" + Reference.Original;
    }
}
