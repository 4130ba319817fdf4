using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Fleet.Controller.Broker;

/// <summary>
/// Puts enrolled devices' credentials into an external mosquitto's <c>password_file</c>
/// (<c>ExternalBrokerPasswordFile</c>) and makes mosquitto reread it (<c>ExternalBrokerReload</c>: its
/// pid file, signalled with SIGHUP, what <c>systemctl reload mosquitto</c> does). The file is replaced
/// whole (temporary file beside it, then rename, with the old file's mode), so mosquitto never reads
/// half of it. Each read-modify-write holds an exclusive <c>flock</c> on <see cref="LockPath"/>, so
/// controller instances sharing the file (and operators running <c>flock FILE.lock mosquitto_passwd ...</c>)
/// never lose each other's lines.
/// </summary>
public sealed class MosquittoPasswordFile(string path, string? reloadPidFile, TimeProvider timeProvider, TimeSpan? lockTimeout = null)
{
    private const int SigHup = 1;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int WouldBlock = 11; // EAGAIN = EWOULDBLOCK on Linux
    private const UnixFileMode NewFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
    private const UnixFileMode LockFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
    private static readonly TimeSpan DefaultLockTimeout = TimeSpan.FromSeconds(10);

    public string Path => path;

    /// <summary>The file every writer locks around its read-modify-write: <c>&lt;password file&gt;.lock</c>.</summary>
    public string LockPath => path + ".lock";

    /// <summary>Adds or replaces the device's line with a hash of <paramref name="secret"/>, then reloads mosquitto.</summary>
    /// <exception cref="IOException">The file could not be written or mosquitto not be signalled; the message names the setting.</exception>
    public Task SetDeviceAsync(string deviceId, string secret, CancellationToken cancellationToken) =>
        UpdateAsync(deviceId, $"{deviceId}:{MosquittoPasswordHash.Create(secret)}", cancellationToken);

    /// <summary>Removes the device's line (if any), then reloads mosquitto: its next connect is refused.</summary>
    /// <exception cref="IOException">The file could not be written or mosquitto not be signalled; the message names the setting.</exception>
    public Task RemoveDeviceAsync(string deviceId, CancellationToken cancellationToken) => UpdateAsync(deviceId, replacement: null, cancellationToken);

    private async Task UpdateAsync(string deviceId, string? replacement, CancellationToken cancellationToken)
    {
        // The flock serializes writers in this process too: each takes it on its own open file description.
        try
        {
            using (await AcquireFileLockAsync(cancellationToken))
            {
                Rewrite(deviceId, replacement);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"ExternalBrokerPasswordFile: cannot write {path}: {ex.Message}", ex);
        }

        Reload();
    }

    /// <summary>
    /// Waits (bounded) for the exclusive flock on <see cref="LockPath"/>; disposing the stream releases it.
    /// .NET opens a <see cref="FileShare.None"/> stream with <c>flock(LOCK_EX|LOCK_NB)</c> on Unix and fails with
    /// EWOULDBLOCK while another holds it, so this polls. The explicit flock after the open keeps the lock when
    /// .NET's own locking is switched off (<c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c>); on an fd that holds it, it is a no-op.
    /// </summary>
    private async Task<FileStream> AcquireFileLockAsync(CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        var timeout = lockTimeout ?? DefaultLockTimeout;
        while (true)
        {
            var stream = TryLock();
            if (stream is not null)
            {
                return stream;
            }

            if (timeProvider.GetElapsedTime(started) > timeout)
            {
                throw new IOException($"{LockPath} is locked by another writer for over {timeout.TotalSeconds:0.#} s");
            }

            // A rewrite takes milliseconds; a short random pause keeps two waiting writers from retrying in step.
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(2, 20)), timeProvider, cancellationToken);
        }
    }

    private FileStream? TryLock()
    {
        FileStream stream;
        try
        {
            stream = new FileStream(LockPath, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None, UnixCreateMode = LockFileMode });
        }
        catch (IOException ex) when (ex.HResult == WouldBlock)
        {
            return null;
        }

        if (Flock(stream.SafeFileHandle, LockExclusive | LockNonBlocking) == 0)
        {
            return stream;
        }

        var errno = Marshal.GetLastPInvokeError();
        stream.Dispose();
        return errno == WouldBlock ? null : throw new IOException($"cannot lock {LockPath}: errno {errno}");
    }

    private void Rewrite(string deviceId, string? replacement)
    {
        var exists = File.Exists(path);
        var lines = exists ? File.ReadAllLines(path).ToList() : [];
        lines.RemoveAll(line => line.StartsWith(deviceId + ":", StringComparison.Ordinal));
        if (replacement is not null)
        {
            lines.Add(replacement);
        }

        var mode = exists ? File.GetUnixFileMode(path) : NewFileMode;
        var temporary = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!, $".{System.IO.Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode }))
            {
                var text = Encoding.UTF8.GetBytes(lines.Count == 0 ? "" : string.Join('\n', lines) + "\n");
                stream.Write(text);
                stream.Flush(flushToDisk: true);
            }

            // The create mode is masked by the umask; the old file's mode is what mosquitto's group needs.
            File.SetUnixFileMode(temporary, mode);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private void Reload()
    {
        if (reloadPidFile is null)
        {
            return;
        }

        string text;
        try
        {
            text = File.ReadAllText(reloadPidFile).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"ExternalBrokerReload: cannot read mosquitto's pid file {reloadPidFile}: {ex.Message}", ex);
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid < 2)
        {
            throw new IOException($"ExternalBrokerReload: {reloadPidFile} holds '{text}', not a process id");
        }

        if (Kill(pid, SigHup) != 0)
        {
            throw new IOException($"ExternalBrokerReload: cannot signal mosquitto (pid {pid} from {reloadPidFile}): errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [DllImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static extern int Flock(Microsoft.Win32.SafeHandles.SafeFileHandle fd, int operation);
}
