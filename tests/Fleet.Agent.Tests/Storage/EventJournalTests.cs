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

    [Fact]
    public void Requeue_MakesAcknowledgedEventsInTheRangePendingAgain_AndSaysTheOldestHeld()
    {
        using var dir = new TempDirectory();
        using var database = AgentDatabase.Open(dir.Path, _time).Database!;
        var journal = Appended(database, 12, keepAcknowledged: 5);

        journal.Acknowledge(journal.Pending(10));
        var resend = journal.Requeue(afterSeq: 6, throughSeq: 9);

        Assert.Equal([7L, 8L, 9L, 11L, 12L], journal.Pending(100).Select(e => e.Seq));
        Assert.Equal(new EventResendResult { AfterSeq = 6, ThroughSeq = 9, Requeued = 3, OldestHeld = 6 }, resend);
    }

    [Fact]
    public void Requeue_WithoutThroughSeq_TakesEverythingHeldAboveAfterSeq_AndPrunedEventsCannotCome()
    {
        using var dir = new TempDirectory();
        using var database = AgentDatabase.Open(dir.Path, _time).Database!;
        var journal = Appended(database, 10, keepAcknowledged: 3);

        journal.Acknowledge(journal.Pending(100));
        var resend = journal.Requeue(afterSeq: 2, throughSeq: null);

        Assert.Equal([8L, 9L, 10L], journal.Pending(100).Select(e => e.Seq));
        Assert.Equal((10L, 3, 8L), (resend.ThroughSeq, resend.Requeued, resend.OldestHeld));
    }

    [Fact]
    public void Acknowledge_OfASentBatch_LeavesAnEventRequeuedMeanwhilePending()
    {
        using var dir = new TempDirectory();
        using var database = AgentDatabase.Open(dir.Path, _time).Database!;
        var journal = Appended(database, 6);

        journal.Acknowledge(journal.Pending(3));
        var inFlight = journal.Pending(100);
        journal.Requeue(afterSeq: 1, throughSeq: 2);
        journal.Acknowledge(inFlight);

        Assert.Equal([2L], journal.Pending(100).Select(e => e.Seq));
    }

    private EventJournal Appended(AgentDatabase database, int count, int keepAcknowledged = 1000)
    {
        var journal = new EventJournal(database, _time, keepAcknowledged);
        for (var i = 0; i < count; i++)
        {
            journal.Append(Draft("applying", 1));
        }

        return journal;
    }

    private static DeviceEvent Draft(string kind, long? version) => new() { Seq = 0, Time = default, Kind = kind, Version = version };
}
