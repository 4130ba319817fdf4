using Fleet.Protocol.Messages;

namespace Fleet.Protocol.Tests.Messages;

public class EventSequenceTests
{
    [Theory]
    [InlineData(null, new long[] { 1, 2, 3 }, new long[] { 1, 2, 3 }, 3L, 0L)]
    [InlineData(2L, new long[] { 1, 2, 3, 4 }, new long[] { 3, 4 }, 4L, 0L)]
    [InlineData(4L, new long[] { 3, 4 }, new long[] { }, 4L, 0L)]
    [InlineData(2L, new long[] { 5, 3 }, new long[] { 3, 5 }, 5L, 1L)]
    [InlineData(2L, new long[] { 3, 3, 4 }, new long[] { 3, 4 }, 4L, 0L)]
    [InlineData(null, new long[] { }, new long[] { }, null, 0L)]
    [InlineData(10L, new long[] { 20 }, new long[] { 20 }, 20L, 9L)]
    public void Take_DropsDuplicatesKeepsOrderAndCountsGaps(long? lastSeen, long[] incoming, long[] expectedFresh, long? expectedLast, long expectedMissing)
    {
        var events = incoming.Select(seq => new DeviceEvent { Seq = seq, Time = TestPki.Now, Kind = EventKinds.Received });

        var result = EventSequence.Take(lastSeen, events);

        Assert.Equal(expectedFresh, result.Fresh.Select(e => e.Seq));
        Assert.Equal(expectedLast, result.LastSeen);
        Assert.Equal(expectedMissing, result.Missing);
    }

    [Fact]
    public void Take_AJumpOpensAHole_AndALateEventFillsIt()
    {
        var opened = EventSequence.Take(2, Events(3, 7));

        var filled = EventSequence.Take(opened.LastSeen, opened.Holes, Events(5, 4, 5));

        Assert.Equal([new EventGap(4, 6)], opened.Holes);
        Assert.Equal(3, opened.Missing);
        Assert.Equal([4L, 5L], filled.Fresh.Select(e => e.Seq));
        Assert.Equal([new EventGap(6, 6)], filled.Holes);
        Assert.Equal(7, filled.LastSeen);
        Assert.Equal(0, filled.Missing);
    }

    [Fact]
    public void Take_AResentRange_KeepsOnlyWhatFillsHoles_EachSeqOnce()
    {
        var first = EventSequence.Take(null, Events(1, 2, 5, 6, 9, 10));

        var resent = EventSequence.Take(first.LastSeen, first.Holes, Events(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        var again = EventSequence.Take(resent.LastSeen, resent.Holes, Events(3, 4, 7, 8));

        Assert.Equal([new EventGap(3, 4), new EventGap(7, 8)], first.Holes);
        Assert.Equal([3L, 4L, 7L, 8L], resent.Fresh.Select(e => e.Seq));
        Assert.Empty(resent.Holes);
        Assert.Empty(again.Fresh);
    }

    [Fact]
    public void Take_AnEventInsideAHole_SplitsIt()
    {
        var result = EventSequence.Take(20, [new EventGap(5, 15)], Events(10));

        Assert.Equal([new EventGap(5, 9), new EventGap(11, 15)], result.Holes);
        Assert.Equal(20, result.LastSeen);
    }

    [Fact]
    public void Take_InOrderBatchWithoutHoles_KeepsTheSameHoleList()
    {
        IReadOnlyList<EventGap> holes = [new EventGap(2, 3)];

        var result = EventSequence.Take(10, holes, Events(11, 12));

        Assert.Same(holes, result.Holes);
    }

    [Fact]
    public void Take_MoreHolesThanTheLimit_GivesUpTheOldest()
    {
        var seqs = Enumerable.Range(0, EventSequence.MaxHoles + 2).Select(i => 1L + 2 * i).ToArray();

        var result = EventSequence.Take(null, Events(seqs));

        Assert.Equal(EventSequence.MaxHoles, result.Holes.Count);
        Assert.Equal(new EventGap(4, 4), result.Holes[0]);
        Assert.Equal(1, result.GivenUp);
    }

    [Theory]
    [InlineData(20L, 3L, 20L, new long[] { 3, 4, 8, 9 }, 0L)]
    [InlineData(20L, 9L, 20L, new long[] { 9, 9 }, 3L)]
    [InlineData(20L, 30L, 29L, new long[] { }, 13L)]
    [InlineData(null, 30L, 29L, new long[] { }, 0L)]
    public void GiveUpBelow_DropsWhatTheDeviceNoLongerHolds(long? lastSeen, long oldestHeld, long? expectedLast, long[] expectedHoles, long expectedGivenUp)
    {
        IReadOnlyList<EventGap> holes = lastSeen is null ? [] : [new EventGap(3, 4), new EventGap(8, 9)];

        var (last, kept, givenUp) = EventSequence.GiveUpBelow(lastSeen, holes, oldestHeld);

        Assert.Equal(expectedLast, last);
        Assert.Equal(expectedHoles, kept.SelectMany(h => new[] { h.From, h.Through }));
        Assert.Equal(expectedGivenUp, givenUp);
    }

    private static List<DeviceEvent> Events(params long[] seqs) =>
        seqs.Select(seq => new DeviceEvent { Seq = seq, Time = TestPki.Now, Kind = EventKinds.Received }).ToList();
}
