using System.Collections.Immutable;
using Fleet.Reconcile.Planning;

namespace Fleet.Agent.Docker.Execute;

/// <summary>
/// What an apply came to: the plan it ran, how each step ended, the failures (service, step, reason),
/// and the image ID each service runs now.
/// </summary>
public sealed record ApplyResult(
    Plan Plan,
    ImmutableArray<StepOutcome> Outcomes,
    ImmutableArray<StepFailure> Failures,
    ImmutableDictionary<string, string> ImageIds)
{
    /// <summary>Every step succeeded: the engine runs the desired stack.</summary>
    public bool Converged => Failures.IsEmpty;

    /// <summary>The one line a person reads first: the first failure, or that the stack converged.</summary>
    public string Summary => Failures.IsEmpty
        ? Plan.IsEmpty ? $"{Plan.Project}: up to date" : $"{Plan.Project}: converged ({Plan.Steps.Length} steps)"
        : Failures[0].ToString();
}
