namespace Fleet.Protocol.Messages;

public sealed record StackStatus
{
    public required string Name { get; init; }

    /// <summary>Digest of the release that runs; null when what runs is not a known release.</summary>
    public string? Digest { get; init; }

    public IReadOnlyList<ServiceStatus> Services { get; init; } = [];
}
