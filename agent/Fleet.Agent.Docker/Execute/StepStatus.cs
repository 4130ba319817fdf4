namespace Fleet.Agent.Docker.Execute;

public enum StepStatus
{
    Succeeded,
    Failed,

    /// <summary>Not run because a step it depends on did not succeed.</summary>
    Skipped,
}
