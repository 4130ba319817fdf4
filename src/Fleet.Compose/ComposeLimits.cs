namespace Fleet.Compose;

/// <summary>Bounds that keep a hostile file from exhausting a small device.</summary>
public sealed record ComposeLimits
{
    public static ComposeLimits Default { get; } = new();

    public int MaxFileBytes { get; init; } = 4 * 1024 * 1024;

    public int MaxDepth { get; init; } = 64;

    /// <summary>Nodes that alias expansion may create in one file (refuses "billion laughs").</summary>
    public int MaxAliasExpansion { get; init; } = 100_000;

    public int MaxServices { get; init; } = 1000;
}
