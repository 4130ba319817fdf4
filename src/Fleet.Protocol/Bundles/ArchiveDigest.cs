using System.Buffers;
using System.Security.Cryptography;

namespace Fleet.Protocol.Bundles;

/// <summary>The lowercase hex SHA-256 and the length of an image archive, as a bundle manifest records them.</summary>
public sealed record ArchiveDigest(string Sha256, long SizeBytes)
{
    private const int BufferBytes = 81920;

    /// <summary>
    /// Reads <paramref name="archive"/> to its end in fixed-size chunks (memory stays bounded for archives of
    /// any size), optionally copying every chunk to <paramref name="copyTo"/> as it goes.
    /// </summary>
    public static async Task<ArchiveDigest> ComputeAsync(Stream archive, Stream? copyTo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(archive);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            long size = 0;
            int read;
            while ((read = await archive.ReadAsync(buffer.AsMemory(0, BufferBytes), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                size += read;
                if (copyTo is not null)
                {
                    await copyTo.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }

            return new ArchiveDigest(Convert.ToHexStringLower(hash.GetHashAndReset()), size);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Null when this digest is what <paramref name="image"/> promises, else the one-line reason.</summary>
    public string? Mismatch(BundleImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (SizeBytes != image.SizeBytes)
        {
            return $"{image.File} is {SizeBytes} bytes, the manifest says {image.SizeBytes}";
        }

        return string.Equals(Sha256, image.Sha256, StringComparison.Ordinal)
            ? null
            : $"{image.File} has SHA-256 {Sha256}, the manifest says {image.Sha256}";
    }
}
