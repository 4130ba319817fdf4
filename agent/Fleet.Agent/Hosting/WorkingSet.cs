using System.Globalization;
using System.Runtime.InteropServices;
using Fleet.Agent.Updates;
using Fleet.Protocol.Messages;

namespace Fleet.Agent.Hosting;

/// <summary>
/// Gives back, once an update has ended, the memory that start-up and the update touched but an idle
/// agent does not use: the garbage collector's free space, and the pages of the agent's binary and
/// libraries (file pages: the kernel drops them from this process and reads them back from the page
/// cache when code needs them again). Content never changes: <c>MADV_PAGEOUT</c> only reclaims, and
/// only read-only file mappings are given to it.
/// </summary>
public sealed class WorkingSet
{
    private const int MadvPageout = 21;

    private readonly TimeSpan _interval;
    private (string Phase, long? Version)? _trimmedAt;
    private DateTimeOffset _trimmedTime;

    /// <param name="interval">While idle, how often to trim again: the periodic reconcile and the heartbeat touch code the last trim gave back.</param>
    public WorkingSet(TimeSpan interval) => _interval = interval;

    /// <summary>
    /// Trims once an update has ended (committed, rolled back, failed, or idle with nothing to do), and
    /// again every interval while it stays so; never during an update. True when it trimmed.
    /// </summary>
    public bool TrimAfter(DeviceState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Phase is not (DeploymentPhases.Committed or DeploymentPhases.RolledBack or DeploymentPhases.Failed or DeploymentPhases.Idle))
        {
            return false;
        }

        var key = (state.Phase, state.PhaseVersion);
        if (_trimmedAt == key && now - _trimmedTime < _interval)
        {
            return false;
        }

        _trimmedAt = key;
        _trimmedTime = now;
        Trim();
        return true;
    }

    /// <summary>Collects and compacts the heap, returning its free space, then pages out the read-only file mappings.</summary>
    public static void Trim()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        foreach (var (start, length) in ReadOnlyFileMappings(File.ReadLines("/proc/self/maps")))
        {
            // A kernel without MADV_PAGEOUT (before 5.4) answers EINVAL: nothing happens, which is fine.
            _ = Madvise((nint)start, (nuint)length, MadvPageout);
        }
    }

    /// <summary>The mappings of <c>/proc/self/maps</c> lines that are backed by a file and not writable.</summary>
    public static IEnumerable<(long Start, long Length)> ReadOnlyFileMappings(IEnumerable<string> maps)
    {
        ArgumentNullException.ThrowIfNull(maps);
        foreach (var line in maps)
        {
            // 7f1c2a000000-7f1c2a200000 r-xp 00000000 08:01 1234567   /usr/local/bin/fleet-agent
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || fields[1].Length < 2 || fields[1][1] == 'w' || fields[4] == "0" || !fields[5].StartsWith('/'))
            {
                continue;
            }

            var range = fields[0].Split('-');
            if (range.Length == 2
                && long.TryParse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var start)
                && long.TryParse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var end)
                && end > start)
            {
                yield return (start, end - start);
            }
        }
    }

    [DllImport("libc", EntryPoint = "madvise")]
    private static extern int Madvise(nint address, nuint length, int advice);
}
