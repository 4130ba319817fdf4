using System.Formats.Tar;
using Fleet.Protocol.Serialization;

namespace Fleet.Protocol.Bundles;

/// <summary>
/// Reads a bundle tar in one forward pass, as <see cref="BundleWriter"/> lays it out: the manifest and
/// trust files first (each capped in size), then the image archives as streams that are never buffered
/// whole. A malformed or truncated tar is a failed result, never an exception. Checks nothing about the
/// content: that is <see cref="BundleVerifier"/> and <see cref="ArchiveDigest"/>.
/// </summary>
public sealed class BundleReader : IAsyncDisposable
{
    private readonly TarReader _tar;

    private BundleReader(TarReader tar, byte[] manifest, byte[] trust)
    {
        _tar = tar;
        Manifest = manifest;
        Trust = trust;
    }

    /// <summary>The exact bytes of <see cref="BundleLayout.ManifestFile"/> (a signed envelope, not yet checked).</summary>
    public ReadOnlyMemory<byte> Manifest { get; }

    /// <summary>The exact bytes of <see cref="BundleLayout.TrustFile"/> (not yet checked).</summary>
    public ReadOnlyMemory<byte> Trust { get; }

    /// <summary>Reads the manifest and trust entries from the start of <paramref name="bundle"/>, which stays open until disposal.</summary>
    public static async Task<ParseResult<BundleReader>> OpenAsync(Stream bundle, int maxDocumentBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var tar = new TarReader(bundle, leaveOpen: true);
        try
        {
            var manifest = await ReadDocumentAsync(tar, BundleLayout.ManifestFile, maxDocumentBytes, cancellationToken).ConfigureAwait(false);
            if (!manifest.Succeeded)
            {
                await tar.DisposeAsync().ConfigureAwait(false);
                return ParseResult<BundleReader>.Failed(manifest.Error);
            }

            var trust = await ReadDocumentAsync(tar, BundleLayout.TrustFile, maxDocumentBytes, cancellationToken).ConfigureAwait(false);
            if (!trust.Succeeded)
            {
                await tar.DisposeAsync().ConfigureAwait(false);
                return ParseResult<BundleReader>.Failed(trust.Error);
            }

            return ParseResult<BundleReader>.Success(new BundleReader(tar, manifest.Value, trust.Value));
        }
        catch (Exception ex) when (IsFormatError(ex))
        {
            await tar.DisposeAsync().ConfigureAwait(false);
            return ParseResult<BundleReader>.Failed("not a readable bundle: " + FirstLine(ex.Message));
        }
    }

    /// <summary>
    /// Hands every remaining entry to <paramref name="onArchive"/> with its name and a stream of its bytes
    /// (valid only during the call), in order. Stops at the first entry that is not a plain file under
    /// <see cref="BundleLayout.ImagesDirectory"/>, at a tar format error, or at the first non-null reason the
    /// callback returns, and returns that reason; null when the archive ended cleanly.
    /// </summary>
    public async Task<string?> ReadArchivesAsync(Func<string, Stream, CancellationToken, Task<string?>> onArchive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onArchive);
        try
        {
            while (await _tar.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
                {
                    return $"bundle entry '{entry.Name}' is not a plain file";
                }

                if (BundleLayout.ValidateImageFile(entry.Name) is { } invalid)
                {
                    return "bundle entry: " + invalid;
                }

                if (await onArchive(entry.Name, entry.DataStream, cancellationToken).ConfigureAwait(false) is { } refused)
                {
                    return refused;
                }
            }

            return null;
        }
        catch (Exception ex) when (IsFormatError(ex))
        {
            return "not a readable bundle: " + FirstLine(ex.Message);
        }
    }

    public ValueTask DisposeAsync() => _tar.DisposeAsync();

    private static async Task<ParseResult<byte[]>> ReadDocumentAsync(TarReader tar, string name, int maxBytes, CancellationToken cancellationToken)
    {
        var entry = await tar.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return ParseResult<byte[]>.Failed($"bundle ends before {name}");
        }

        if (!string.Equals(entry.Name, name, StringComparison.Ordinal) || entry.DataStream is null)
        {
            return ParseResult<byte[]>.Failed($"bundle entry '{entry.Name}' where {name} belongs");
        }

        if (entry.Length > maxBytes)
        {
            return ParseResult<byte[]>.Failed($"{name} is {entry.Length} bytes, the cap is {maxBytes}");
        }

        var content = new byte[entry.Length];
        await entry.DataStream.ReadExactlyAsync(content, cancellationToken).ConfigureAwait(false);
        return ParseResult<byte[]>.Success(content);
    }

    // What TarReader and a cut-off stream throw for bytes that are not a whole tar.
    private static bool IsFormatError(Exception ex) => ex is InvalidDataException or EndOfStreamException or FormatException or ArgumentException;

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
