using Fleet.Agent.Mqtt;
using Fleet.Agent.Storage;
using Fleet.Agent.Updates;
using Fleet.Protocol.Messages;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Agent.Tests.Mqtt;

public sealed class StatusReporterTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Build_CarriesTheJournalsLastSeq_SoTheControllerSeesEventsItNeverGot()
    {
        using var dir = new TempDirectory();
        using var database = AgentDatabase.Open(dir.Path, _time).Database!;
        var journal = new EventJournal(database, _time);
        var reporter = new StatusReporter(
            "dev-1", dir.Path, new DesiredStateStore(database, _time), new PersistentCounter(database, "status-seq"), _time, TimeSpan.FromSeconds(60))
        {
            LastEventSeq = () => journal.LastSeq,
        };
        journal.Append(new DeviceEvent { Seq = 0, Time = default, Kind = EventKinds.AgentStarted });
        journal.Append(new DeviceEvent { Seq = 0, Time = default, Kind = EventKinds.Received });

        var status = reporter.Build(new DeviceState(), _time.GetUtcNow());

        Assert.Equal(2, status.LastEventSeq);
    }
}
