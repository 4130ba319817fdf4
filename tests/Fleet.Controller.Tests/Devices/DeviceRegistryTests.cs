using Fleet.Controller.Devices;
using Fleet.Controller.Hosting;
using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Selectors;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Controller.Tests.Devices;

public sealed class DeviceRegistryTests : IDisposable
{
    private readonly TempDatabase _temp = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Enroll_Again_MergesLabelsOverTheOldOnes_AndKeepsTheEnrollmentTime()
    {
        var registry = Registry();
        var first = registry.Enroll("pi-1", Labels(("site", "berlin"), ("tier", "canary")), "h1");
        _time.Advance(TimeSpan.FromHours(1));

        var again = registry.Enroll("pi-1", Labels(("tier", "prod")), "h2");

        Assert.Equal(Labels(("site", "berlin"), ("tier", "prod")), again.Labels);
        Assert.Equal(first.EnrolledAt, again.EnrolledAt);
        Assert.Equal("h2", registry.Credentials().Single().SecretHash);
    }

    [Fact]
    public void TakeEvents_DropsDuplicatesBySeq()
    {
        var registry = Registry();
        registry.Enroll("pi-1", Labels(), "h");

        var first = registry.TakeEvents("pi-1", [Event(1), Event(2)])!;
        var replay = registry.TakeEvents("pi-1", [Event(1), Event(2), Event(3)])!;
        registry.Flush();
        var again = registry.TakeEvents("pi-1", [Event(3)])!;

        Assert.Equal(2, first.Fresh.Count);
        Assert.Equal([3L], replay.Fresh.Select(e => e.Seq));
        Assert.Empty(again.Fresh);
        Assert.Equal([1L, 2L, 3L], registry.Detail("pi-1", 10)!.Events.Select(e => e.Seq));
    }

    [Fact]
    public void Flush_KeepsOnlyTheNewestEventsPerDevice()
    {
        var registry = new DeviceRegistry(_temp.Database, new ControllerOptions { DataDirectory = _temp.Directory, EventsPerDevice = 3 }, _time);
        registry.Enroll("pi-1", Labels(), "h");

        registry.TakeEvents("pi-1", [.. Enumerable.Range(1, 5).Select(i => Event(i))]);
        registry.Flush();
        registry.TakeEvents("pi-1", [Event(6)]);
        registry.Flush();

        Assert.Equal([4L, 5L, 6L], registry.Detail("pi-1", 100)!.Events.Select(e => e.Seq));
    }

    [Fact]
    public void Flush_ThenReopen_KeepsStatusLabelsAndTheEventHighWaterMark()
    {
        var registry = Registry();
        registry.Enroll("pi-1", Labels(("site", "berlin")), "h");
        registry.TakeStatus("pi-1", Status("pi-1", seq: 4, phase: DeploymentPhases.Committed));
        registry.TakeEvents("pi-1", [Event(1), Event(2)]);
        registry.TakePresence("pi-1", online: true);
        registry.Flush();

        var reopened = new DeviceRegistry(_temp.Reopen(), _temp.Options, _time);

        var detail = reopened.Detail("pi-1", 10)!;
        Assert.Equal(DeploymentPhases.Committed, detail.Status!.Phase);
        Assert.Equal("berlin", detail.Device.Labels["site"]);
        Assert.False(detail.Device.Online);
        Assert.Equal(2, detail.Events.Count);
        Assert.Empty(reopened.TakeEvents("pi-1", [Event(2)])!.Fresh);
    }

    [Fact]
    public void TakeStatus_AnOlderOne_DoesNotReplaceTheNewer()
    {
        var registry = Registry();
        registry.Enroll("pi-1", Labels(), "h");
        registry.TakeStatus("pi-1", Status("pi-1", seq: 5, phase: DeploymentPhases.Committed));

        registry.TakeStatus("pi-1", Status("pi-1", seq: 4, phase: DeploymentPhases.Applying, at: -1));

        Assert.Equal(DeploymentPhases.Committed, registry.Device("pi-1")!.Phase);
    }

    [Fact]
    public void TakeAnything_ForAnUnknownDevice_IsRefused()
    {
        var registry = Registry();

        Assert.False(registry.TakeStatus("ghost", Status("ghost", 1, DeploymentPhases.Idle)));
        Assert.Null(registry.TakeEvents("ghost", [Event(1)]));
        Assert.False(registry.TakePresence("ghost", online: true));
    }

    [Fact]
    public void Devices_FiltersBySelector_AndRaisesDeviceChangedOnLabelChanges()
    {
        var registry = Registry();
        registry.Enroll("pi-1", Labels(("site", "berlin")), "h");
        registry.Enroll("pi-2", Labels(("site", "paris")), "h");
        var changed = new List<string>();
        registry.DeviceChanged += changed.Add;

        registry.UpdateLabels("pi-2", new LabelUpdate { Set = Labels(("site", "berlin"), ("tier", "canary")) });

        Assert.Equal(["pi-1", "pi-2"], registry.Devices(LabelSelector.Parse("site=berlin").Value!).Select(d => d.Id));
        Assert.Equal(["pi-1"], registry.Devices(LabelSelector.Parse("site=berlin,tier!=canary").Value!).Select(d => d.Id));
        Assert.Equal(["pi-2"], changed);
    }

    [Fact]
    public void Remove_ForgetsTheDeviceAndItsEvents_EvenWithAFlushPending()
    {
        var registry = Registry();
        registry.Enroll("pi-1", Labels(), "h");
        registry.TakeEvents("pi-1", [Event(1)]);

        Assert.True(registry.Remove("pi-1"));
        registry.Flush();

        var reopened = new DeviceRegistry(_temp.Reopen(), _temp.Options, _time);
        Assert.Null(reopened.Device("pi-1"));
        Assert.Empty(reopened.Credentials());
    }

    private DeviceRegistry Registry() => new(_temp.Database, _temp.Options, _time);

    private static Dictionary<string, string> Labels(params (string Key, string Value)[] labels) =>
        labels.ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);

    private DeviceEvent Event(long seq) => new() { Seq = seq, Time = _time.GetUtcNow(), Kind = EventKinds.Received };

    private DeviceStatus Status(string id, long seq, string phase, int at = 0) => new()
    {
        DeviceId = id,
        AgentVersion = "0.1.0",
        Seq = seq,
        ReportedAt = _time.GetUtcNow().AddMinutes(at),
        Phase = phase,
    };
}
