using System.Globalization;

namespace Fleet.Agent.Storage;

/// <summary>
/// The highest desired-state version this device ever accepted, and the digest of that exact
/// envelope, kept in a small file of its own beside the database: anti-rollback must survive a
/// lost or corrupt LiteDB file, so it cannot live only inside it. The digest lets a device whose
/// database was lost take the very same envelope back from the broker's retained message without
/// opening the door to anything older. Written atomically (temporary file, fsync, rename).
/// </summary>
public sealed record HighWaterMark(long Version, string? Digest)
{
    public const string FileName = "high-water-mark";

    public static HighWaterMark None { get; } = new(0, null);

    /// <summary>The recorded mark, or <see cref="None"/> when none was recorded or the file is unreadable.</summary>
    public static HighWaterMark Read(string dataDirectory)
    {
        try
        {
            var parts = File.ReadAllText(Path.Combine(dataDirectory, FileName)).Split(' ', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            return parts.Length > 0 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var version)
                ? new HighWaterMark(version, parts.Length > 1 ? parts[1] : null)
                : None;
        }
        catch (FileNotFoundException)
        {
            return None;
        }
    }

    /// <summary>Records <paramref name="version"/> if it is higher than what is recorded; never lowers it.</summary>
    public static HighWaterMark Raise(string dataDirectory, long version, string digest)
    {
        var current = Read(dataDirectory);
        if (version <= current.Version)
        {
            return current;
        }

        AtomicFile.WriteAllText(Path.Combine(dataDirectory, FileName), string.Create(CultureInfo.InvariantCulture, $"{version} {digest}\n"));
        return new HighWaterMark(version, digest);
    }
}
