using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Bundles;

/// <summary>
/// Imports bundles dropped into a directory (a mounted USB stick, say): every <c>*.bundle</c> file whose
/// size and modification time held still over two scans (so one still being copied is not taken as
/// truncated) is imported once, then renamed <c>NAME.bundle.imported</c> or <c>NAME.bundle.refused</c> so
/// the technician sees the outcome on the stick. On read-only media, where the rename fails, the agent
/// remembers the file instead. A refusal because the engine did not answer leaves the file to retry.
/// Polls rather than watches: inotify does not see files on a stick mounted after the watch began.
/// </summary>
public sealed partial class BundleDirectoryWatcher(
    string directory,
    Func<string, CancellationToken, Task<BundleImportResult>> import,
    TimeSpan period,
    TimeProvider timeProvider,
    ILogger<BundleDirectoryWatcher> logger)
{
    public const string Pattern = "*.bundle";
    public const string ImportedSuffix = ".imported";
    public const string RefusedSuffix = ".refused";

    private readonly Dictionary<string, (long Length, DateTime Modified)> _lastSeen = new(StringComparer.Ordinal);
    private readonly HashSet<(string Path, long Length, DateTime Modified)> _done = [];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        LogWatching(directory);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ScanAsync(cancellationToken);
                await Task.Delay(period, timeProvider, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A stick pulled out mid-scan: the next scan starts over.
                LogScanFailed(directory, ex.Message);
            }
        }
    }

    /// <summary>One scan: imports what held still since the last one.</summary>
    public async Task ScanAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory))
        {
            _lastSeen.Clear();
            return;
        }

        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(directory, Pattern, SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(path);
            if (info.Name.StartsWith('.'))
            {
                continue;
            }

            present.Add(path);
            var now = (info.Length, info.LastWriteTimeUtc);
            var stable = _lastSeen.TryGetValue(path, out var before) && before == now;
            _lastSeen[path] = now;
            if (!stable || _done.Contains((path, now.Length, now.LastWriteTimeUtc)))
            {
                continue;
            }

            var result = await import(path, cancellationToken);
            if (result.IsRetryable)
            {
                continue;
            }

            _done.Add((path, now.Length, now.LastWriteTimeUtc));
            MarkAside(path, result.Outcome == BundleImportOutcome.Rejected ? RefusedSuffix : ImportedSuffix);
        }

        foreach (var gone in _lastSeen.Keys.Where(p => !present.Contains(p)).ToList())
        {
            _lastSeen.Remove(gone);
        }
    }

    private void MarkAside(string path, string suffix)
    {
        try
        {
            File.Move(path, path + suffix, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogCannotMark(path, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Watching {Directory} for bundles (*.bundle)")]
    private partial void LogWatching(string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scanning {Directory} for bundles failed: {Reason}")]
    private partial void LogScanFailed(string directory, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot rename {Path} after importing it ({Reason}); it is remembered as done until the agent restarts")]
    private partial void LogCannotMark(string path, string reason);
}
