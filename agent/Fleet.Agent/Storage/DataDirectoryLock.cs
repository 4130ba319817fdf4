using System.Globalization;

namespace Fleet.Agent.Storage;

/// <summary>
/// The one-owner rule for a data directory. LiteDB in direct mode does not lock its file across
/// processes on Linux, and two writers corrupt it; so the process that opens the database first
/// takes an exclusive lock on <c>agent.lock</c> beside it (flock, released by the kernel when the
/// process dies, also on kill -9), and every other process asks that owner instead.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    public const string FileName = "agent.lock";

    /// <summary>The owner's pid, in a file of its own: .NET takes a shared flock on every open, so
    /// the locked file itself cannot be read by another process.</summary>
    public const string PidFileName = "agent.pid";

    private readonly FileStream _stream;

    private DataDirectoryLock(FileStream stream, string path)
    {
        _stream = stream;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Takes the lock, or says which process holds it.</summary>
    public static bool TryAcquire(string dataDirectory, out DataDirectoryLock? acquired, out string? refusal)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = System.IO.Path.Combine(dataDirectory, FileName);
        try
        {
            // FileShare.None is an exclusive flock on Unix: a second opener fails at once.
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            File.WriteAllText(System.IO.Path.Combine(dataDirectory, PidFileName), Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
            acquired = new DataDirectoryLock(stream, path);
            refusal = null;
            return true;
        }
        catch (IOException)
        {
            acquired = null;
            refusal = $"{dataDirectory} is in use by another fleet-agent (pid {ReadOwner(dataDirectory)}); ask it through its socket, or stop it first";
            return false;
        }
    }

    public void Dispose() => _stream.Dispose();

    private static string ReadOwner(string dataDirectory)
    {
        try
        {
            return File.ReadAllText(System.IO.Path.Combine(dataDirectory, PidFileName)).Trim() is { Length: > 0 } pid ? pid : "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
