using Fleet.Controller.Devices;
using Fleet.Controller.Hosting;
using Fleet.Controller.Ingest;
using Fleet.Controller.Metrics;
using Fleet.Protocol.Messages;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Controller.Tests.Ingest;

public sealed class EventResenderTests : IDisposable
{
    private readonly TempDatabase _temp = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private readonly FleetMetrics _metrics = new();
    private readonly List<(string DeviceId, CommandArgs Args)> _sent = [];
    private readonly DeviceRegistry _registry;

    public EventResenderTests()
    {
        _registry = new DeviceRegistry(_temp.Database, _temp.Options, _time);
        foreach (var id in new[] { "pi-1", "pi-2", "pi-3" })
        {
            _registry.Enroll(id, new Dictionary<string, string>(), "h");
            _registry.TakePresence(id, online: true);
        }
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AskDue_SendsResendEventsForTheGap_AndCountsWhatTheDeviceNoLongerHoldsAsMissing()
    {
        _registry.TakeEvents("pi-1", [Event(1), Event(5)]);
        _time.Advance(TimeSpan.FromSeconds(5));
        var resender = Resender(_temp.Options, (id, args) => Reply(args, oldestHeld: 3));

        await Task.WhenAll(resender.AskDue(CancellationToken.None));

        var sent = Assert.Single(_sent);
        Assert.Equal(("pi-1", 1L, 4L), (sent.DeviceId, sent.Args.AfterSeq!.Value, sent.Args.ThroughSeq!.Value));
        Assert.Contains("fleet_events_missing_total 1\n", _metrics.Render(0, 0), StringComparison.Ordinal);
        Assert.Equal(1, _registry.GappedCount);
    }

    [Fact]
    public async Task AskDue_NeverHasMoreRequestsWaitingThanAllowed()
    {
        foreach (var id in new[] { "pi-1", "pi-2", "pi-3" })
        {
            _registry.TakeEvents(id, [Event(1), Event(3)]);
        }

        _time.Advance(TimeSpan.FromSeconds(5));
        var replies = new TaskCompletionSource<DeviceCommandResult?>();
        var options = _temp.Options;
        options.EventResendMaxInFlight = 2;
        var resender = Resender(options, (_, _) => replies.Task);

        var first = resender.AskDue(CancellationToken.None);
        var whileWaiting = resender.AskDue(CancellationToken.None);
        replies.SetResult(null);
        await Task.WhenAll(first);
        var afterReplies = resender.AskDue(CancellationToken.None);
        await Task.WhenAll(afterReplies);

        Assert.Equal(2, first.Count);
        Assert.Empty(whileWaiting);
        await Assert.Single(afterReplies);
        Assert.Equal(3, _sent.Select(s => s.DeviceId).Distinct().Count());
    }

    [Fact]
    public async Task AskDue_WhenTheBrokerLinkFails_AsksAgainAfterTheInterval()
    {
        _registry.TakeEvents("pi-1", [Event(1), Event(3)]);
        _time.Advance(TimeSpan.FromSeconds(5));
        var fail = true;
        var resender = Resender(_temp.Options, (_, args) => fail ? throw new InvalidOperationException("broker down") : Reply(args, oldestHeld: 1));

        await Task.WhenAll(resender.AskDue(CancellationToken.None));
        fail = false;
        _time.Advance(TimeSpan.FromSeconds(_temp.Options.EventResendIntervalSeconds));
        await Task.WhenAll(resender.AskDue(CancellationToken.None));

        Assert.Equal(2, _sent.Count);
        Assert.Equal(1, _registry.GappedCount);
    }

    private EventResender Resender(ControllerOptions options, Func<string, CommandArgs, Task<DeviceCommandResult?>> reply) =>
        new(_registry, options, _metrics, _time, NullLogger<EventResender>.Instance, (id, args, _) =>
        {
            _sent.Add((id, args));
            return reply(id, args);
        });

    private static Task<DeviceCommandResult?> Reply(CommandArgs args, long oldestHeld) =>
        Task.FromResult<DeviceCommandResult?>(DeviceCommandResult.Success("c1", "re-queued") with
        {
            Resend = new EventResendResult { AfterSeq = args.AfterSeq!.Value, ThroughSeq = args.ThroughSeq!.Value, Requeued = 1, OldestHeld = oldestHeld },
        });

    private DeviceEvent Event(long seq) => new() { Seq = seq, Time = _time.GetUtcNow(), Kind = EventKinds.Received };
}
