namespace Fleet.Protocol.Api;

/// <summary>One immutable version of a stack. <see cref="Compose"/> (canonical YAML) only in <c>GET .../versions/{v}</c>.</summary>
public sealed record StackVersionInfo
{
    public required string Name { get; init; }

    /// <summary>1, 2, 3, ... per stack.</summary>
    public required int Version { get; init; }

    public required string Digest { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public IReadOnlyList<string> Services { get; init; } = [];

    public string? Compose { get; init; }
}
