using Fleet.Protocol.Messages;

namespace Fleet.Protocol.Api;

/// <summary><c>GET /api/v1/devices/{id}</c>: the summary, the last full status, the most recent events (newest last).</summary>
public sealed record DeviceDetail
{
    public required DeviceSummary Device { get; init; }

    public DeviceStatus? Status { get; init; }

    public IReadOnlyList<DeviceEvent> Events { get; init; } = [];
}
