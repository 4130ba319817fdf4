namespace Fleet.Reconcile.Observed;

/// <summary>The engine's container states that matter to a plan.</summary>
public enum ContainerState
{
    Created,
    Running,
    Paused,
    Restarting,
    Exited,
    Dead,
    Removing,
}
