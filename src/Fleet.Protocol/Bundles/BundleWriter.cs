using System.Formats.Tar;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Bundles;

/// <summary>
/// Writes a bundle (see <see cref="BundleLayout"/>) as one tar stream: <c>manifest.json</c> first, then
/// <c>trust.json</c>, then the image archives in manifest order, so a reader can check the signature
/// and know every digest before the first archive byte arrives. Shared by <c>fleet bundle create</c>
/// and the tests, so the producer and the agent agree on one layout.
/// </summary>
public static class BundleWriter
{
    private const int MaxNameLength = 128;

    /// <summary>
    /// The bundle path for the <paramref name="index"/>-th image: <c>images/NN-REFERENCE.tar</c> with every
    /// character <see cref="BundleLayout.ValidateImageFile"/> does not allow replaced by <c>_</c>; the index
    /// keeps two references that sanitize alike apart.
    /// </summary>
    public static string ImageFile(int index, string reference)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentException.ThrowIfNullOrEmpty(reference);
        var prefix = $"{index:D2}-";
        var suffix = ".tar";
        var room = MaxNameLength - prefix.Length - suffix.Length;
        var name = string.Create(Math.Min(reference.Length, room), reference, static (span, source) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                var c = source[i];
                span[i] = char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_';
            }
        });
        return BundleLayout.ImagesDirectory + prefix + name + suffix;
    }

    /// <summary>Hashes the archive at <paramref name="archivePath"/> (streaming) into the manifest entry for it.</summary>
    public static async Task<BundleImage> DescribeAsync(
        string archivePath, string reference, string imageId, string file, CancellationToken cancellationToken)
    {
        await using var archive = File.OpenRead(archivePath);
        var digest = await ArchiveDigest.ComputeAsync(archive, null, cancellationToken).ConfigureAwait(false);
        return new BundleImage { Reference = reference, ImageId = imageId, File = file, Sha256 = digest.Sha256, SizeBytes = digest.SizeBytes };
    }

    /// <summary>
    /// Writes the bundle to <paramref name="output"/>. <paramref name="archives"/> maps each manifest image's
    /// <see cref="BundleImage.File"/> to the local file holding it. The archives are not hashed again here;
    /// a size that no longer matches the manifest (the file changed since <see cref="DescribeAsync"/>) throws,
    /// as does a manifest image with no archive.
    /// </summary>
    public static async Task WriteAsync(
        Stream output,
        SignedEnvelope manifest,
        TrustDocuments trust,
        IReadOnlyDictionary<string, string> archives,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(trust);
        ArgumentNullException.ThrowIfNull(archives);

        var parsed = ProtocolJson.Parse(manifest.Payload.Span, ProtocolJsonContext.Default.BundleManifest);
        if (!parsed.Succeeded)
        {
            throw new ArgumentException("the manifest envelope does not hold a bundle manifest: " + parsed.Error, nameof(manifest));
        }

        var images = parsed.Value.Images;
        foreach (var image in images)
        {
            if (BundleLayout.ValidateImageFile(image.File) is { } invalid)
            {
                throw new ArgumentException(invalid, nameof(manifest));
            }

            if (!archives.TryGetValue(image.File, out var path))
            {
                throw new ArgumentException($"no archive given for {image.File}", nameof(archives));
            }

            var length = new FileInfo(path).Length;
            if (length != image.SizeBytes)
            {
                throw new ArgumentException($"{path} is {length} bytes, the manifest says {image.SizeBytes} for {image.File}", nameof(archives));
            }
        }

        var modified = parsed.Value.CreatedAt;
        var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            await WriteBytesAsync(writer, BundleLayout.ManifestFile, EnvelopeSigner.Encode(manifest), modified, cancellationToken).ConfigureAwait(false);
            await WriteBytesAsync(
                writer, BundleLayout.TrustFile, ProtocolJson.Serialize(trust, ProtocolJsonContext.Default.TrustDocuments), modified, cancellationToken)
                .ConfigureAwait(false);
            foreach (var image in images)
            {
                var archive = File.OpenRead(archives[image.File]);
                await using (archive.ConfigureAwait(false))
                {
                    await WriteEntryAsync(writer, image.File, archive, modified, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private static async Task WriteBytesAsync(TarWriter writer, string name, byte[] content, DateTimeOffset modified, CancellationToken cancellationToken)
    {
        using var data = new MemoryStream(content, writable: false);
        await WriteEntryAsync(writer, name, data, modified, cancellationToken).ConfigureAwait(false);
    }

    private static Task WriteEntryAsync(TarWriter writer, string name, Stream data, DateTimeOffset modified, CancellationToken cancellationToken) =>
        writer.WriteEntryAsync(
            new PaxTarEntry(TarEntryType.RegularFile, name)
            {
                DataStream = data,
                ModificationTime = modified,
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            },
            cancellationToken);
}
