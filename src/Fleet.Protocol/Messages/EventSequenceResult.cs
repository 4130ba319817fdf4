namespace Fleet.Protocol.Messages;

/// <summary>
/// The events not seen before (ascending seq), the new last-seen seq, how many seqs were newly skipped
/// over (now holes, which a later delivery may still fill), the holes left, and how many seqs were given up
/// because there were more holes than <see cref="EventSequence.MaxHoles"/>.
/// </summary>
public sealed record EventSequenceResult(IReadOnlyList<DeviceEvent> Fresh, long? LastSeen, long Missing)
{
    public IReadOnlyList<EventGap> Holes { get; init; } = [];

    public long GivenUp { get; init; }
}
