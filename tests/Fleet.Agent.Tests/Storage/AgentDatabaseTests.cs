using Fleet.Agent.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Agent.Tests.Storage;

public sealed class AgentDatabaseTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Open_WhenAnotherOwnerHoldsTheDirectory_RefusesAndNamesTheOwner()
    {
        using var dir = new TempDirectory();
        using var first = AgentDatabase.Open(dir.Path, _time).Database;
        Assert.NotNull(first);

        var second = AgentDatabase.Open(dir.Path, _time);

        Assert.Null(second.Database);
        Assert.Contains($"pid {Environment.ProcessId}", second.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_AfterOwnerDisposed_Succeeds()
    {
        using var dir = new TempDirectory();
        AgentDatabase.Open(dir.Path, _time).Database!.Dispose();

        using var again = AgentDatabase.Open(dir.Path, _time).Database;

        Assert.NotNull(again);
    }

    [Fact]
    public void Open_WhenFileIsCorrupt_SetsItAsideAndStartsFresh()
    {
        using var dir = new TempDirectory();
        var garbage = new byte[64 * 1024];
        new Random(42).NextBytes(garbage);
        File.WriteAllBytes(Path.Combine(dir.Path, AgentDatabase.FileName), garbage);

        using var database = AgentDatabase.Open(dir.Path, _time).Database;

        Assert.NotNull(database);
        Assert.NotNull(database.SetAsidePath);
        Assert.Equal(garbage, File.ReadAllBytes(database.SetAsidePath));
        var journal = new EventJournal(database, _time);
        Assert.Equal(1, journal.Append(new Fleet.Protocol.Messages.DeviceEvent { Seq = 0, Time = default, Kind = "received" }).Seq);
    }

    [Fact]
    public void HighWaterMark_NeverGoesDown_AndSurvivesWithoutTheDatabase()
    {
        using var dir = new TempDirectory();
        Assert.Equal(HighWaterMark.None, HighWaterMark.Read(dir.Path));

        HighWaterMark.Raise(dir.Path, 7, "sha256:77");
        HighWaterMark.Raise(dir.Path, 3, "sha256:33");

        Assert.Equal(new HighWaterMark(7, "sha256:77"), HighWaterMark.Read(dir.Path));
        Assert.False(File.Exists(Path.Combine(dir.Path, AgentDatabase.FileName)), "the mark lives outside the database");
    }
}
