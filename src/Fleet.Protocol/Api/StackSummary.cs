namespace Fleet.Protocol.Api;

/// <summary>One row of <c>GET /api/v1/stacks</c>.</summary>
public sealed record StackSummary
{
    public required string Name { get; init; }

    public required int LatestVersion { get; init; }

    public required string Digest { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}
