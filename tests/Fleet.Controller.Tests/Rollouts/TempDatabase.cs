using LiteDB;

namespace Fleet.Controller.Tests.Rollouts;

/// <summary>A LiteDB file of the test's own that can be closed and opened again, as a controller restart does.</summary>
public sealed class TempDatabase : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "fleet-rollouts-" + Guid.NewGuid().ToString("N"));

    public TempDatabase()
    {
        Directory.CreateDirectory(_directory);
        Database = Open();
    }

    public LiteDatabase Database { get; private set; }

    /// <summary>Closes the file and opens it again.</summary>
    public LiteDatabase Reopen()
    {
        Database.Dispose();
        Database = Open();
        return Database;
    }

    public void Dispose()
    {
        Database.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private LiteDatabase Open() => new(new ConnectionString { Filename = Path.Combine(_directory, "controller.db") });
}
