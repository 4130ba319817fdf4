namespace Fleet.Protocol.Bundles;

/// <summary>
/// The files of a bundle (a tar archive). <see cref="TrustFile"/> travels beside the manifest, not
/// inside it, because the certificate of the manifest's signer must be known before the manifest's
/// signature can be checked; its documents are root-signed one by one.
/// </summary>
public static class BundleLayout
{
    /// <summary>Signed envelope of a <see cref="BundleManifest"/>.</summary>
    public const string ManifestFile = "manifest.json";

    /// <summary>TrustDocuments JSON: the signing key's certificate and the newest revocation list.</summary>
    public const string TrustFile = "trust.json";

    public const string ImagesDirectory = "images/";

    /// <summary>
    /// Null when <paramref name="file"/> is <c>images/NAME</c> with a plain name (<c>[A-Za-z0-9._-]</c>,
    /// not starting with a dot), so an archive path can never climb out of where the bundle is unpacked.
    /// </summary>
    public static string? ValidateImageFile(string? file)
    {
        if (file is null || !file.StartsWith(ImagesDirectory, StringComparison.Ordinal))
        {
            return $"image file '{file}' is not under {ImagesDirectory}";
        }

        var name = file.AsSpan(ImagesDirectory.Length);
        if (name.IsEmpty || name.Length > 128 || name[0] == '.')
        {
            return $"image file '{file}' has no plain name";
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return $"image file '{file}' holds a character that is not allowed";
            }
        }

        return null;
    }
}
