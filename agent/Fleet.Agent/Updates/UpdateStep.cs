namespace Fleet.Agent.Updates;

/// <summary>What an update pass does next (see <see cref="UpdatePhaseMachine"/>).</summary>
public enum UpdateStep
{
    /// <summary>Check the stacks and pull every image, the old release still running.</summary>
    Download,

    /// <summary>Apply the new release.</summary>
    Apply,

    /// <summary>Watch the new release for its health window (again from where it began, after a restart).</summary>
    Verify,

    /// <summary>Put the last committed release back.</summary>
    RollBack,

    /// <summary>Try a failed download or rollback again: its backoff is over.</summary>
    Retry,

    /// <summary>Keep the last committed release running (drift repair).</summary>
    RepairCommitted,

    /// <summary>Keep the new release running: it failed, but nothing was committed before it.</summary>
    RepairDesired,

    /// <summary>A rollback failed and its next attempt is not due: touch nothing meanwhile.</summary>
    WaitForRetry,
}
