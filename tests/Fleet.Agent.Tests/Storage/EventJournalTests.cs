using Fleet.Agent.Storage;
using Fleet.Protocol.Messages;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Agent.Tests.Storage;

public sealed class EventJournalTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Append_NumbersEventsWithoutGaps_AndPendingReturnsThemInOrder()
    {
        using var dir = new TempDirectory();
        using var database = AgentDatabase.Open(dir.Path, _time).Database!;
        var journal = new EventJournal(database, _time);

        for (var i = 0; i < 25; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            journal.Append(Draft(i % 2 == 0 ? "applying" : "committed", 3) with { Stack = "web", Service = "api", Detail = $"detail {i}" });
        }

        var pending = journal.Pending(100);
        Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), pending.Select(e => e.Seq));
        Assert.Equal("detail 24", pending[^1].Detail);
        Assert.Equal(_time.GetUtcNow(), pending[^1].Time);
        Assert.Equal(10, journal.Pending(10).Count);
    }

    [Fact]
    public void Acknowledge_RemovesFromPending_ButKeepsNumbering()
    {
        using var dir = new TempDirectory();
        using var database = AgentDatabase.Open(dir.Path, _time).Database!;
        var journal = new EventJournal(database, _time, keepAcknowledged: 0);
        for (var i = 0; i < 5; i++)
        {
            journal.Append(Draft("received", 1));
        }

        journal.Acknowledge(3);

        Assert.Equal([4L, 5L], journal.Pending(100).Select(e => e.Seq));
        Assert.Equal(6, journal.Append(Draft("verifying", 1)).Seq);
    }

    [Fact]
    public void Journal_SurvivesReopen_WithPendingEventsAndCounterIntact()
    {
        using var dir = new TempDirectory();
        using (var database = AgentDatabase.Open(dir.Path, _time).Database!)
        {
            var journal = new EventJournal(database, _time, keepAcknowledged: 0);
            journal.Append(Draft("received", 1) with { Detail = "a" });
            journal.Append(Draft("applying", 1) with { Detail = "b" });
            journal.Append(Draft("committed", 1) with { Detail = "c" });
            journal.Acknowledge(3);
            journal.Append(Draft("rejected", 2) with { Stack = "web", Code = "replayed", Detail = "d" });
        }

        using (var reopened = AgentDatabase.Open(dir.Path, _time).Database!)
        {
            var journal = new EventJournal(reopened, _time);

            var pending = Assert.Single(journal.Pending(100));
            Assert.Equal(Draft("rejected", 2) with { Seq = 4, Time = _time.GetUtcNow(), Stack = "web", Code = "replayed", Detail = "d" }, pending);
            Assert.Equal(5, journal.Append(Draft("applying", null)).Seq);
        }
    }

    [Fact]
    public void Journal_StartedAfresh_AfterItsDatabaseWasLost_NumbersAboveEveryEventBefore()
    {
        using var dir = new TempDirectory();
        long last;
        using (var database = AgentDatabase.Open(dir.Path, _time).Database!)
        {
            var journal = new EventJournal(database, _time);
            for (var i = 0; i < 40; i++)
            {
                journal.Append(Draft("applying", 1));
            }

            last = journal.LastSeq;
        }

        File.Delete(Path.Combine(dir.Path, AgentDatabase.FileName));
        using var fresh = AgentDatabase.Open(dir.Path, _time).Database!;
        var next = new EventJournal(fresh, _time).Append(Draft("agent-started", null)).Seq;

        Assert.Equal(40, last);
        Assert.InRange(next, last + 1, last + 32);
    }

    [Fact]
    public void Journal_Reopened_NumbersOnWithoutAGap()
    {
        using var dir = new TempDirectory();
        using (var database = AgentDatabase.Open(dir.Path, _time).Database!)
        {
            new EventJournal(database, _time).Append(Draft("received", 1));
        }

        using var reopened = AgentDatabase.Open(dir.Path, _time).Database!;

        Assert.Equal(2, new EventJournal(reopened, _time).Append(Draft("applying", 1)).Seq);
    }

    private static DeviceEvent Draft(string kind, long? version) => new() { Seq = 0, Time = default, Kind = kind, Version = version };
}
