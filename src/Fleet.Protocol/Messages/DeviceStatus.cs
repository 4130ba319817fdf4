namespace Fleet.Protocol.Messages;

/// <summary>The full current state of a device, published retained on change and at a heartbeat.</summary>
public sealed record DeviceStatus
{
    public required string DeviceId { get; init; }

    public required string AgentVersion { get; init; }

    /// <summary>Grows with every status the device publishes, so a reader can drop stale ones.</summary>
    public required long Seq { get; init; }

    public required DateTimeOffset ReportedAt { get; init; }

    /// <summary>Highest desired version accepted; null before the first.</summary>
    public long? DesiredVersion { get; init; }

    /// <summary>Version of the last committed release; null before the first.</summary>
    public long? AppliedVersion { get; init; }

    /// <summary>One of <see cref="DeploymentPhases"/>.</summary>
    public required string Phase { get; init; }

    public ErrorDetail? LastError { get; init; }

    public IReadOnlyList<StackStatus> Stacks { get; init; } = [];

    public IReadOnlyList<UpdateLock> Locks { get; init; } = [];

    public DeviceFacts? Facts { get; init; }

    /// <summary>
    /// The highest event seq the device's journal had handed out when this status was built; null from
    /// agents that predate it. A reader that has not seen events up to it may ask for them again
    /// (<see cref="CommandKinds.ResendEvents"/>) once they stay missing.
    /// </summary>
    public long? LastEventSeq { get; init; }
}
