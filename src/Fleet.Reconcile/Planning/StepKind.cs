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

    /// <summary>
    /// Waits until a start-first replacement is ready before its old container is stopped: healthy when it
    /// has a healthcheck (its own or its image's), else running.
    /// </summary>
    WaitReady,

    /// <summary>Restarts a running container whose dependency was recreated or started (<c>depends_on.restart: true</c>).</summary>
    Restart,

    /// <summary>Removes a project network whose settings changed, once every container on it is stopped, so it can be created anew.</summary>
    RemoveNetwork,
}
