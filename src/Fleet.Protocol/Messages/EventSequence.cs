namespace Fleet.Protocol.Messages;

/// <summary>
/// How a reader of <c>events</c> uses <c>seq</c> (it grows by one per event on a device): the reader keeps
/// per device the highest seq seen (the watermark) and the holes below it, the seqs skipped over. An event
/// above the watermark is fresh, and a jump over seqs opens a hole; an event inside a hole is fresh too
/// (it was late, or sent again on request) and closes its part of the hole; anything else is a duplicate
/// of an at-least-once delivery and is dropped. Holes are few (a device sends in order), and bounded:
/// past <see cref="MaxHoles"/> the oldest is given up. Pure: the reader stores the watermark and holes.
/// </summary>
public static class EventSequence
{
    /// <summary>Holes kept per device; more means the device's events arrive in pieces and the oldest are given up.</summary>
    public const int MaxHoles = 32;

    public static EventSequenceResult Take(long? lastSeen, IEnumerable<DeviceEvent> events) => Take(lastSeen, [], events);

    public static EventSequenceResult Take(long? lastSeen, IReadOnlyList<EventGap> holes, IEnumerable<DeviceEvent> events)
    {
        ArgumentNullException.ThrowIfNull(holes);
        ArgumentNullException.ThrowIfNull(events);
        var fresh = new List<DeviceEvent>();
        var missing = 0L;
        var highest = lastSeen;
        // Copied only when a hole opens or closes: the common batch (in order, no holes) allocates none.
        List<EventGap>? changed = null;
        long previousSeq = long.MinValue;
        foreach (var item in events.OrderBy(e => e.Seq))
        {
            if (item.Seq == previousSeq)
            {
                continue;
            }

            previousSeq = item.Seq;
            if (highest is { } seen && item.Seq <= seen)
            {
                var current = (IReadOnlyList<EventGap>?)changed ?? holes;
                var index = IndexOf(current, item.Seq);
                if (index < 0)
                {
                    continue;
                }

                changed ??= [.. holes];
                Fill(changed, index, item.Seq);
                fresh.Add(item);
                continue;
            }

            if (highest is { } previous && item.Seq > previous + 1)
            {
                missing += item.Seq - previous - 1;
                changed ??= [.. holes];
                changed.Add(new EventGap(previous + 1, item.Seq - 1));
            }

            fresh.Add(item);
            highest = item.Seq;
        }

        var givenUp = 0L;
        if (changed is { Count: > MaxHoles })
        {
            var excess = changed.Count - MaxHoles;
            givenUp = changed.Take(excess).Sum(h => h.Count);
            changed.RemoveRange(0, excess);
        }

        return new EventSequenceResult(fresh, highest, missing) { Holes = changed ?? holes, GivenUp = givenUp };
    }

    /// <summary>
    /// Gives up every seq below <paramref name="oldestHeld"/> that is still missing (the device no longer holds
    /// them): the holes below it, and the seqs between the watermark and it. Returns the new watermark and
    /// holes, and how many seqs were given up.
    /// </summary>
    public static (long? LastSeen, IReadOnlyList<EventGap> Holes, long GivenUp) GiveUpBelow(long? lastSeen, IReadOnlyList<EventGap> holes, long oldestHeld)
    {
        ArgumentNullException.ThrowIfNull(holes);
        var givenUp = 0L;
        var kept = new List<EventGap>(holes.Count);
        foreach (var hole in holes)
        {
            if (hole.From >= oldestHeld)
            {
                kept.Add(hole);
            }
            else if (hole.Through < oldestHeld)
            {
                givenUp += hole.Count;
            }
            else
            {
                givenUp += oldestHeld - hole.From;
                kept.Add(hole with { From = oldestHeld });
            }
        }

        if (lastSeen is { } seen && seen < oldestHeld - 1)
        {
            givenUp += oldestHeld - 1 - seen;
            lastSeen = oldestHeld - 1;
        }
        else if (lastSeen is null && oldestHeld > 1)
        {
            // Nothing was ever seen: what the device no longer holds was never expected here either.
            lastSeen = oldestHeld - 1;
        }

        return (lastSeen, givenUp == 0 ? holes : kept, givenUp);
    }

    private static int IndexOf(IReadOnlyList<EventGap> holes, long seq)
    {
        for (var i = 0; i < holes.Count; i++)
        {
            if (holes[i].Contains(seq))
            {
                return i;
            }
        }

        return -1;
    }

    private static void Fill(List<EventGap> holes, int index, long seq)
    {
        var hole = holes[index];
        if (hole.From == hole.Through)
        {
            holes.RemoveAt(index);
        }
        else if (seq == hole.From)
        {
            holes[index] = hole with { From = seq + 1 };
        }
        else if (seq == hole.Through)
        {
            holes[index] = hole with { Through = seq - 1 };
        }
        else
        {
            holes[index] = hole with { Through = seq - 1 };
            holes.Insert(index + 1, new EventGap(seq + 1, hole.Through));
        }
    }
}
