using Fleet.Protocol.Messages;

namespace Fleet.Protocol.Api;

/// <summary>One row of <c>GET /api/v1/devices</c>.</summary>
public sealed record DeviceSummary
{
    public required string Id { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public required bool Online { get; init; }

    public required DateTimeOffset EnrolledAt { get; init; }

    /// <summary>Last time anything arrived from the device (status, event, presence).</summary>
    public DateTimeOffset? LastSeen { get; init; }

    /// <summary>The phase of its current update (<see cref="DeploymentPhases"/>), or null before its first status.</summary>
    public string? Phase { get; init; }

    public long? DesiredVersion { get; init; }

    public long? AppliedVersion { get; init; }

    public IReadOnlyList<StackRef> Stacks { get; init; } = [];

    public ErrorDetail? LastError { get; init; }
}
