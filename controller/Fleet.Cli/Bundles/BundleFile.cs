using Fleet.Protocol.Api;
using Fleet.Protocol.Bundles;

namespace Fleet.Cli.Bundles;

/// <summary>
/// Puts a bundle on disk with the shared <see cref="BundleWriter"/>: written beside the target and renamed
/// at the end, so a crash or a refusal never leaves a half bundle under the name a technician would copy.
/// </summary>
internal static class BundleFile
{
    public static async Task WriteAsync(
        string path, BundleResponse signed, IReadOnlyDictionary<string, string> archives, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signed);
        var partial = path + ".partial";
        try
        {
            var stream = File.Create(partial);
            await using (stream.ConfigureAwait(false))
            {
                await BundleWriter.WriteAsync(stream, signed.Manifest, signed.Trust, archives, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }
}
