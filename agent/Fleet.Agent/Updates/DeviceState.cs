using Fleet.Protocol.Messages;

namespace Fleet.Agent.Updates;

/// <summary>
/// What the agent knows of its own progress, shared between the reconcile loop (which changes it)
/// and the status reporter (which publishes it). Replaced whole, never mutated in place.
/// </summary>
public sealed record DeviceState
{
    public static DeviceState Initial { get; } = new();

    public string Phase { get; init; } = DeploymentPhases.Idle;

    /// <summary>
    /// The desired-state version <see cref="Phase"/> belongs to. A newer desired state is stored before its
    /// update starts; until then the status says <c>stored</c>, not the previous update's final phase, so the
    /// controller never counts an old rolled-back against a new version.
    /// </summary>
    public long? PhaseVersion { get; init; }

    /// <summary>The newest version whose every stack converged.</summary>
    public long? AppliedVersion { get; init; }

    public ErrorDetail? LastError { get; init; }

    public IReadOnlyList<StackStatus> Stacks { get; init; } = [];

    public string? EngineVersion { get; init; }

    /// <summary>The update locks services hold now (lease not over).</summary>
    public IReadOnlyList<UpdateLock> Locks { get; init; } = [];
}
