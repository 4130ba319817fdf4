namespace Fleet.Protocol.Messages;

/// <summary>
/// One entry of a device's journal. <see cref="Seq"/> grows by one per event on a device and lets
/// the controller drop duplicates of an at-least-once delivery.
/// </summary>
public sealed record DeviceEvent
{
    public required long Seq { get; init; }

    public required DateTimeOffset Time { get; init; }

    /// <summary>The desired version the event is about, when it is about one.</summary>
    public long? Version { get; init; }

    /// <summary>One of <see cref="EventKinds"/>; readers keep kinds they do not know.</summary>
    public required string Kind { get; init; }

    /// <summary>Machine-readable reason for refusals and failures (e.g. a <c>RefusalReason</c> code).</summary>
    public string? Code { get; init; }

    public string? Stack { get; init; }

    public string? Service { get; init; }

    /// <summary>One line for people.</summary>
    public string? Detail { get; init; }
}
