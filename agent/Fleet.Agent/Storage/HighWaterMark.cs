using System.Globalization;

namespace Fleet.Agent.Storage;

/// <summary>
/// The highest desired-state version this device ever accepted, kept in a small file of its own
/// beside the database: anti-rollback must survive a lost or corrupt LiteDB file, so it cannot
/// live only inside it. Written atomically (temporary file, fsync, rename) so a power cut leaves
/// either the old or the new value, never a torn one.
/// </summary>
public static class HighWaterMark
{
    public const string FileName = "high-water-mark";

    /// <summary>The recorded version, or 0 when none was ever recorded or the file is unreadable.</summary>
    public static long Read(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        try
        {
            return long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
                ? version
                : 0;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }

    /// <summary>Records <paramref name="version"/> if it is higher than what is recorded; never lowers it.</summary>
    public static long Raise(string dataDirectory, long version)
    {
        var current = Read(dataDirectory);
        if (version <= current)
        {
            return current;
        }

        var path = Path.Combine(dataDirectory, FileName);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(System.Text.Encoding.ASCII.GetBytes(version.ToString(CultureInfo.InvariantCulture) + "\n"));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        return version;
    }
}
