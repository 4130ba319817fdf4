namespace Fleet.Compose.Model;

/// <summary>A service's use of a top-level config or secret, in long syntax.</summary>
public sealed record ServiceFileReference
{
    public required string Source { get; init; }

    /// <summary>Where it appears in the container; configs default to "/SOURCE", secrets to "/run/secrets/SOURCE".</summary>
    public required string Target { get; init; }

    public string? Uid { get; init; }

    public string? Gid { get; init; }

    public int? Mode { get; init; }
}
