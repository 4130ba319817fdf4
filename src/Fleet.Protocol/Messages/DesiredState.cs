namespace Fleet.Protocol.Messages;

/// <summary>
/// What a device (or, for bundles, every device a selector matches) should run. Travels only
/// inside a signed envelope. Exactly one of <see cref="DeviceId"/> and <see cref="Selector"/> is set.
/// </summary>
public sealed record DesiredState
{
    public string? DeviceId { get; init; }

    /// <summary>A label selector (see <c>Selectors.LabelSelector</c>), used by bundles instead of a device id.</summary>
    public string? Selector { get; init; }

    /// <summary>Grows only, across the whole fleet; devices refuse anything not above what they accepted.</summary>
    public required long Version { get; init; }

    public required DateTimeOffset IssuedAt { get; init; }

    /// <summary>Last moment a device may accept this state; never a reason to stop running it.</summary>
    public DateTimeOffset? AcceptUntil { get; init; }

    /// <summary>Applied one after another in this order.</summary>
    public IReadOnlyList<StackSpec> Stacks { get; init; } = [];

    /// <summary>Stacks whose named volumes are deleted too when they are taken down for no longer being desired.</summary>
    public IReadOnlyList<string> PurgeVolumes { get; init; } = [];

    public RolloutRef? Rollout { get; init; }
}
