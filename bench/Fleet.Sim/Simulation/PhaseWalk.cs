using Fleet.Protocol.Messages;

namespace Fleet.Sim.Simulation;

/// <summary>
/// The phases a simulated device walks for an accepted desired state, in the agent's order:
/// received and verified at once (the intake is one synchronous step), then downloading, applying,
/// verifying, each after a delay, and committed; or, for a failing device, rolling-back and
/// rolled-back with the reason. Pure: the scheduler decides when each step runs.
/// </summary>
public static class PhaseWalk
{
    public const string FailureCode = "unhealthy";

    public static IReadOnlyList<PhaseStep> Accepted(DesiredState desired, bool fails)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var steps = new List<PhaseStep>
        {
            new(DeploymentPhases.Verified, [EventKinds.Received, EventKinds.Verified], Delayed: false),
            new(DeploymentPhases.Downloading, [EventKinds.Downloading], Delayed: true),
            new(DeploymentPhases.Applying, [EventKinds.Applying], Delayed: true),
            new(DeploymentPhases.Verifying, [EventKinds.Verifying], Delayed: true),
        };
        if (!fails)
        {
            steps.Add(new(DeploymentPhases.Committed, [EventKinds.Committed], Delayed: true));
            return steps;
        }

        var stack = desired.Stacks.Count > 0 ? desired.Stacks[0].Name : null;
        var error = new ErrorDetail
        {
            Code = FailureCode,
            Message = $"simulated failure: version {desired.Version} did not stay healthy for its health window (fleet-sim --fail-rate)",
            Stack = stack,
        };
        steps.Add(new(DeploymentPhases.RollingBack, [EventKinds.RollingBack], Delayed: true) { Error = error });
        steps.Add(new(DeploymentPhases.RolledBack, [EventKinds.RolledBack], Delayed: true) { Error = error });
        return steps;
    }

    /// <summary>A refused desired state: received, then rejected with the verifier's code, in one step.</summary>
    public static IReadOnlyList<PhaseStep> Rejected(string code, string message) =>
    [
        new(DeploymentPhases.Rejected, [EventKinds.Received, EventKinds.Rejected], Delayed: false)
        {
            Error = new ErrorDetail { Code = code, Message = message },
        },
    ];
}
