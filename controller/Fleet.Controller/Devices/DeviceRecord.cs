using Fleet.Controller.Rollouts;
using Fleet.Protocol.Messages;

namespace Fleet.Controller.Devices;

/// <summary>One device as the registry holds it in memory; mutated only under the registry's lock.</summary>
internal sealed class DeviceRecord
{
    private DeviceView? _view;

    public required string Id { get; init; }

    /// <summary>
    /// Never changed in place: a change assigns a new dictionary, so <see cref="View"/> hands this one out
    /// without a copy (the rollout rounds take every device's view several times a second).
    /// </summary>
    public required Dictionary<string, string> Labels
    {
        get;
        set
        {
            field = value;
            _view = null;
        }
    }

    public required DateTimeOffset EnrolledAt { get; init; }

    public required string SecretHash { get; set; }

    public bool Online
    {
        get;
        set
        {
            field = value;
            _view = null;
        }
    }

    public DateTimeOffset? LastSeen
    {
        get;
        set
        {
            field = value;
            _view = null;
        }
    }

    public KeptStatus? Status
    {
        get;
        set
        {
            field = value;
            _view = null;
        }
    }

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

    /// <summary>When the changes not yet written are due to be written; null when the store has all of it.</summary>
    public DateTimeOffset? DueAt { get; set; }

    /// <summary>
    /// Kept until one of what it shows changes: the rollout rounds take the view of each device of a rollout
    /// several times a second, far more often than a device changes.
    /// </summary>
    public DeviceView View() => _view ??= new(
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
