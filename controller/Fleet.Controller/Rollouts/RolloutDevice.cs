namespace Fleet.Controller.Rollouts;

/// <summary>
/// One targeted device. <see cref="Reached"/>: the rollout has decided to assign it, and
/// <see cref="Previous"/> holds the stack version its desired state had before (null: none), which a
/// rollback restores. <see cref="Pending"/> is an assignment decided and stored but not yet known to be
/// published; <see cref="Version"/> the desired-state version of the last one that was.
/// </summary>
public sealed record RolloutDevice(
    string Id,
    int Wave,
    bool Reached = false,
    int? Previous = null,
    PendingAssignment? Pending = null,
    long? Version = null);
