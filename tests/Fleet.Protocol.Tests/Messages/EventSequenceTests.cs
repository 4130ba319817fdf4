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
}
