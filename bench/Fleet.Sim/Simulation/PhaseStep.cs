using Fleet.Protocol.Messages;

namespace Fleet.Sim.Simulation;

/// <summary>
/// One step of a simulated update: the phase the status reports afterwards and the events the step
/// journals (published together as one batch, as the agent's forwarder does after its intake).
/// </summary>
public sealed record PhaseStep(string Phase, IReadOnlyList<string> EventKinds, bool Delayed)
{
    /// <summary>The error the status carries from this step on; null keeps none.</summary>
    public ErrorDetail? Error { get; init; }

    /// <summary>True when the step commits the desired version (it becomes the applied version).</summary>
    public bool Commits => Phase == DeploymentPhases.Committed;

    public bool IsFinal => DeploymentPhases.IsFinal(Phase);
}
