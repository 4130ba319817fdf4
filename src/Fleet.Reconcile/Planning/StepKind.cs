namespace Fleet.Reconcile.Planning;

public enum StepKind
{
    CreateNetwork,
    CreateVolume,
    Pull,
    Create,
    Start,
    Stop,
    Remove,
    Rename,

    /// <summary>Waits until every container of the service reports healthy (<c>service_healthy</c>).</summary>
    WaitHealthy,

    /// <summary>Waits until every container of the service exited 0 (<c>service_completed_successfully</c>).</summary>
    WaitCompleted,
}
