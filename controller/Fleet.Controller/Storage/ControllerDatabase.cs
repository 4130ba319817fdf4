using LiteDB;

namespace Fleet.Controller.Storage;

/// <summary>
/// The controller's one LiteDB file, <c>DIR/controller.db</c>, opened only under the data directory's
/// lock. Every store (devices, events, tokens, stacks, keys, assignments, retained messages) is a
/// collection of <see cref="BsonDocument"/>s in it; records go in as JSON from the source-generated
/// contexts, so the stored shape is the wire shape.
/// </summary>
public sealed class ControllerDatabase : IDisposable
{
    public const string FileName = "controller.db";

    private readonly DataDirectoryLock _lock;

    private ControllerDatabase(DataDirectoryLock directoryLock, LiteDatabase database, string directory)
    {
        _lock = directoryLock;
        Database = database;
        Directory = directory;
    }

    public LiteDatabase Database { get; }

    public string Directory { get; }

    /// <summary>Takes the lock and opens the file, or says in one line why not.</summary>
    public static ControllerDatabase? Open(string dataDirectory, out string? problem)
    {
        try
        {
            var directory = System.IO.Directory.CreateDirectory(dataDirectory);
            // It holds the signing key and the device secrets' hashes.
            directory.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"DataDirectory: cannot use {dataDirectory}: {ex.Message}";
            return null;
        }

        var directoryLock = DataDirectoryLock.TryAcquire(dataDirectory, out problem);
        if (directoryLock is null)
        {
            return null;
        }

        try
        {
            var database = new LiteDatabase(new ConnectionString
            {
                Filename = Path.Combine(dataDirectory, FileName),
                Connection = ConnectionType.Direct,
            });
            return new ControllerDatabase(directoryLock, database, dataDirectory);
        }
        catch (Exception ex) when (ex is LiteException or IOException or UnauthorizedAccessException)
        {
            directoryLock.Dispose();
            problem = $"cannot open {Path.Combine(dataDirectory, FileName)}: {ex.Message}";
            return null;
        }
    }

    public ILiteCollection<BsonDocument> Collection(string name) => Database.GetCollection(name);

    public void Dispose()
    {
        Database.Dispose();
        _lock.Dispose();
    }
}
