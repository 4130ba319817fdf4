namespace Fleet.Protocol.Messages;

/// <summary>
/// What a device did with a <see cref="CommandKinds.ResendEvents"/> command: the events it holds in
/// (<see cref="AfterSeq"/>, <see cref="ThroughSeq"/>] are queued to be sent again. Those below
/// <see cref="OldestHeld"/> were pruned from its journal and will never come: the asker gives them up.
/// </summary>
public sealed record EventResendResult
{
    public required long AfterSeq { get; init; }

    /// <summary>The range's upper end as the device took it: the one asked for, or its journal's last seq when none was.</summary>
    public required long ThroughSeq { get; init; }

    /// <summary>How many events of the range were queued again.</summary>
    public required int Requeued { get; init; }

    /// <summary>The lowest seq the journal still holds; null when it holds none.</summary>
    public long? OldestHeld { get; init; }
}
