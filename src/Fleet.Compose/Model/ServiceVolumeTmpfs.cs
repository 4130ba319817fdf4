namespace Fleet.Compose.Model;

public sealed record ServiceVolumeTmpfs
{
    public long? SizeBytes { get; init; }

    /// <summary>File mode bits (octal in the file, e.g. 1770).</summary>
    public int? Mode { get; init; }
}
