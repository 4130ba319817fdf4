using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;

namespace Fleet.Controller.Devices;

/// <summary>
/// What the registry keeps of a device's last status: the status as the device sent it (stored and shown
/// as is) and the few fields that ingest, rollouts and summaries read. Not the parsed status: its graph of
/// a dozen objects per device would outlive gen 0 with every status a rollout brings and die in gen 2,
/// where 10,000 devices times ten statuses a rollout is a collection's worth of garbage.
/// </summary>
internal sealed class KeptStatus
{
    private KeptStatus(byte[] json, DeviceStatus status, IReadOnlyList<StackRef> stacks)
    {
        Json = json;
        Seq = status.Seq;
        ReportedAt = status.ReportedAt;
        // The known phases as the shared constants, not as one more string per status.
        Phase = DeploymentPhases.All.FirstOrDefault(p => p == status.Phase) ?? status.Phase;
        DesiredVersion = status.DesiredVersion;
        AppliedVersion = status.AppliedVersion;
        LastEventSeq = status.LastEventSeq;
        LastError = status.LastError;
        Stacks = stacks;
    }

    /// <summary>The status's JSON, as received.</summary>
    public byte[] Json { get; }

    public long Seq { get; }

    public DateTimeOffset ReportedAt { get; }

    public string? Phase { get; }

    public long? DesiredVersion { get; }

    public long? AppliedVersion { get; }

    public long? LastEventSeq { get; }

    public ErrorDetail? LastError { get; }

    public IReadOnlyList<StackRef> Stacks { get; }

    /// <summary>
    /// Keeps <paramref name="status"/>, parsed from <paramref name="json"/>; the stack list of
    /// <paramref name="previous"/> is kept when it is the same (it changes only when an update commits).
    /// </summary>
    public static KeptStatus From(DeviceStatus status, byte[] json, KeptStatus? previous)
    {
        ArgumentNullException.ThrowIfNull(status);
        // A status without "stacks" parses to null whatever the property's initializer says.
        var reported = status.Stacks ?? [];
        var stacks = previous is not null && SameStacks(previous.Stacks, reported)
            ? previous.Stacks
            : reported.Select(s => new StackRef { Name = s.Name, Digest = s.Digest ?? "" }).ToArray();
        return new KeptStatus(json, status, stacks);
    }

    /// <summary>
    /// True when this status tells what <paramref name="other"/> told of everything but that the device is alive
    /// (seq, time, facts): a heartbeat, or the same status sent again.
    /// </summary>
    public bool SaysTheSameAs(KeptStatus other) =>
        ReferenceEquals(Stacks, other.Stacks) && Phase == other.Phase && DesiredVersion == other.DesiredVersion
        && AppliedVersion == other.AppliedVersion && LastEventSeq == other.LastEventSeq && Equals(LastError, other.LastError);

    /// <summary>Kept JSON written by this class (the store); null when it no longer parses.</summary>
    public static KeptStatus? Load(byte[] json)
    {
        var status = ProtocolJson.Parse(json, ProtocolJsonContext.Default.DeviceStatus).Value;
        return status is null ? null : From(status, json, previous: null);
    }

    /// <summary>The full status, parsed again (for a device's detail).</summary>
    public DeviceStatus? Parse() => ProtocolJson.Parse(Json, ProtocolJsonContext.Default.DeviceStatus).Value;

    private static bool SameStacks(IReadOnlyList<StackRef> kept, IReadOnlyList<StackStatus> reported)
    {
        if (kept.Count != reported.Count)
        {
            return false;
        }

        for (var i = 0; i < kept.Count; i++)
        {
            if (kept[i].Name != reported[i].Name || kept[i].Digest != (reported[i].Digest ?? ""))
            {
                return false;
            }
        }

        return true;
    }
}
