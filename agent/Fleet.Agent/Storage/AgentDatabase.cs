using System.Globalization;
using LiteDB;

namespace Fleet.Agent.Storage;

/// <summary>
/// The agent's LiteDB file, owned by exactly one process (see <see cref="DataDirectoryLock"/>).
/// Only <see cref="BsonDocument"/> is stored: LiteDB's reflection mapper does not survive NativeAOT
/// trimming, plain documents do, and every stored shape is written and read in this folder.
/// A file that LiteDB cannot read is set aside (kept for a post-mortem), never deleted, and a fresh
/// one is started: the device keeps running its containers and gets its desired state back from
/// the broker's retained message.
/// </summary>
public sealed class AgentDatabase : IDisposable
{
    public const string FileName = "agent.db";

    private readonly DataDirectoryLock _lock;

    private AgentDatabase(DataDirectoryLock directoryLock, LiteDatabase database, string path, string? setAside)
    {
        _lock = directoryLock;
        Database = database;
        Path = path;
        SetAsidePath = setAside;
    }

    public string Path { get; }

    /// <summary>Where an unreadable database was moved on open, or null.</summary>
    public string? SetAsidePath { get; }

    internal LiteDatabase Database { get; }

    /// <summary>Opens (or creates) the database in <paramref name="dataDirectory"/>, taking the directory lock.</summary>
    public static AgentDatabaseOpenResult Open(string dataDirectory, TimeProvider timeProvider)
    {
        if (!DataDirectoryLock.TryAcquire(dataDirectory, out var directoryLock, out var refusal))
        {
            return new AgentDatabaseOpenResult(null, refusal);
        }

        var path = System.IO.Path.Combine(dataDirectory, FileName);
        string? setAside = null;
        var database = TryOpen(path);
        if (database is null)
        {
            setAside = $"{path}.corrupt-{timeProvider.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";
            File.Move(path, setAside, overwrite: true);
            var log = path + "-log";
            if (File.Exists(log))
            {
                File.Move(log, setAside + "-log", overwrite: true);
            }

            database = TryOpen(path)
                ?? throw new InvalidOperationException($"a fresh database at {path} cannot be opened");
        }

        return new AgentDatabaseOpenResult(new AgentDatabase(directoryLock!, database, path, setAside), null);
    }

    public void Dispose()
    {
        Database.Dispose();
        _lock.Dispose();
    }

    private static LiteDatabase? TryOpen(string path)
    {
        LiteDatabase? database = null;
        try
        {
            database = new LiteDatabase(new ConnectionString
            {
                Filename = path,
                Connection = ConnectionType.Direct,
            });

            // Touch every collection once: a damaged page shows up here, not in the middle of an update.
            foreach (var name in database.GetCollectionNames().ToList())
            {
                _ = database.GetCollection(name).Count();
            }

            return database;
        }
        catch (Exception ex) when (ex is LiteException or InvalidCastException or InvalidOperationException
                                   or IndexOutOfRangeException or ArgumentException or IOException or OverflowException)
        {
            database?.Dispose();
            return null;
        }
    }
}
