namespace Fleet.Protocol.Messages;

/// <summary>The events not seen before (ascending seq), the new last-seen seq, and how many seqs were skipped over.</summary>
public sealed record EventSequenceResult(IReadOnlyList<DeviceEvent> Fresh, long? LastSeen, long Missing);
