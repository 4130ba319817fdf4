using Fleet.Agent.Storage;
using Fleet.Agent.Updates;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Agent.Tests.Updates;

public sealed class CommandHandlerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task ResendEvents_RequeuesTheRange_WakesTheForwarder_AndRepliesWhatItQueued()
    {
        using var dir = new TempDirectory();
        using var database = AgentDatabase.Open(dir.Path, _time).Database!;
        var journal = new EventJournal(database, _time);
        for (var i = 0; i < 8; i++)
        {
            journal.Append(new DeviceEvent { Seq = 0, Time = default, Kind = EventKinds.Applying });
        }

        journal.Acknowledge(journal.Pending(100));
        var woken = 0;
        var handler = new CommandHandler("dev-1", null, () => { }, () => { }, journal, () => woken++);

        var reply = await handler.ExecuteAsync(Command(new CommandArgs { AfterSeq = 3, ThroughSeq = 6 }), CancellationToken.None);

        Assert.True(reply.Ok);
        Assert.Equal(new EventResendResult { AfterSeq = 3, ThroughSeq = 6, Requeued = 3, OldestHeld = 1 }, reply.Resend);
        Assert.Equal("re-queued 3 event(s) in (3, 6]; oldest held 1", reply.Output);
        Assert.Equal([4L, 5L, 6L], journal.Pending(100).Select(e => e.Seq));
        Assert.Equal(1, woken);
    }

    [Fact]
    public async Task ResendEvents_WithoutAfterSeq_IsRefused_AndQueuesNothing()
    {
        using var dir = new TempDirectory();
        using var database = AgentDatabase.Open(dir.Path, _time).Database!;
        var journal = new EventJournal(database, _time);
        journal.Append(new DeviceEvent { Seq = 0, Time = default, Kind = EventKinds.Applying });
        journal.Acknowledge(journal.Pending(100));
        var handler = new CommandHandler("dev-1", null, () => { }, () => { }, journal, () => throw new InvalidOperationException("woken"));

        var reply = await handler.ExecuteAsync(Command(new CommandArgs { ThroughSeq = 1 }), CancellationToken.None);

        Assert.Equal(CommandKinds.MissingArgumentCode, reply.Error?.Code);
        Assert.Empty(journal.Pending(100));
    }

    private static byte[] Command(CommandArgs args) =>
        ProtocolJson.Serialize(new DeviceCommand { Id = "c1", Kind = CommandKinds.ResendEvents, Args = args }, ProtocolJsonContext.Default.DeviceCommand);
}
