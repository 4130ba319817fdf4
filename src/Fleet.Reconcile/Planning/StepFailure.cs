namespace Fleet.Reconcile.Planning;

/// <summary>Why a step could not be planned or done: the service, the step and the reason, as one line.</summary>
public sealed record StepFailure(string? Service, string StepId, string Reason)
{
    public override string ToString() => Service is null ? $"{StepId}: {Reason}" : $"{Service}: {Reason} ({StepId})";
}
