using System.Globalization;
using Fleet.Protocol.Messages;

namespace Fleet.Agent.Updates;

/// <summary>
/// The check before a download: the engine's data directory must keep a reserve free, so that
/// pulling a release cannot fill the disk the running release (and the database) needs.
/// </summary>
public static class DiskSpace
{
    public const string Code = "disk-full";

    /// <summary>
    /// Null when <paramref name="freeBytes"/> holds <paramref name="downloadBytes"/> (what the registries say the
    /// pulls download; 0 when they do not say) and still leaves the reserve, otherwise why the download is refused.
    /// </summary>
    public static ErrorDetail? Check(string path, long freeBytes, long reserveBytes, long downloadBytes = 0) =>
        freeBytes >= reserveBytes + downloadBytes
            ? null
            : new ErrorDetail
            {
                Code = Code,
                Message = downloadBytes > 0
                    ? string.Create(CultureInfo.InvariantCulture,
                        $"not enough disk space to download: {freeBytes / 1048576} MB free on {path}, the images need {(downloadBytes + 1048575) / 1048576} MB (layer sizes from the registry) and {reserveBytes / 1048576} MB must stay free (DiskReserveMegabytes)")
                    : string.Create(CultureInfo.InvariantCulture,
                        $"not enough disk space to download: {freeBytes / 1048576} MB free on {path}, {reserveBytes / 1048576} MB must stay free (DiskReserveMegabytes)"),
            };

    /// <summary>Free bytes on the file system holding <paramref name="path"/>, or null when this process cannot see it (a remote engine).</summary>
    public static long? FreeBytes(string? path)
    {
        if (string.IsNullOrEmpty(path) || !Directory.Exists(path))
        {
            return null;
        }

        try
        {
            return new DriveInfo(Path.GetFullPath(path)).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
