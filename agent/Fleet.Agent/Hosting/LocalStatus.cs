using Fleet.Protocol.Messages;

namespace Fleet.Agent.Hosting;

/// <summary>What <c>fleet-agent status</c> shows: the device's status, and the events the broker has not taken yet.</summary>
public sealed record LocalStatus
{
    /// <summary>True when a running agent answered; false when the database was read with no agent running.</summary>
    public required bool Running { get; init; }

    public required DeviceStatus Status { get; init; }

    public required int PendingEvents { get; init; }

    public IReadOnlyList<DeviceEvent> RecentEvents { get; init; } = [];
}
