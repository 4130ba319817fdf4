using System.Runtime.InteropServices;
using Fleet.Agent.Storage;
using Fleet.Agent.Updates;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Topics;

namespace Fleet.Agent.Mqtt;

/// <summary>
/// Publishes the retained status: the device's full current state, when it changed and at every
/// heartbeat, so the controller (and anyone subscribed) always reads the latest whole picture.
/// </summary>
public sealed class StatusReporter(
    string deviceId,
    string dataDirectory,
    DesiredStateStore store,
    PersistentCounter sequence,
    TimeProvider timeProvider,
    TimeSpan heartbeat)
{
    private static readonly string AgentVersion = typeof(StatusReporter).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
        .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "unknown";

    private readonly string _topic = DeviceTopics.Status(deviceId);
    private DeviceStatus? _lastPublished;

    /// <summary>The journal's highest seq, sent as <see cref="DeviceStatus.LastEventSeq"/> so the controller sees events it never got.</summary>
    public Func<long>? LastEventSeq { get; init; }
    private DateTimeOffset _lastPublishedAt;

    /// <summary>Makes the next report publish whatever changed, e.g. after a reconnect to a broker that lost its retained messages.</summary>
    public void ForceNext() => Volatile.Write(ref _lastPublished, null);

    /// <summary>Publishes when something changed since the last report, or the heartbeat is due.</summary>
    public async Task<bool> ReportAsync(BrokerSession session, DeviceState state, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var status = Build(state, now);
        if (Volatile.Read(ref _lastPublished) is { } last && SameContent(last, status) && now - _lastPublishedAt < heartbeat)
        {
            return false;
        }

        status = status with { Seq = sequence.Next() };
        var published = await session.PublishAsync(_topic, ProtocolJson.Serialize(status, ProtocolJsonContext.Default.DeviceStatus), retain: true, cancellationToken);
        if (published)
        {
            _lastPublished = status;
            _lastPublishedAt = now;
        }

        return published;
    }

    public DeviceStatus Build(DeviceState state, DateTimeOffset now) => new()
    {
        DeviceId = deviceId,
        AgentVersion = AgentVersion,
        Seq = 0,
        ReportedAt = now,
        DesiredVersion = store.Current?.Version,
        AppliedVersion = state.AppliedVersion,
        Phase = store.Current is { } desired && desired.Version > (state.PhaseVersion ?? 0) ? DeploymentPhases.Stored : state.Phase,
        LastError = state.LastError,
        Stacks = state.Stacks,
        Locks = state.Locks,
        Facts = Facts(state.EngineVersion),
        LastEventSeq = LastEventSeq?.Invoke(),
    };

    private DeviceFacts Facts(string? engineVersion) => new()
    {
        Os = RuntimeInformation.OSDescription,
        Arch = RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
        Kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : null,
        EngineVersion = engineVersion,
        Cpus = Environment.ProcessorCount,
        MemoryBytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        DiskFreeBytes = new DriveInfo(Path.GetFullPath(dataDirectory)).AvailableFreeSpace,
    };

    // Free disk changes all the time, and the journal's last seq with every event (which go out on their own
    // topic): neither alone is a reason to report before the heartbeat.
    private static bool SameContent(DeviceStatus a, DeviceStatus b) =>
        Comparable(a).AsSpan().SequenceEqual(Comparable(b));

    private static byte[] Comparable(DeviceStatus status) =>
        ProtocolJson.Serialize(status with { Seq = 0, ReportedAt = default, Facts = null, LastEventSeq = null }, ProtocolJsonContext.Default.DeviceStatus);
}
