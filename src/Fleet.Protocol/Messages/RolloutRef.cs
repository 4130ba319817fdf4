namespace Fleet.Protocol.Messages;

/// <summary>The rollout (and its wave, counted from 1) that produced a desired state.</summary>
public sealed record RolloutRef(string Id, int Wave)
{
    /// <summary>
    /// True: the update goes ahead although services hold update locks (the operator's override, signed with
    /// the desired state, so it holds for this version only). Null (left out) otherwise.
    /// </summary>
    public bool? OverrideLocks { get; init; }
}
