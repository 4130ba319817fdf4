using Fleet.Controller.Hosting;
using Fleet.Controller.Storage;

namespace Fleet.Controller.Tests;

/// <summary>A controller database in a directory of the test's own, removed afterwards; reopenable to test persistence.</summary>
internal sealed class TempDatabase : IDisposable
{
    public TempDatabase() => Database = Open();

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("fleet-controller-test-").FullName;

    public ControllerDatabase Database { get; private set; }

    public ControllerOptions Options => new() { DataDirectory = Directory };

    /// <summary>Closes the database and opens it again, as a controller restart does.</summary>
    public ControllerDatabase Reopen()
    {
        Database.Dispose();
        Database = Open();
        return Database;
    }

    public void Dispose()
    {
        Database.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private ControllerDatabase Open() =>
        ControllerDatabase.Open(Directory, out var problem) ?? throw new InvalidOperationException(problem);
}
