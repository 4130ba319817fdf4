using Fleet.Controller.Rollouts;
using Fleet.Protocol.Messages;

namespace Fleet.Controller.Devices;

/// <summary>One device as the registry holds it in memory; mutated only under the registry's lock.</summary>
internal sealed class DeviceRecord
{
    public required string Id { get; init; }

    /// <summary>
    /// Never changed in place: a change assigns a new dictionary, so <see cref="View"/> hands this one out
    /// without a copy (the rollout rounds take every device's view several times a second).
    /// </summary>
    public required Dictionary<string, string> Labels { get; set; }

    public required DateTimeOffset EnrolledAt { get; init; }

    public required string SecretHash { get; set; }

    public bool Online { get; set; }

    public DateTimeOffset? LastSeen { get; set; }

    public DeviceStatus? Status { get; set; }

    public long? LastEventSeq { get; set; }

    /// <summary>Seqs below <see cref="LastEventSeq"/> never received and still hoped for; stored with the device.</summary>
    public IReadOnlyList<EventGap> EventHoles { get; set; } = [];

    /// <summary>Since when events are missing (a hole, or the status's last seq above ours); memory only.</summary>
    public DateTimeOffset? GapSince { get; set; }

    /// <summary>When the device last published a status or events (live traffic, unlike presence); memory only.</summary>
    public DateTimeOffset? HeardAt { get; set; }

    /// <summary>When the device was last asked to send missing events again; memory only.</summary>
    public DateTimeOffset? ResendAskedAt { get; set; }

    /// <summary>Events taken in (deduplicated) and not yet written to the store.</summary>
    public List<DeviceEvent> PendingEvents { get; } = [];

    public bool Dirty { get; set; }

    public DeviceView View() => new(
        Id,
        Labels,
        Online,
        EnrolledAt,
        LastSeen,
        Status?.Phase,
        Status?.DesiredVersion,
        Status?.AppliedVersion,
        Status?.LastError);
}
