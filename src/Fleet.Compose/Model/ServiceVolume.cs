namespace Fleet.Compose.Model;

/// <summary>A mount in long syntax. Bind sources are absolute paths (relative ones resolved against the project directory).</summary>
public sealed record ServiceVolume
{
    /// <summary>"volume", "bind", "tmpfs" or "npipe".</summary>
    public required string Type { get; init; }

    /// <summary>Volume name (a top-level key), host path for binds, null for tmpfs and anonymous volumes.</summary>
    public string? Source { get; init; }

    public required string Target { get; init; }

    public bool ReadOnly { get; init; }

    public ServiceVolumeBind? Bind { get; init; }

    public ServiceVolumeOptions? Volume { get; init; }

    public ServiceVolumeTmpfs? Tmpfs { get; init; }
}
