using Fleet.Reconcile.Planning;

namespace Fleet.Agent.Docker.Execute;

/// <summary>How one step ended; <see cref="Reason"/> says why when it did not succeed.</summary>
public sealed record StepOutcome(PlanStep Step, StepStatus Status, string? Reason)
{
    public override string ToString() => Reason is null ? $"{Step.Id}: {Status}" : $"{Step.Id}: {Status}: {Reason}";
}
