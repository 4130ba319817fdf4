using System.Formats.Tar;
using System.Text;
using Fleet.Protocol.Api;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.Cli.Bundles;

/// <summary>
/// Writes a bundle as <see cref="BundleLayout"/> lays it out: a tar with the signed manifest first, the trust
/// documents, then each image archive under <c>images/</c>. Written beside the target and renamed at the
/// end, so a crash never leaves a half bundle under the name a technician would copy.
/// </summary>
internal static class BundleWriter
{
    public static async Task WriteAsync(
        string path, BundleResponse signed, IReadOnlyList<(BundleImage Image, string Archive)> images, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signed);
        ArgumentNullException.ThrowIfNull(images);
        var partial = path + ".partial";
        try
        {
            var stream = File.Create(partial);
            await using (stream.ConfigureAwait(false))
            {
                var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true);
                await using (tar.ConfigureAwait(false))
                {
                    await AddAsync(tar, BundleLayout.ManifestFile, EnvelopeSigner.Encode(signed.Manifest), cancellationToken).ConfigureAwait(false);
                    await AddAsync(tar, BundleLayout.TrustFile, ProtocolJson.Serialize(signed.Trust, ProtocolJsonContext.Default.TrustDocuments), cancellationToken).ConfigureAwait(false);
                    foreach (var (image, archive) in images)
                    {
                        await tar.WriteEntryAsync(archive, image.File, cancellationToken).ConfigureAwait(false);
                    }
                }

                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    /// <summary>A file name for an image's archive under <c>images/</c>: the reference with anything but [A-Za-z0-9._-] made '_'.</summary>
    public static string ArchiveName(string reference, ISet<string> taken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(taken);
        var name = new StringBuilder();
        foreach (var c in reference)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }

        var stem = name.ToString().TrimStart('.');
        stem = stem.Length == 0 ? "image" : stem.Length > 100 ? stem[..100] : stem;
        var candidate = BundleLayout.ImagesDirectory + stem + ".tar";
        for (var n = 2; !taken.Add(candidate); n++)
        {
            candidate = $"{BundleLayout.ImagesDirectory}{stem}-{n}.tar";
        }

        return candidate;
    }

    private static async Task AddAsync(TarWriter tar, string name, byte[] content, CancellationToken cancellationToken)
    {
        using var data = new MemoryStream(content, writable: false);
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = data, Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead };
        await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
    }
}
