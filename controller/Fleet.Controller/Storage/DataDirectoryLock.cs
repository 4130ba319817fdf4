using System.Globalization;

namespace Fleet.Controller.Storage;

/// <summary>
/// One controller per data directory. LiteDB in direct mode does not lock its file across processes
/// on Linux and two writers corrupt it, so the controller takes an exclusive flock on
/// <c>controller.lock</c> (released by the kernel when the process dies, also on kill -9) before it
/// opens the database. The agent has the same rule with its own lock (agent/Fleet.Agent/Storage).
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    public const string FileName = "controller.lock";

    /// <summary>The owner's pid, in a file of its own: the locked file cannot be read by another process.</summary>
    public const string PidFileName = "controller.pid";

    private readonly FileStream _stream;

    private DataDirectoryLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock, or says which process holds it.</summary>
    public static DataDirectoryLock? TryAcquire(string dataDirectory, out string? refusal)
    {
        var path = Path.Combine(dataDirectory, FileName);
        try
        {
            // FileShare.None is an exclusive flock on Unix: a second opener fails at once.
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            File.WriteAllText(Path.Combine(dataDirectory, PidFileName), Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
            refusal = null;
            return new DataDirectoryLock(stream);
        }
        catch (IOException)
        {
            refusal = $"{dataDirectory} is in use by another fleet-controller (pid {ReadOwner(dataDirectory)}); stop it first";
            return null;
        }
    }

    public void Dispose() => _stream.Dispose();

    private static string ReadOwner(string dataDirectory)
    {
        try
        {
            return File.ReadAllText(Path.Combine(dataDirectory, PidFileName)).Trim() is { Length: > 0 } pid ? pid : "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
