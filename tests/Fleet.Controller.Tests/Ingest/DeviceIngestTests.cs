using System.Buffers;
using System.Text;
using Fleet.Controller.Devices;
using Fleet.Controller.Ingest;
using Fleet.Controller.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Controller.Tests.Ingest;

public sealed class DeviceIngestTests : IDisposable
{
    private readonly TempDatabase _temp = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private readonly FleetMetrics _metrics = new();
    private readonly DeviceRegistry _registry;
    private readonly DeviceIngest _ingest;

    public DeviceIngestTests()
    {
        _registry = new DeviceRegistry(_temp.Database, _temp.Options, _time);
        _registry.Enroll("pi-1", new Dictionary<string, string>(), "h");
        _ingest = new DeviceIngest(_registry, _metrics, NullLogger<DeviceIngest>.Instance);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Status_IsTaken_AndUpdatesTheView()
    {
        var outcome = Take("fleet/v1/dev/pi-1/status", """{"deviceId":"pi-1","agentVersion":"0.1.0","seq":3,"reportedAt":"2026-11-28T12:00:00+00:00","desiredVersion":42,"appliedVersion":41,"phase":"applying"}""");

        Assert.Equal(IngestOutcome.Taken, outcome);
        var view = _registry.Device("pi-1")!;
        Assert.Equal(("applying", 42L, 41L), (view.Phase, view.DesiredVersion, view.AppliedVersion));
    }

    [Fact]
    public void Status_AboutAnotherDevice_IsDropped()
    {
        var outcome = Take("fleet/v1/dev/pi-1/status", """{"deviceId":"pi-2","agentVersion":"0.1.0","seq":3,"reportedAt":"2026-11-28T12:00:00+00:00","phase":"idle"}""");

        Assert.Equal(IngestOutcome.Malformed, outcome);
        Assert.Null(_registry.Device("pi-1")!.Phase);
    }

    [Fact]
    public void Events_Redelivered_AreDuplicates_AndAGapIsAHoleToFill_NotYetMissing()
    {
        const string Batch = """{"deviceId":"pi-1","events":[{"seq":1,"time":"2026-11-28T12:00:00+00:00","kind":"received"},{"seq":4,"time":"2026-11-28T12:00:01+00:00","kind":"committed"}]}""";

        var first = Take("fleet/v1/dev/pi-1/events", Batch);
        var again = Take("fleet/v1/dev/pi-1/events", Batch);

        Assert.Equal(IngestOutcome.Taken, first);
        Assert.Equal(IngestOutcome.Duplicate, again);
        Assert.Contains("fleet_events_missing_total 0", _metrics.Render(0, 1), StringComparison.Ordinal);
        Assert.Equal(1, _registry.GappedCount);
    }

    [Theory]
    [InlineData("online", true)]
    [InlineData("offline", false)]
    public void Presence_SetsOnline(string payload, bool online)
    {
        Assert.Equal(IngestOutcome.Taken, Take("fleet/v1/dev/pi-1/online", payload));

        Assert.Equal(online, _registry.Device("pi-1")!.Online);
    }

    [Fact]
    public void Presence_Garbage_IsMalformed_AndUnknownDevicesAreNotCreated()
    {
        Assert.Equal(IngestOutcome.Malformed, Take("fleet/v1/dev/pi-1/online", "maybe"));
        Assert.Equal(IngestOutcome.UnknownDevice, Take("fleet/v1/dev/ghost/online", "online"));
        Assert.Null(_registry.Device("ghost"));
    }

    private IngestOutcome Take(string topic, string payload) => _ingest.Take(topic, new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(payload)));
}
