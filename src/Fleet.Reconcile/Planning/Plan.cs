using System.Collections.Immutable;

namespace Fleet.Reconcile.Planning;

/// <summary>The steps that take the engine from what it runs to the desired stack, and what cannot be planned.</summary>
public sealed record Plan(string Project, ImmutableArray<PlanStep> Steps, ImmutableArray<StepFailure> Problems)
{
    /// <summary>Nothing to change: applying this plan makes no call that changes the engine.</summary>
    public bool IsEmpty => Steps.IsEmpty;

    public PlanStep? Find(string id) => Steps.FirstOrDefault(s => s.Id == id);
}
