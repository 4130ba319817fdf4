namespace Fleet.Protocol.Messages;

/// <summary>Events published together on <c>fleet/v1/dev/{id}/events</c>, in ascending <c>seq</c>.</summary>
public sealed record EventBatch
{
    public required string DeviceId { get; init; }

    public IReadOnlyList<DeviceEvent> Events { get; init; } = [];
}
