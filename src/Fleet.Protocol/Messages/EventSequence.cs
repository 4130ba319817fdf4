namespace Fleet.Protocol.Messages;

/// <summary>
/// How a reader of <c>events</c> uses <c>seq</c> (it grows by one per event on a device): events at or
/// below the last one seen are duplicates of an at-least-once delivery and are dropped; a jump means
/// events were lost and is reported, not hidden. Pure: the reader keeps <c>lastSeen</c> per device.
/// </summary>
public static class EventSequence
{
    public static EventSequenceResult Take(long? lastSeen, IEnumerable<DeviceEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var fresh = new List<DeviceEvent>();
        var missing = 0L;
        var highest = lastSeen;
        foreach (var item in events.OrderBy(e => e.Seq))
        {
            if (highest is { } seen && item.Seq <= seen)
            {
                continue;
            }

            if (highest is { } previous && item.Seq > previous + 1)
            {
                missing += item.Seq - previous - 1;
            }

            fresh.Add(item);
            highest = item.Seq;
        }

        return new EventSequenceResult(fresh, highest, missing);
    }
}
