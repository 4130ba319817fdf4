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

    /// <summary>The newest version whose every stack converged.</summary>
    public long? AppliedVersion { get; init; }

    public ErrorDetail? LastError { get; init; }

    public IReadOnlyList<StackStatus> Stacks { get; init; } = [];

    public string? EngineVersion { get; init; }
}
